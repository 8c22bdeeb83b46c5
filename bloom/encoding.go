package bloom

import (
	"encoding/binary"
	"fmt"

	"github.com/cespare/xxhash/v2"
)

// Encoding (all filters, little endian):
//
//	offset 0  "SDBF" magic
//	offset 4  version (1; 2 for cuckoo, whose version 1 is refused)
//	offset 5  kind (1 classic, 2 blocked, 3 counting, 4 scalable, 5 cuckoo, 6 fuse)
//	offset 6  two zero bytes
//	offset 8  kind-specific fixed fields, then the payload
//	last 8    xxhash64 of every preceding byte
const (
	encVersion    = 1
	cuckooVersion = 2
	headerLen     = 8
	sumLen        = 8
)

type kind byte

const (
	kindClassic kind = iota + 1
	kindBlocked
	kindCounting
	kindScalable
	kindCuckoo
	kindFuse
)

func (k kind) String() string {
	switch k {
	case kindClassic:
		return "classic"
	case kindBlocked:
		return "blocked"
	case kindCounting:
		return "counting"
	case kindScalable:
		return "scalable"
	case kindCuckoo:
		return "cuckoo"
	case kindFuse:
		return "fuse"
	}
	return fmt.Sprintf("kind(%d)", byte(k))
}

// versionOf returns the current encoding version of kind k.
func versionOf(k kind) byte {
	if k == kindCuckoo {
		return cuckooVersion
	}
	return encVersion
}

func appendHeader(dst []byte, k kind) []byte {
	return append(dst, 'S', 'D', 'B', 'F', versionOf(k), byte(k), 0, 0)
}

// checkHeader validates magic, version and kind of an 8-byte header. A
// known version of another kind is [ErrWrongKind]; an unknown version, or a
// retired version of the wanted kind, is [ErrVersion].
func checkHeader(head []byte, want kind) error {
	if string(head[:4]) != "SDBF" {
		return fmt.Errorf("%w: bad magic %q", ErrCorrupt, head[:4])
	}
	v, got := head[4], kind(head[5])
	if v != encVersion && v != cuckooVersion {
		return fmt.Errorf("%w: version %d", ErrVersion, v)
	}
	if got != want {
		return fmt.Errorf("%w: have %v, want %v", ErrWrongKind, got, want)
	}
	if v != versionOf(want) {
		if want == kindCuckoo {
			return cuckooVersionError(v)
		}
		return fmt.Errorf("%w: version %d", ErrVersion, v)
	}
	return nil
}

func appendSum(dst []byte, start int) []byte {
	return binary.LittleEndian.AppendUint64(dst, xxhash.Sum64(dst[start:]))
}

// open validates the frame of an encoding and returns its body (the bytes
// between the header and the checksum), aliasing data.
func open(data []byte, want kind) ([]byte, error) {
	if len(data) < headerLen+sumLen {
		return nil, fmt.Errorf("%w: %d bytes is shorter than the %d-byte frame", ErrCorrupt, len(data), headerLen+sumLen)
	}
	if err := checkHeader(data, want); err != nil {
		return nil, err
	}
	if data[6] != 0 || data[7] != 0 {
		return nil, fmt.Errorf("%w: reserved header bytes are not zero", ErrCorrupt)
	}
	end := len(data) - sumLen
	if got, want := xxhash.Sum64(data[:end]), binary.LittleEndian.Uint64(data[end:]); got != want {
		return nil, fmt.Errorf("%w: checksum %#016x, want %#016x", ErrCorrupt, got, want)
	}
	return data[headerLen:end], nil
}

// reader decodes fixed-width fields from a body, remembering the first
// short read.
type reader struct {
	b   []byte
	err error
}

func (r *reader) need(n uint64, what string) bool {
	if r.err != nil {
		return false
	}
	if uint64(len(r.b)) < n {
		r.err = fmt.Errorf("%w: truncated %s (need %d bytes, have %d)", ErrCorrupt, what, n, len(r.b))
		return false
	}
	return true
}

func (r *reader) u32(what string) uint32 {
	if !r.need(4, what) {
		return 0
	}
	v := binary.LittleEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

func (r *reader) u64(what string) uint64 {
	if !r.need(8, what) {
		return 0
	}
	v := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return v
}

func (r *reader) bytes(n uint64, what string) []byte {
	if !r.need(n, what) {
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// done reports an error if bytes remain after the last field.
func (r *reader) done() error {
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(r.b))
	}
	return r.err
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

func appendU32(dst []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(dst, v) }
func appendU64(dst []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(dst, v) }

// appendWords appends ws as little-endian uint64s.
func appendWords(dst []byte, ws []uint64) []byte {
	for _, w := range ws {
		dst = binary.LittleEndian.AppendUint64(dst, w)
	}
	return dst
}

func decodeWords(b []byte) []uint64 {
	ws := make([]uint64, len(b)/8)
	for i := range ws {
		ws[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return ws
}

func putU64(b []byte, v uint64) { binary.LittleEndian.PutUint64(b, v) }

// decodeSlots reads the body shared by the classic and counting filters: m
// slots of width bits packed perWord to a little-endian word, k, padding,
// then the words. name and unit only shape the error messages. Slots past m
// in the last word must be zero.
func decodeSlots(body []byte, name, unit string, perWord, width uint64) (words []uint64, m uint64, k uint32, err error) {
	r := reader{b: body}
	m = r.u64("m")
	k = r.u32("k")
	pad := r.u32("padding")
	if r.err != nil {
		return nil, 0, 0, r.err
	}
	if m == 0 || k == 0 || k > maxK || pad != 0 {
		return nil, 0, 0, corrupt("%s filter m=%d k=%d", name, m, k)
	}
	nw := (m + perWord - 1) / perWord
	if nw > uint64(len(r.b))/8 {
		return nil, 0, 0, corrupt("%s filter of %d %s needs %d bytes, have %d", name, m, unit, nw*8, len(r.b))
	}
	ws := r.bytes(nw*8, unit)
	if err := r.done(); err != nil {
		return nil, 0, 0, err
	}
	words = decodeWords(ws)
	if m%perWord != 0 && words[len(words)-1]>>((m%perWord)*width) != 0 {
		return nil, 0, 0, corrupt("%s set beyond m", unit)
	}
	return words, m, k, nil
}
