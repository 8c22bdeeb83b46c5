package bloom

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// Cuckoo encoding, version 2 (header version byte 2; version 1 used a
// different bucket layout and is refused with [ErrVersion]):
//
//	bucket count u64 | count u64 | stash index u64 | rng u64 |
//	stash u32 | fingerprint bits u32 (8 or 16) |
//	buckets: u32 each (8-bit) or u64 each (16-bit), little endian
const cuckooFixed = 40

// cuckooPayload returns the bucket bytes for nb buckets of fpBits-bit
// fingerprints, and whether fpBits is valid.
func cuckooPayload(nb uint64, fpBits uint32) (uint64, bool) {
	switch fpBits {
	case 8:
		return nb * 4, true
	case 16:
		return nb * 8, true
	}
	return 0, false
}

// AppendBinary appends the encoding of c to dst. It implements
// [encoding.BinaryAppender].
func (c *Cuckoo) AppendBinary(dst []byte) ([]byte, error) {
	start := len(dst)
	dst = appendHeader(dst, kindCuckoo)
	dst = appendU64(dst, c.nb)
	dst = appendU64(dst, c.count)
	dst = appendU64(dst, c.stashIdx)
	dst = appendU64(dst, c.rng)
	dst = appendU32(dst, uint32(c.stash))
	dst = appendU32(dst, uint32(c.fpBits))
	if c.b8 != nil {
		for _, w := range c.b8 {
			dst = binary.LittleEndian.AppendUint32(dst, w)
		}
	} else {
		dst = appendWords(dst, c.b16)
	}
	return appendSum(dst, start), nil
}

// MarshalBinary returns the encoding of c. It implements
// [encoding.BinaryMarshaler].
func (c *Cuckoo) MarshalBinary() ([]byte, error) { return c.AppendBinary(nil) }

// UnmarshalBinary replaces c with the filter encoded in data, which it
// copies. Bad input returns an error and leaves c unchanged. Encodings
// written before fingerprint sizes were configurable (format version 1)
// return an error wrapping [ErrVersion]: their keys sit in buckets this
// version does not compute, so the filter must be rebuilt from its keys.
func (c *Cuckoo) UnmarshalBinary(data []byte) error {
	body, err := open(data, kindCuckoo)
	if err != nil {
		return err
	}
	r := reader{b: body}
	nb := r.u64("bucket count")
	count := r.u64("count")
	stashIdx := r.u64("stash index")
	rng := r.u64("rng")
	stash := r.u32("stash")
	fpBits := r.u32("fingerprint bits")
	if r.err != nil {
		return r.err
	}
	size, ok := cuckooPayload(nb, fpBits)
	if !ok || nb < 2 || nb > uint64(len(r.b))/4 || stash >= 1<<fpBits || rng == 0 || stashIdx >= nb {
		return corrupt("cuckoo filter parameters")
	}
	ws := r.bytes(size, "buckets")
	if err := r.done(); err != nil {
		return err
	}
	t := newCuckoo(nb, uint8(fpBits))
	var held int
	if fpBits == 8 {
		for i := range t.b8 {
			w := binary.LittleEndian.Uint32(ws[4*i:])
			t.b8[i] = w
			held += 4 - bits.OnesCount32(zeroLanes8Exact(w))
		}
	} else {
		t.b16 = decodeWords(ws)
		for _, w := range t.b16 {
			for s := uint(0); s < 64; s += 16 {
				if uint16(w>>s) != 0 {
					held++
				}
			}
		}
	}
	if stash != 0 {
		held++
	}
	if uint64(held) != count {
		return corrupt("count %d but %d fingerprints stored", count, held)
	}
	t.count, t.stash, t.stashIdx, t.rng = count, uint16(stash), stashIdx, rng
	*c = *t
	return nil
}

// zeroLanes8Exact has the high bit of every zero byte of w set, and no
// other bit.
func zeroLanes8Exact(w uint32) uint32 {
	const low7 = 0x7f7f7f7f
	return ^((w&low7 + low7) | w | low7)
}

// cuckooVersionError explains a refused cuckoo encoding version.
func cuckooVersionError(v byte) error {
	if v == 1 {
		return fmt.Errorf("%w: cuckoo encoding version 1 predates the current bucket layout and cannot be read; rebuild the filter from its keys", ErrVersion)
	}
	return fmt.Errorf("%w: version %d", ErrVersion, v)
}
