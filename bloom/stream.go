package bloom

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// maxStream bounds the size a stream header may announce (1 TiB).
const maxStream = 1 << 40

// writeTo writes the encoding made by app to w.
func writeTo(w io.Writer, app func([]byte) ([]byte, error)) (int64, error) {
	b, err := app(nil)
	if err != nil {
		return 0, err
	}
	n, err := w.Write(b)
	return int64(n), err
}

// readEncoding reads one encoding of kind k from r: the header and the
// fixed fields, then the payload whose size size computes from the fixed
// fields, then the checksum. The buffer grows as bytes arrive, so a
// corrupt size cannot force a huge allocation.
func readEncoding(r io.Reader, k kind, fixed int, size func(fixed []byte) (uint64, bool)) ([]byte, int64, error) {
	var buf bytes.Buffer
	n, err := io.CopyN(&buf, r, int64(headerLen+fixed))
	if err != nil {
		return nil, n, fmt.Errorf("%w: reading header: %w", ErrCorrupt, err)
	}
	head := buf.Bytes()
	if err := checkHeader(head, k); err != nil {
		return nil, n, err
	}
	payload, ok := size(head[headerLen:])
	if !ok || payload > maxStream {
		return nil, n, corrupt("%v header announces an impossible size", k)
	}
	m, err := io.CopyN(&buf, r, int64(payload)+sumLen)
	n += m
	if err != nil {
		return nil, n, fmt.Errorf("%w: reading %d-byte payload: %w", ErrCorrupt, payload, err)
	}
	return buf.Bytes(), n, nil
}

func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

// WriteTo writes the encoding of f to w. It implements [io.WriterTo].
func (f *Filter) WriteTo(w io.Writer) (int64, error) { return writeTo(w, f.AppendBinary) }

// ReadFrom replaces f with one encoded filter read from r, consuming
// exactly its bytes. It implements [io.ReaderFrom]; errors are as for
// [Filter.UnmarshalBinary].
func (f *Filter) ReadFrom(r io.Reader) (int64, error) {
	b, n, err := readEncoding(r, kindClassic, 16, func(x []byte) (uint64, bool) {
		m := le64(x)
		return (m + 63) / 64 * 8, m <= 1<<42
	})
	if err != nil {
		return n, err
	}
	return n, f.UnmarshalBinary(b)
}

// WriteTo writes the encoding of b to w. It implements [io.WriterTo].
func (b *Blocked) WriteTo(w io.Writer) (int64, error) { return writeTo(w, b.AppendBinary) }

// ReadFrom replaces b with one encoded filter read from r. It implements
// [io.ReaderFrom].
func (b *Blocked) ReadFrom(r io.Reader) (int64, error) {
	data, n, err := readEncoding(r, kindBlocked, blockedFixed, func(x []byte) (uint64, bool) {
		nb := le64(x)
		return nb * blockBytes, nb <= 1<<34
	})
	if err != nil {
		return n, err
	}
	return n, b.UnmarshalBinary(data)
}

// WriteTo writes the encoding of c to w. It implements [io.WriterTo].
func (c *Counting) WriteTo(w io.Writer) (int64, error) { return writeTo(w, c.AppendBinary) }

// ReadFrom replaces c with one encoded filter read from r. It implements
// [io.ReaderFrom].
func (c *Counting) ReadFrom(r io.Reader) (int64, error) {
	b, n, err := readEncoding(r, kindCounting, 16, func(x []byte) (uint64, bool) {
		m := le64(x)
		return (m + 15) / 16 * 8, m <= 1<<40
	})
	if err != nil {
		return n, err
	}
	return n, c.UnmarshalBinary(b)
}

// WriteTo writes the encoding of c to w. It implements [io.WriterTo].
func (c *Cuckoo) WriteTo(w io.Writer) (int64, error) { return writeTo(w, c.AppendBinary) }

// ReadFrom replaces c with one encoded filter read from r. It implements
// [io.ReaderFrom].
func (c *Cuckoo) ReadFrom(r io.Reader) (int64, error) {
	b, n, err := readEncoding(r, kindCuckoo, cuckooFixed, func(x []byte) (uint64, bool) {
		nb := le64(x)
		size, ok := cuckooPayload(nb, le32(x[36:]))
		return size, ok && nb <= cuckooMaxCap
	})
	if err != nil {
		return n, err
	}
	return n, c.UnmarshalBinary(b)
}

// WriteTo writes the encoding of f to w. It implements [io.WriterTo].
func (f *Fuse) WriteTo(w io.Writer) (int64, error) { return writeTo(w, f.AppendBinary) }

// ReadFrom replaces f with one encoded filter read from r. It implements
// [io.ReaderFrom].
func (f *Fuse) ReadFrom(r io.Reader) (int64, error) {
	b, n, err := readEncoding(r, kindFuse, 24, func(x []byte) (uint64, bool) {
		segLen, segCount := uint64(le32(x[16:])), uint64(le32(x[20:]))
		return (segCount + 2) * segLen, segLen <= fuseMaxSegLen
	})
	if err != nil {
		return n, err
	}
	return n, f.UnmarshalBinary(b)
}

// WriteTo writes the encoding of s to w. It implements [io.WriterTo].
func (s *Scalable) WriteTo(w io.Writer) (int64, error) { return writeTo(w, s.AppendBinary) }

// scalableFixed is the size of the Scalable fixed fields.
const scalableFixed = 56

// ReadFrom replaces s with one encoded filter read from r, consuming
// exactly its bytes: the fixed fields, then each length-prefixed stage,
// then the checksum. It implements [io.ReaderFrom]; errors are as for
// [Scalable.UnmarshalBinary]. The buffer grows as bytes arrive, so a
// corrupt length cannot force a huge allocation.
func (s *Scalable) ReadFrom(r io.Reader) (int64, error) {
	var buf bytes.Buffer
	n, err := io.CopyN(&buf, r, headerLen+scalableFixed)
	if err != nil {
		return n, fmt.Errorf("%w: reading header: %w", ErrCorrupt, err)
	}
	head := buf.Bytes()
	if err := checkHeader(head, kindScalable); err != nil {
		return n, err
	}
	stages := le32(head[headerLen+48:])
	if stages == 0 || stages > 64 {
		return n, corrupt("scalable filter with %d stages", stages)
	}
	var total uint64
	for i := range stages {
		m, err := io.CopyN(&buf, r, 8)
		n += m
		if err != nil {
			return n, fmt.Errorf("%w: reading stage %d length: %w", ErrCorrupt, i, err)
		}
		ln := le64(buf.Bytes()[buf.Len()-8:])
		if total += ln; ln > maxStream || total > maxStream {
			return n, corrupt("stage %d announces %d bytes", i, ln)
		}
		m, err = io.CopyN(&buf, r, int64(ln))
		n += m
		if err != nil {
			return n, fmt.Errorf("%w: reading stage %d: %w", ErrCorrupt, i, err)
		}
	}
	m, err := io.CopyN(&buf, r, sumLen)
	n += m
	if err != nil {
		return n, fmt.Errorf("%w: reading checksum: %w", ErrCorrupt, err)
	}
	return n, s.UnmarshalBinary(buf.Bytes())
}
