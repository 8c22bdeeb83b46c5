package merkle

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// treeMagic starts every encoded [Tree]; the last byte is the format version.
const treeMagic = "MKT\x01"

// AppendBinary appends the encoding of t to b: the magic "MKT\x01", the
// fan-out, depth and number of keys as unsigned varints, then every entry as
// (key length varint, key, 8-byte little-endian value hash) in bucket
// order. Node hashes are not stored; decoding recomputes them.
func (t *Tree) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, treeMagic...)
	b = binary.AppendUvarint(b, uint64(t.fanout))
	b = binary.AppendUvarint(b, uint64(t.depth))
	b = binary.AppendUvarint(b, uint64(t.n))
	for _, bucket := range t.buckets {
		for _, s := range bucket.slots {
			b = binary.AppendUvarint(b, uint64(len(s.key)))
			b = append(b, s.key...)
			b = binary.LittleEndian.AppendUint64(b, s.vh)
		}
	}
	return b, nil
}

// MarshalBinary implements [encoding.BinaryMarshaler]; see
// [Tree.AppendBinary] for the format.
func (t *Tree) MarshalBinary() ([]byte, error) { return t.AppendBinary(nil) }

// UnmarshalBinary implements [encoding.BinaryUnmarshaler]: it replaces t
// with the decoded tree. Malformed input, options that [New] rejects and
// duplicate keys return an error wrapping ErrCorrupt or ErrInvalidOptions,
// and leave t unchanged.
func (t *Tree) UnmarshalBinary(data []byte) error {
	if len(data) < len(treeMagic) || string(data[:len(treeMagic)]) != treeMagic {
		return fmt.Errorf("%w: bad magic", ErrCorrupt)
	}
	d := decoder{b: data[len(treeMagic):]}
	fanout, depth := d.uvarint(), d.uvarint()
	n := d.count(9)
	if d.err != nil {
		return d.err
	}
	if fanout > MaxFanout || depth > 64 {
		return fmt.Errorf("%w: fanout %d, depth %d", ErrInvalidOptions, fanout, depth)
	}
	if fanout == 0 || depth == 0 {
		return fmt.Errorf("%w: zero fanout or depth", ErrInvalidOptions)
	}
	nt, err := New(Options{Fanout: int(fanout), Depth: int(depth)})
	if err != nil {
		return err
	}
	for range n {
		k := d.bytes()
		vh := d.uint64()
		if d.err != nil {
			return d.err
		}
		key := string(k)
		if _, dup := nt.Get(key); dup {
			return fmt.Errorf("%w: duplicate key %q", ErrCorrupt, key)
		}
		nt.Put(key, vh)
	}
	if err := d.finish(); err != nil {
		return err
	}
	*t = *nt
	return nil
}

// WriteTo implements [io.WriterTo]: it streams the encoding of
// [Tree.AppendBinary] to w without building it in memory, and returns the
// number of bytes written.
func (t *Tree) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriter(w)
	var n int64
	var scratch [binary.MaxVarintLen64 + 8]byte
	put := func(b []byte) error {
		k, err := bw.Write(b)
		n += int64(k)
		return err
	}
	head := []byte(treeMagic)
	head = binary.AppendUvarint(head, uint64(t.fanout))
	head = binary.AppendUvarint(head, uint64(t.depth))
	head = binary.AppendUvarint(head, uint64(t.n))
	if err := put(head); err != nil {
		return n, err
	}
	for _, bucket := range t.buckets {
		for _, s := range bucket.slots {
			if err := put(binary.AppendUvarint(scratch[:0], uint64(len(s.key)))); err != nil {
				return n, err
			}
			k, err := bw.WriteString(s.key)
			n += int64(k)
			if err != nil {
				return n, err
			}
			if err := put(binary.LittleEndian.AppendUint64(scratch[:0], s.vh)); err != nil {
				return n, err
			}
		}
	}
	return n, bw.Flush()
}

// ReadFrom implements [io.ReaderFrom]: it reads r to the end and decodes it
// as [Tree.UnmarshalBinary] does, replacing t. It returns the number of
// bytes read. The encoding is buffered in memory while decoding.
func (t *Tree) ReadFrom(r io.Reader) (int64, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return int64(len(data)), err
	}
	return int64(len(data)), t.UnmarshalBinary(data)
}
