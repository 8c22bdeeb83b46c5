package metrics

import (
	"errors"
	"math"
	"math/bits"
)

// chunk holds one series' samples compressed as in Gorilla (Pelkonen et
// al., "Gorilla: A Fast, Scalable, In-Memory Time Series Database", VLDB
// 2015): timestamps as delta-of-deltas in variable-length bit codes, values
// as the XOR with the previous value, storing only its meaningful bits.
// Regular scrapes of slowly changing values take one or two bytes a sample
// instead of sixteen. Samples must be appended in time order.
type chunk struct {
	b     []byte
	nbits int // bits used in b
	n     int

	t, delta       int64  // last timestamp and delta
	v              uint64 // last value's bits
	leading, trail int    // of the last stored XOR window
}

// ErrCorruptChunk is returned by a chunk iterator on malformed input.
var ErrCorruptChunk = errors.New("metrics: corrupt chunk")

func (c *chunk) writeBits(v uint64, n int) {
	for n > 0 {
		if c.nbits%8 == 0 {
			c.b = append(c.b, 0)
		}
		free := 8 - c.nbits%8
		take := min(free, n)
		chunkBits := (v >> (n - take)) & (1<<take - 1)
		c.b[len(c.b)-1] |= byte(chunkBits << (free - take))
		c.nbits += take
		n -= take
	}
}

// append adds a sample with a timestamp (ms) not before the last one.
func (c *chunk) append(t int64, value float64) {
	v := math.Float64bits(value)
	switch c.n {
	case 0:
		c.writeBits(uint64(t), 64)
		c.writeBits(v, 64)
	case 1:
		c.delta = t - c.t
		c.writeBits(uint64(c.delta), 64)
		c.writeXOR(v)
	default:
		delta := t - c.t
		dod := delta - c.delta
		switch {
		case dod == 0:
			c.writeBits(0, 1)
		case -63 <= dod && dod <= 64:
			c.writeBits(0b10, 2)
			c.writeBits(uint64(dod), 7)
		case -255 <= dod && dod <= 256:
			c.writeBits(0b110, 3)
			c.writeBits(uint64(dod), 9)
		case -2047 <= dod && dod <= 2048:
			c.writeBits(0b1110, 4)
			c.writeBits(uint64(dod), 12)
		default:
			c.writeBits(0b1111, 4)
			c.writeBits(uint64(dod), 64)
		}
		c.delta = delta
		c.writeXOR(v)
	}
	c.t, c.v = t, v
	c.n++
}

func (c *chunk) writeXOR(v uint64) {
	x := v ^ c.v
	if x == 0 {
		c.writeBits(0, 1)
		return
	}
	leading, trail := bits.LeadingZeros64(x), bits.TrailingZeros64(x)
	if leading > 31 {
		leading = 31 // 5 bits
	}
	if c.n > 1 && leading >= c.leading && trail >= c.trail {
		// Fits the previous window: control bits 10.
		c.writeBits(0b10, 2)
		c.writeBits(x>>c.trail, 64-c.leading-c.trail)
		return
	}
	sig := 64 - leading - trail
	c.writeBits(0b11, 2)
	c.writeBits(uint64(leading), 5)
	c.writeBits(uint64(sig-1), 6) // 1..64 stored as 0..63
	c.writeBits(x>>trail, sig)
	c.leading, c.trail = leading, trail
}

// bytes returns the encoded chunk.
func (c *chunk) bytes() []byte { return c.b }

// decodeChunk returns the n samples encoded in b.
func decodeChunk(b []byte, n int) (ts []int64, vs []float64, err error) {
	r := bitReader{b: b}
	var t, delta int64
	var v uint64
	var leading, trail int
	for i := range n {
		switch i {
		case 0:
			t, v = int64(r.read(64)), r.read(64)
		default:
			if i == 1 {
				delta = int64(r.read(64))
			} else {
				var dod int64
				switch {
				case r.read(1) == 0:
				case r.read(1) == 0:
					dod = signExtend(r.read(7), 7)
				case r.read(1) == 0:
					dod = signExtend(r.read(9), 9)
				case r.read(1) == 0:
					dod = signExtend(r.read(12), 12)
				default:
					dod = int64(r.read(64))
				}
				delta += dod
			}
			t += delta
			if r.read(1) == 1 {
				if r.read(1) == 1 {
					leading = int(r.read(5))
					sig := int(r.read(6)) + 1
					trail = 64 - leading - sig
					if trail < 0 {
						return nil, nil, ErrCorruptChunk
					}
				} else if i == 1 {
					return nil, nil, ErrCorruptChunk // no window yet
				}
				v ^= r.read(64-leading-trail) << trail
			}
		}
		if r.err {
			return nil, nil, ErrCorruptChunk
		}
		ts, vs = append(ts, t), append(vs, math.Float64frombits(v))
	}
	return ts, vs, nil
}

// signExtend reads an n-bit two's complement number. The encoder's ranges
// are asymmetric (-63..64 in 7 bits), so the pattern of -2^(n-1), which the
// encoder never writes, stands for +2^(n-1).
func signExtend(v uint64, n int) int64 {
	x := int64(v<<(64-n)) >> (64 - n)
	if x == -(1 << (n - 1)) {
		return 1 << (n - 1)
	}
	return x
}

type bitReader struct {
	b   []byte
	pos int
	err bool
}

func (r *bitReader) read(n int) uint64 {
	var v uint64
	for n > 0 {
		if r.pos/8 >= len(r.b) {
			r.err = true
			return 0
		}
		avail := 8 - r.pos%8
		take := min(avail, n)
		cur := uint64(r.b[r.pos/8]>>(avail-take)) & (1<<take - 1)
		v = v<<take | cur
		r.pos += take
		n -= take
	}
	return v
}
