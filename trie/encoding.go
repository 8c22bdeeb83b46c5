package trie

import (
	"encoding/binary"
	"hash/crc32"
	"unicode/utf8"
)

// Binary format (version 1), all integers unsigned varints unless noted:
//
//	magic "SDTRIE" | version byte (1) | flags byte (bit 0: FoldCase)
//	K | MaxLen | count
//	count × ( shared | suffixLen | suffix bytes | weight (zig-zag varint) )
//	CRC-32 (Castagnoli) of everything before it, 4 bytes little endian
//
// Queries are stored in ascending byte order, front coded: shared is the
// number of leading bytes equal to the previous query's. The cached lists are
// not stored; UnmarshalBinary recomputes them in bulk.
const (
	magic   = "SDTRIE"
	version = 1
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// MarshalBinary encodes the trie's queries, weights and options (K, MaxLen,
// FoldCase; not Normalize, which is a function) as described in the package
// documentation. It implements [encoding.BinaryMarshaler].
func (t *Trie) MarshalBinary() ([]byte, error) {
	return t.AppendBinary(nil)
}

// AppendBinary appends the encoding of MarshalBinary to b.
func (t *Trie) AppendBinary(b []byte) ([]byte, error) {
	start := len(b)
	b = append(b, magic...)
	var flags byte
	if t.opts.FoldCase {
		flags |= 1
	}
	b = append(b, version, flags)
	b = binary.AppendUvarint(b, uint64(t.opts.K))
	b = binary.AppendUvarint(b, uint64(t.opts.MaxLen))
	b = binary.AppendUvarint(b, uint64(t.n))
	prev := ""
	for k, w := range t.All() {
		shared := commonPrefixBytes(prev, k)
		b = binary.AppendUvarint(b, uint64(shared))
		b = binary.AppendUvarint(b, uint64(len(k)-shared))
		b = append(b, k[shared:]...)
		b = binary.AppendVarint(b, w)
		prev = k
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b[start:], castagnoli)), nil
}

func commonPrefixBytes(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// UnmarshalBinary replaces the trie's contents and options K, MaxLen and
// FoldCase with those decoded from data (Normalize is kept). It validates
// everything (checksum, ordering, UTF-8, lengths) and returns a
// [*CorruptError] (matching ErrCorrupt) for bad input, leaving the trie
// unchanged; it never panics. UnmarshalBinary works on a zero Trie too. It
// implements [encoding.BinaryUnmarshaler].
func (t *Trie) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	if len(data) < len(magic)+2+4 {
		return d.fail("short input")
	}
	body := data[:len(data)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return &CorruptError{Offset: len(data) - 4, Reason: "checksum mismatch"}
	}
	d.b = body
	if string(d.b[:len(magic)]) != magic {
		return d.fail("bad magic")
	}
	d.off = len(magic)
	if d.b[d.off] != version {
		return d.fail("unknown version")
	}
	flags := d.b[d.off+1]
	if flags&^1 != 0 {
		return d.fail("unknown flags")
	}
	d.off += 2
	opts := Options{FoldCase: flags&1 != 0}
	if t.opts.Normalize != nil {
		opts.Normalize = t.opts.Normalize
	}
	k, ok := d.uvarint()
	if !ok || k < 1 || k > maxK {
		return d.fail("bad K")
	}
	maxLen, ok := d.uvarint()
	if !ok || maxLen < 1 || maxLen > 1<<20 {
		return d.fail("bad MaxLen")
	}
	count, ok := d.uvarint()
	if !ok || count > uint64(len(d.b)-d.off)/3 { // each entry takes >= 3 bytes
		return d.fail("bad count")
	}
	opts.K, opts.MaxLen = int(k), int(maxLen)
	keys := make([]string, 0, count)
	weights := make([]int64, 0, count)
	prev := ""
	for range count {
		shared, ok := d.uvarint()
		if !ok || shared > uint64(len(prev)) {
			return d.fail("bad shared prefix length")
		}
		n, ok := d.uvarint()
		if !ok || n > uint64(len(d.b)-d.off) {
			return d.fail("bad suffix length")
		}
		key := prev[:shared] + string(d.b[d.off:d.off+int(n)])
		d.off += int(n)
		w, m := binary.Varint(d.b[d.off:])
		if m <= 0 {
			return d.fail("bad weight")
		}
		d.off += m
		switch {
		case key == "":
			return d.fail("empty query")
		case key <= prev:
			return d.fail("queries out of order")
		case !utf8.ValidString(key):
			return d.fail("query is not valid UTF-8")
		case utf8.RuneCountInString(key) > opts.MaxLen:
			return d.fail("query longer than MaxLen")
		}
		keys = append(keys, key)
		weights = append(weights, w)
		prev = key
	}
	if d.off != len(d.b) {
		return d.fail("trailing bytes")
	}
	nt := &Trie{opts: opts, root: &node{term: -1}}
	nt.bulk(keys, func(i int) int64 { return weights[i] })
	*t = *nt
	return nil
}

type decoder struct {
	b   []byte
	off int
}

func (d *decoder) uvarint() (uint64, bool) {
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		return 0, false
	}
	d.off += n
	return v, true
}

func (d *decoder) fail(reason string) error {
	return &CorruptError{Offset: d.off, Reason: reason}
}
