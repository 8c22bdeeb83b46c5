package vclock

import (
	"encoding/binary"
	"fmt"
)

// AppendBinary appends the encoding of s to b, using appendValue to encode
// each value:
//
//	count uvarint
//	count × (dot node uvarint, dot counter uvarint, Past as Clock.AppendBinary,
//	         value length uvarint, value bytes)
//
// Versions are in dot order, so equal sets with equal values encode to
// equal bytes.
func (s Siblings[V]) AppendBinary(b []byte, appendValue func([]byte, V) []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s.vs)))
	var tmp []byte
	for _, v := range s.vs {
		b = binary.AppendUvarint(b, v.Dot.Node)
		b = binary.AppendUvarint(b, v.Dot.Counter)
		b = v.Past.appendBinary(b)
		tmp = appendValue(tmp[:0], v.Value)
		b = binary.AppendUvarint(b, uint64(len(tmp)))
		b = append(b, tmp...)
	}
	return b
}

// DecodeSiblings decodes a set encoded by [Siblings.AppendBinary], using
// decodeValue for each value (it must not keep its argument, which aliases
// data). Malformed input, dots out of order and versions that another
// version has seen return an error wrapping ErrCorrupt; decodeValue's
// errors are wrapped and returned.
func DecodeSiblings[V any](data []byte, decodeValue func([]byte) (V, error)) (Siblings[V], error) {
	d := decoder{b: data}
	n, err := d.uvarint()
	if err != nil {
		return Siblings[V]{}, err
	}
	if n > uint64(len(d.b)/5) {
		return Siblings[V]{}, fmt.Errorf("%w: %d versions in %d bytes", ErrCorrupt, n, len(d.b))
	}
	vs := make([]Version[V], 0, n)
	for range n {
		var v Version[V]
		if v.Dot.Node, err = d.uvarint(); err != nil {
			return Siblings[V]{}, err
		}
		if v.Dot.Counter, err = d.uvarint(); err != nil {
			return Siblings[V]{}, err
		}
		if v.Dot.Counter == 0 {
			return Siblings[V]{}, fmt.Errorf("%w: zero dot counter", ErrCorrupt)
		}
		if k := len(vs); k > 0 && cmpDot(vs[k-1].Dot, v.Dot) >= 0 {
			return Siblings[V]{}, fmt.Errorf("%w: dot %v after %v", ErrCorrupt, v.Dot, vs[k-1].Dot)
		}
		if v.Past, err = d.clock(); err != nil {
			return Siblings[V]{}, err
		}
		if v.Past.Covers(v.Dot) {
			return Siblings[V]{}, fmt.Errorf("%w: version %v has seen itself", ErrCorrupt, v.Dot)
		}
		l, err := d.uvarint()
		if err != nil {
			return Siblings[V]{}, err
		}
		if l > uint64(len(d.b)) {
			return Siblings[V]{}, fmt.Errorf("%w: truncated value", ErrCorrupt)
		}
		if v.Value, err = decodeValue(d.b[:l]); err != nil {
			return Siblings[V]{}, fmt.Errorf("vclock: decoding value of %v: %w", v.Dot, err)
		}
		d.b = d.b[l:]
		vs = append(vs, v)
	}
	if len(d.b) != 0 {
		return Siblings[V]{}, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(d.b))
	}
	for _, v := range vs {
		for _, w := range vs {
			if w.Dot != v.Dot && w.Past.Covers(v.Dot) {
				return Siblings[V]{}, fmt.Errorf("%w: version %v has seen %v", ErrCorrupt, w.Dot, v.Dot)
			}
		}
	}
	return Siblings[V]{vs: vs}, nil
}
