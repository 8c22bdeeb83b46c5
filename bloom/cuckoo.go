package bloom

import (
	"fmt"
	"math"
	"math/bits"
)

// CuckooOptions configures a [Cuckoo] filter. The zero value means the
// defaults of each field.
type CuckooOptions struct {
	// FingerprintBits is the fingerprint size, 8 or 16. Default 16.
	//
	//   - 16 bits: FPR at most 8/65535 ≈ 0.012% at 16/0.95 ≈ 16.8 bits per
	//     key when the filter is at its capacity (a Bloom filter needs
	//     19.2 bits for that rate).
	//   - 8 bits: FPR at most 8/255 ≈ 3.1% (about 3% at capacity) at
	//     8/0.95 ≈ 8.4 bits per key, the layout of
	//     github.com/seiflotfy/cuckoofilter; half the memory, so lookups
	//     stay in cache longer. A Bloom filter needs 7.3 bits for 3%.
	FingerprintBits int
}

func (o *CuckooOptions) setDefaults() {
	if o.FingerprintBits == 0 {
		o.FingerprintBits = 16
	}
}

// Validate reports an error wrapping [ErrConfig] if a set field is out of
// range.
func (o CuckooOptions) Validate() error {
	o.setDefaults()
	if o.FingerprintBits != 8 && o.FingerprintBits != 16 {
		return fmt.Errorf("%w: cuckoo FingerprintBits %d is neither 8 nor 16", ErrConfig, o.FingerprintBits)
	}
	return nil
}

// Cuckoo is a cuckoo filter (Fan, Andersen, Kaminsky and Mitzenmacher,
// "Cuckoo Filter: Practically Better Than Bloom", 2014) with 8- or 16-bit
// fingerprints ([CuckooOptions]) in buckets of four: each key has two
// candidate buckets, the second derived from the first and the fingerprint
// (partial-key cuckoo hashing), and insertion relocates resident
// fingerprints when both are full.
//
// A bucket is one machine word (uint32 of four 8-bit lanes, or uint64 of
// four 16-bit lanes); a lookup reads the two candidate words and compares
// all lanes at once with a SWAR zero-lane test, with no loop and no
// data-dependent branch.
//
// When a relocation chain of 500 moves fails, the fingerprint left over is
// kept in a one-entry stash and [Cuckoo.Add] returns nil; every later Add
// returns [ErrFull] without changing the filter until a Remove frees room.
// No key that Add accepted is ever dropped.
//
// The zero value is not usable; create one with [NewCuckoo] or
// [NewCuckooWith]. A Cuckoo is not safe for concurrent use: concurrent
// Contains calls are safe only with no concurrent Add, Remove, Union,
// Intersect or Reset.
type Cuckoo struct {
	b16      []uint64 // 16-bit layout: four fingerprints per word; 0 is empty
	b8       []uint32 // 8-bit layout: four fingerprints per word; 0 is empty
	nb       uint64   // bucket count
	count    uint64
	stashIdx uint64
	rng      uint64 // xorshift state for choosing victims; deterministic
	stash    uint16 // fingerprint that could not be placed, 0 if none
	fpBits   uint8
}

const (
	cuckooMaxKicks = 500
	cuckooLoad     = 0.95
	cuckooMaxCap   = 1 << 36
	cuckooSeed     = 0x2545f4914f6cdd1d
)

// NewCuckoo returns a cuckoo filter with 16-bit fingerprints sized for
// capacity keys; it is [NewCuckooWith] with the zero options.
func NewCuckoo(capacity uint64) (*Cuckoo, error) { return NewCuckooWith(capacity, CuckooOptions{}) }

// NewCuckooWith returns a cuckoo filter sized for capacity keys (1 <=
// capacity <= 2^36) at 95% load: capacity/0.95 slots, so FingerprintBits/0.95
// bits per key when full. Insertion typically first fails ([ErrFull]) at
// 96-98% load, a little above capacity. The bucket count need not be a
// power of two (so no space is lost to rounding): the alternate bucket is
// (H(fingerprint) - i) mod buckets, an involution for any count, and
// buckets are chosen by multiply-shift range reduction, not division.
func NewCuckooWith(capacity uint64, opts CuckooOptions) (*Cuckoo, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts.setDefaults()
	if capacity == 0 || capacity > cuckooMaxCap {
		return nil, fmt.Errorf("%w: cuckoo capacity %d not in [1, 2^36]", ErrConfig, capacity)
	}
	nb := max(uint64(math.Ceil(float64(capacity)/4/cuckooLoad)), 2)
	return newCuckoo(nb, uint8(opts.FingerprintBits)), nil
}

func newCuckoo(nb uint64, fpBits uint8) *Cuckoo {
	c := &Cuckoo{nb: nb, fpBits: fpBits, rng: cuckooSeed}
	if fpBits == 8 {
		c.b8 = make([]uint32, nb)
	} else {
		c.b16 = make([]uint64, nb)
	}
	return c
}

// Cap returns the number of fingerprint slots, four per bucket. Insertion
// typically starts failing above 95% of Cap.
func (c *Cuckoo) Cap() uint64 { return 4 * c.nb }

// FingerprintBits returns the fingerprint size, 8 or 16.
func (c *Cuckoo) FingerprintBits() int { return int(c.fpBits) }

// SizeBits returns the size of the bucket table in bits,
// Cap() * FingerprintBits().
func (c *Cuckoo) SizeBits() uint64 { return c.Cap() * uint64(c.fpBits) }

// Len returns the number of keys held (added and not removed).
func (c *Cuckoo) Len() uint64 { return c.count }

// ApproxCount returns [Cuckoo.Len]: a cuckoo filter counts exactly, except
// that adding a key twice counts twice.
func (c *Cuckoo) ApproxCount() uint64 { return c.count }

// SWAR lane constants: one in the low bit of each lane, and the high bit.
const (
	lanes16 = 0x0001000100010001
	highs16 = 0x8000800080008000
	lanes8  = 0x01010101
	highs8  = 0x80808080
)

// fingerprint derives a nonzero fingerprint of the filter's width from
// the top bits of h, uniformly over [1, 2^bits - 1].
func (c *Cuckoo) fingerprint(h uint64) uint16 {
	return uint16(reduce(h, uint64(1)<<c.fpBits-1)) + 1
}

// index1 is the first bucket of a key hash, from its low 48 bits (the
// fingerprint uses the top ones).
func (c *Cuckoo) index1(h uint64) uint64 { return reduce(h<<16, c.nb) }

// altIndex returns the other bucket of fingerprint fp stored in bucket i:
// (H(fp) - i) mod buckets, so that altIndex(altIndex(i)) == i. H is a
// Fibonacci hash of fp reduced to the bucket count.
func (c *Cuckoo) altIndex(i uint64, fp uint16) uint64 {
	h := reduce(uint64(fp)*0x9e3779b97f4a7c15, c.nb)
	j, borrow := bits.Sub64(h, i, 0)
	return j + c.nb&-borrow // branch-free: a compare here mispredicts half the time
}

// zeroLanes16 has the high bit of the lowest zero 16-bit lane of w set (and
// possibly others above it), and is zero if no lane is zero.
func zeroLanes16(w uint64) uint64 { return (w - lanes16) &^ w & highs16 }

func zeroLanes8(w uint32) uint32 { return (w - lanes8) &^ w & highs8 }

// ContainsHash is [Cuckoo.Contains] for a key given its [Hash].
func (c *Cuckoo) ContainsHash(h uint64) bool {
	fp := c.fingerprint(h)
	i1 := c.index1(h)
	i2 := c.altIndex(i1, fp)
	var hit bool
	if c.b8 != nil {
		m := uint32(fp) * lanes8
		hit = (zeroLanes8(c.b8[i1]^m) | zeroLanes8(c.b8[i2]^m)) != 0
	} else {
		m := uint64(fp) * lanes16
		hit = (zeroLanes16(c.b16[i1]^m) | zeroLanes16(c.b16[i2]^m)) != 0
	}
	// The stash test first: it is almost always false (predictable), so no
	// branch depends on the data-dependent hit.
	return (c.stash == fp && (c.stashIdx == i1 || c.stashIdx == i2)) || hit
}

// Contains reports whether key may be present.
func (c *Cuckoo) Contains(key []byte) bool { return c.ContainsHash(Hash(key)) }

// ContainsString is [Cuckoo.Contains] for a string.
func (c *Cuckoo) ContainsString(key string) bool { return c.ContainsHash(HashString(key)) }

// tryPut stores fp in the lowest empty slot of bucket i and reports success.
func (c *Cuckoo) tryPut(i uint64, fp uint16) bool {
	if c.b8 != nil {
		return tryPut8(c.b8, i, fp)
	}
	return tryPut16(c.b16, i, fp)
}

func tryPut8(b []uint32, i uint64, fp uint16) bool {
	w := b[i]
	z := zeroLanes8(w)
	b[i] = w | uint32(fp)<<(uint(bits.TrailingZeros32(z))&^7) // no-op if z == 0 (shift >= 32)
	return z != 0
}

func tryPut16(b []uint64, i uint64, fp uint16) bool {
	w := b[i]
	z := zeroLanes16(w)
	b[i] = w | uint64(fp)<<(uint(bits.TrailingZeros64(z))&^15) // no-op if z == 0 (shift >= 64)
	return z != 0
}

// swap puts fp in lane of bucket i and returns the fingerprint it evicted.
func (c *Cuckoo) swap(i uint64, lane uint, fp uint16) uint16 {
	if c.b8 != nil {
		s := lane * 8
		old := uint16(uint8(c.b8[i] >> s))
		c.b8[i] = c.b8[i]&^(0xff<<s) | uint32(fp)<<s
		return old
	}
	s := lane * 16
	old := uint16(c.b16[i] >> s)
	c.b16[i] = c.b16[i]&^(0xffff<<s) | uint64(fp)<<s
	return old
}

// removeFrom deletes one copy of fp from bucket i and reports success.
func (c *Cuckoo) removeFrom(i uint64, fp uint16) bool {
	if c.b8 != nil {
		w := c.b8[i]
		z := zeroLanes8(w ^ uint32(fp)*lanes8)
		if z == 0 {
			return false
		}
		c.b8[i] = w &^ (0xff << (uint(bits.TrailingZeros32(z)) &^ 7))
		return true
	}
	w := c.b16[i]
	z := zeroLanes16(w ^ uint64(fp)*lanes16)
	if z == 0 {
		return false
	}
	c.b16[i] = w &^ (0xffff << (uint(bits.TrailingZeros64(z)) &^ 15))
	return true
}

// lane returns the fingerprint in lane l of bucket i (0 if empty).
func (c *Cuckoo) lane(i uint64, l uint) uint16 {
	if c.b8 != nil {
		return uint16(uint8(c.b8[i] >> (8 * l)))
	}
	return uint16(c.b16[i] >> (16 * l))
}

// has reports whether bucket i holds fp.
func (c *Cuckoo) has(i uint64, fp uint16) bool {
	if c.b8 != nil {
		return zeroLanes8(c.b8[i]^uint32(fp)*lanes8) != 0
	}
	return zeroLanes16(c.b16[i]^uint64(fp)*lanes16) != 0
}

func (c *Cuckoo) random() uint64 {
	c.rng ^= c.rng << 13
	c.rng ^= c.rng >> 7
	c.rng ^= c.rng << 17
	return c.rng
}

// Add inserts key. It returns [ErrFull], and changes nothing, if the filter
// cannot take it. Adding a key twice stores two copies (and a later Remove
// deletes one).
func (c *Cuckoo) Add(key []byte) error { return c.AddHash(Hash(key)) }

// AddString is [Cuckoo.Add] for a string.
func (c *Cuckoo) AddString(key string) error { return c.AddHash(HashString(key)) }

// AddHash is [Cuckoo.Add] for a key given its [Hash].
func (c *Cuckoo) AddHash(h uint64) error {
	fp, i := c.fingerprint(h), c.index1(h)
	if c.stash == 0 { // fast path: room in the first bucket
		var ok bool
		if c.b8 != nil {
			ok = tryPut8(c.b8, i, fp)
		} else {
			ok = tryPut16(c.b16, i, fp)
		}
		if ok {
			c.count++
			return nil
		}
	}
	return c.insert(i, fp)
}

// insert stores fp in bucket i or its alternate, relocating if needed.
func (c *Cuckoo) insert(i uint64, fp uint16) error {
	if c.stash != 0 {
		return ErrFull
	}
	c.count++
	if c.tryPut(i, fp) {
		return nil
	}
	i2 := c.altIndex(i, fp)
	if c.tryPut(i2, fp) {
		return nil
	}
	if c.random()&1 == 1 {
		i = i2
	}
	c.place(i, fp)
	return nil
}

// place runs the relocation chain for fp, whose candidate bucket i is full,
// and stashes whatever fingerprint is left homeless.
func (c *Cuckoo) place(i uint64, fp uint16) {
	for range cuckooMaxKicks {
		fp = c.swap(i, uint(c.random()&3), fp)
		i = c.altIndex(i, fp)
		if c.tryPut(i, fp) {
			return
		}
	}
	c.stash, c.stashIdx = fp, i
}

// Remove deletes one copy of key and reports whether a matching fingerprint
// was found. Only remove keys that were added: removing a false positive
// deletes another key's fingerprint.
func (c *Cuckoo) Remove(key []byte) bool { return c.RemoveHash(Hash(key)) }

// RemoveString is [Cuckoo.Remove] for a string.
func (c *Cuckoo) RemoveString(key string) bool { return c.RemoveHash(HashString(key)) }

// RemoveHash is [Cuckoo.Remove] for a key given its [Hash].
func (c *Cuckoo) RemoveHash(h uint64) bool {
	fp := c.fingerprint(h)
	i1 := c.index1(h)
	i2 := c.altIndex(i1, fp)
	if c.stash == fp && (c.stashIdx == i1 || c.stashIdx == i2) {
		c.stash = 0
		c.count--
		return true
	}
	if c.removeFrom(i1, fp) || c.removeFrom(i2, fp) {
		c.count--
		c.unstash()
		return true
	}
	return false
}

// unstash tries to move the stashed fingerprint back into the table after
// a removal freed a slot.
func (c *Cuckoo) unstash() {
	if c.stash == 0 {
		return
	}
	fp, i := c.stash, c.stashIdx
	c.stash = 0
	if c.tryPut(i, fp) || c.tryPut(c.altIndex(i, fp), fp) {
		return
	}
	c.place(i, fp)
}

// Reset removes every key.
func (c *Cuckoo) Reset() {
	clear(c.b8)
	clear(c.b16)
	c.count, c.stash, c.stashIdx, c.rng = 0, 0, 0, cuckooSeed
}

// Clone returns an independent copy.
func (c *Cuckoo) Clone() *Cuckoo {
	t := *c
	t.b8 = append([]uint32(nil), c.b8...)
	t.b16 = append([]uint64(nil), c.b16...)
	return &t
}
