package merkle

import (
	"context"
	"encoding/binary"
	"fmt"
)

// Message kinds of the diff wire protocol.
const (
	kindHashes  byte = 1
	kindEntries byte = 2
)

// RoundTripFunc runs the diff protocol over any transport: it must deliver
// req to the remote replica, which answers with its tree's
// [Tree.Serve](req), and return that answer. RoundTripFunc implements
// [Remote], so it can be passed to [Tree.Diff].
//
// The wire format (all integers unsigned varints unless stated):
//
//	hashes request:   0x01 fanout depth level count delta...  (delta = index - previous - 1)
//	entries request:  0x02 fanout depth count delta...
//	hashes response:  0x01 count (8-byte little-endian hash)...
//	entries response: 0x02 count (keylen key 8-byte little-endian value hash)...
type RoundTripFunc func(ctx context.Context, req []byte) ([]byte, error)

// Hashes implements [Remote].
func (f RoundTripFunc) Hashes(ctx context.Context, shape Options, level int, nodes []int) ([]uint64, error) {
	if level < 0 {
		return nil, fmt.Errorf("%w: level %d", ErrBadRequest, level)
	}
	req := appendShape([]byte{kindHashes}, shape)
	req = binary.AppendUvarint(req, uint64(level))
	req, err := appendIndexes(req, nodes)
	if err != nil {
		return nil, err
	}
	resp, err := f(ctx, req)
	if err != nil {
		return nil, err
	}
	return decodeHashesResponse(resp)
}

// Entries implements [Remote].
func (f RoundTripFunc) Entries(ctx context.Context, shape Options, buckets []int) ([]Entry, error) {
	req, err := appendIndexes(appendShape([]byte{kindEntries}, shape), buckets)
	if err != nil {
		return nil, err
	}
	resp, err := f(ctx, req)
	if err != nil {
		return nil, err
	}
	return decodeEntriesResponse(resp)
}

// Serve answers one diff request produced by a [RoundTripFunc] on another
// replica and returns the response to send back. Malformed requests return
// an error wrapping ErrBadRequest or ErrCorrupt; Serve never panics on bad
// input. Serve only reads t.
func (t *Tree) Serve(req []byte) ([]byte, error) {
	return serve(t, req, func(buckets []int) ([]Entry, error) { return t.entries(buckets), nil })
}

// serve answers req from the node hashes of t and, for entries requests,
// the entries that entries returns for the asked buckets.
func serve(t nodeReader, req []byte, entries func(buckets []int) ([]Entry, error)) ([]byte, error) {
	if len(req) == 0 {
		return nil, fmt.Errorf("%w: empty request", ErrCorrupt)
	}
	shape := t.Options()
	leaves := t.width(shape.Depth)
	d := decoder{b: req[1:]}
	fanout, depth := d.uvarint(), d.uvarint()
	if d.err != nil {
		return nil, d.err
	}
	if fanout != uint64(shape.Fanout) || depth != uint64(shape.Depth) {
		return nil, fmt.Errorf("%w: asked with fanout %d depth %d, have %d and %d", ErrShapeMismatch, fanout, depth, shape.Fanout, shape.Depth)
	}
	switch req[0] {
	case kindHashes:
		level := d.uvarint()
		nodes := d.indexes(leaves)
		if err := d.finish(); err != nil {
			return nil, err
		}
		if level < 1 || level > uint64(shape.Depth) {
			return nil, fmt.Errorf("%w: level %d not in [1, %d]", ErrBadRequest, level, shape.Depth)
		}
		hs, err := hashesOf(t, int(level), nodes, nil)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, hashesResponseSize(len(hs)))
		out = append(out, kindHashes)
		out = binary.AppendUvarint(out, uint64(len(hs)))
		for _, h := range hs {
			out = binary.LittleEndian.AppendUint64(out, h)
		}
		return out, nil
	case kindEntries:
		buckets := d.indexes(leaves)
		if err := d.finish(); err != nil {
			return nil, err
		}
		if err := checkAscending(buckets, leaves); err != nil {
			return nil, err
		}
		es, err := entries(buckets)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, entriesResponseSize(es))
		out = append(out, kindEntries)
		out = binary.AppendUvarint(out, uint64(len(es)))
		for _, e := range es {
			out = binary.AppendUvarint(out, uint64(len(e.Key)))
			out = append(out, e.Key...)
			out = binary.LittleEndian.AppendUint64(out, e.ValueHash)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%w: unknown request kind %d", ErrBadRequest, req[0])
	}
}

func appendShape(b []byte, o Options) []byte {
	o = o.withDefaults()
	b = binary.AppendUvarint(b, uint64(o.Fanout))
	return binary.AppendUvarint(b, uint64(o.Depth))
}

func shapeSize(o Options) int {
	return uvarintLen(uint64(o.Fanout)) + uvarintLen(uint64(o.Depth))
}

func appendIndexes(b []byte, idx []int) ([]byte, error) {
	b = binary.AppendUvarint(b, uint64(len(idx)))
	prev := -1
	for _, i := range idx {
		if i <= prev {
			return nil, fmt.Errorf("%w: indexes not ascending (%d after %d)", ErrBadRequest, i, prev)
		}
		b = binary.AppendUvarint(b, uint64(i-prev-1))
		prev = i
	}
	return b, nil
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

func indexesSize(idx []int) int {
	n := uvarintLen(uint64(len(idx)))
	prev := -1
	for _, i := range idx {
		n += uvarintLen(uint64(i - prev - 1))
		prev = i
	}
	return n
}

func hashesRequestSize(o Options, level int, nodes []int) int {
	return 1 + shapeSize(o) + uvarintLen(uint64(level)) + indexesSize(nodes)
}

func hashesResponseSize(n int) int { return 1 + uvarintLen(uint64(n)) + 8*n }

func entriesRequestSize(o Options, buckets []int) int {
	return 1 + shapeSize(o) + indexesSize(buckets)
}

func entriesResponseSize(es []Entry) int {
	n := 1 + uvarintLen(uint64(len(es)))
	for _, e := range es {
		n += uvarintLen(uint64(len(e.Key))) + len(e.Key) + 8
	}
	return n
}

func decodeHashesResponse(b []byte) ([]uint64, error) {
	if len(b) == 0 || b[0] != kindHashes {
		return nil, fmt.Errorf("%w: not a hashes response", ErrBadResponse)
	}
	d := decoder{b: b[1:]}
	n := d.count(8)
	out := make([]uint64, 0, n)
	for range n {
		out = append(out, d.uint64())
	}
	if err := d.finish(); err != nil {
		return nil, err
	}
	return out, nil
}

func decodeEntriesResponse(b []byte) ([]Entry, error) {
	if len(b) == 0 || b[0] != kindEntries {
		return nil, fmt.Errorf("%w: not an entries response", ErrBadResponse)
	}
	d := decoder{b: b[1:]}
	n := d.count(9)
	out := make([]Entry, 0, n)
	for range n {
		k := d.bytes()
		out = append(out, Entry{Key: string(k), ValueHash: d.uint64()})
	}
	if err := d.finish(); err != nil {
		return nil, err
	}
	return out, nil
}

// decoder reads varints and fixed-size fields, remembering the first error
// so callers check once.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(msg string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrCorrupt, msg)
	}
	d.b = nil
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 || n != uvarintLen(v) {
		d.fail("bad or non-minimal varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads an element count and checks that the remaining input can hold
// that many elements of at least min bytes, so lengths cannot force huge
// allocations.
func (d *decoder) count(minSize int) int {
	v := d.uvarint()
	if d.err != nil {
		return 0
	}
	if v > uint64(len(d.b)/minSize) {
		d.fail("count larger than input")
		return 0
	}
	return int(v)
}

func (d *decoder) uint64() uint64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.fail("truncated")
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.fail("truncated")
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) fixed(n int) []byte {
	if d.err != nil {
		return nil
	}
	if len(d.b) < n {
		d.fail("truncated")
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

// indexes reads a count and ascending delta-coded indexes below limit.
func (d *decoder) indexes(limit int) []int {
	n := d.count(1)
	out := make([]int, 0, n)
	prev := -1
	for range n {
		delta := d.uvarint()
		if d.err != nil {
			return nil
		}
		if delta >= uint64(limit) || prev+1+int(delta) >= limit {
			d.fail("index out of range")
			return nil
		}
		prev += 1 + int(delta)
		out = append(out, prev)
	}
	return out
}

func (d *decoder) finish() error {
	if d.err != nil {
		return d.err
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(d.b))
	}
	return nil
}
