package bloom

import (
	"fmt"
	"math"
)

// Cuckoo is a cuckoo filter (Fan, Andersen, Kaminsky and Mitzenmacher,
// "Cuckoo Filter: Practically Better Than Bloom", 2014) with 16-bit
// fingerprints in buckets of four: each key has two candidate buckets, the
// second derived from the first and the fingerprint (partial-key cuckoo
// hashing), and insertion relocates resident fingerprints when both are
// full.
//
// FPR is at most 8/65535 ≈ 0.012% at 16/0.95 ≈ 16.8 bits per key when
// full (a Bloom filter needs 19.2 bits for the same rate), lookups read two
// 8-byte buckets, and keys can be removed.
//
// When a relocation chain of 500 moves fails, the fingerprint left over is
// kept in a one-entry stash and [Cuckoo.Add] returns nil; every later Add
// returns [ErrFull] without changing the filter until a Remove frees room.
// No key that Add accepted is ever dropped.
//
// The zero value is not usable; create one with [NewCuckoo]. A Cuckoo is
// not safe for concurrent use: concurrent Contains calls are safe only with
// no concurrent Add or Remove.
type Cuckoo struct {
	buckets   []uint64 // four 16-bit fingerprints each; 0 is an empty slot
	count     uint64
	stash     uint16 // fingerprint that could not be placed, 0 if none
	stashIdx  uint64
	rng       uint64 // xorshift state for choosing victims; deterministic
	maxKicks  int
	bucketLen uint64
}

const (
	cuckooMaxKicks = 500
	cuckooLoad     = 0.95
)

// NewCuckoo returns a cuckoo filter sized for capacity keys (1 <= capacity
// <= 2^36) at 95% load: capacity/0.95 slots, 16.8 bits per key when full.
// Insertion typically first fails ([ErrFull]) at 96-98% load, a little
// above capacity. The bucket count need not be a power of two: the alternate bucket
// is (H(fingerprint) - i) mod buckets, an involution for any count.
func NewCuckoo(capacity uint64) (*Cuckoo, error) {
	if capacity == 0 || capacity > 1<<36 {
		return nil, fmt.Errorf("%w: cuckoo capacity %d not in [1, 2^36]", ErrConfig, capacity)
	}
	nb := max(uint64(math.Ceil(float64(capacity)/4/cuckooLoad)), 2)
	return newCuckoo(nb), nil
}

func newCuckoo(nb uint64) *Cuckoo {
	return &Cuckoo{buckets: make([]uint64, nb), rng: 0x2545f4914f6cdd1d, maxKicks: cuckooMaxKicks, bucketLen: nb}
}

// Cap returns the number of fingerprint slots, four per bucket. Insertion
// typically starts failing above 95% of Cap.
func (c *Cuckoo) Cap() uint64 { return 4 * c.bucketLen }

// Len returns the number of keys held (added and not removed).
func (c *Cuckoo) Len() uint64 { return c.count }

// ApproxCount returns [Cuckoo.Len]: a cuckoo filter counts exactly, except
// that adding a key twice counts twice.
func (c *Cuckoo) ApproxCount() uint64 { return c.count }

func fingerprint16(h uint64) uint16 {
	fp := uint16(h >> 48)
	if fp == 0 {
		fp = 1
	}
	return fp
}

// altIndex returns the other bucket of fingerprint fp stored in bucket i:
// (H(fp) - i) mod buckets, so that altIndex(altIndex(i)) == i.
func (c *Cuckoo) altIndex(i uint64, fp uint16) uint64 {
	h := reduce(mix64(uint64(fp)), c.bucketLen)
	if h >= i {
		return h - i
	}
	return h + c.bucketLen - i
}

// slots returns the two buckets and the fingerprint of a key hash: the
// fingerprint from the top 16 bits, the first bucket from the other 48.
func (c *Cuckoo) slots(h uint64) (i1, i2 uint64, fp uint16) {
	fp = fingerprint16(h)
	i1 = reduce(h<<16, c.bucketLen)
	return i1, c.altIndex(i1, fp), fp
}

const (
	lanes16 = 0x0001000100010001
	highs16 = 0x8000800080008000
)

// hasFP reports whether bucket word w holds fp in one of its four lanes.
func hasFP(w uint64, fp uint16) bool {
	x := w ^ (uint64(fp) * lanes16)
	return (x-lanes16)&^x&highs16 != 0
}

// tryPut stores fp in an empty slot of bucket i and reports success.
func (c *Cuckoo) tryPut(i uint64, fp uint16) bool {
	w := c.buckets[i]
	for s := uint(0); s < 64; s += 16 {
		if (w>>s)&0xffff == 0 {
			c.buckets[i] = w | uint64(fp)<<s
			return true
		}
	}
	return false
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
	if c.stash != 0 {
		return ErrFull
	}
	i1, i2, fp := c.slots(h)
	c.count++
	if c.tryPut(i1, fp) || c.tryPut(i2, fp) {
		return nil
	}
	i := i1
	if c.random()&1 == 1 {
		i = i2
	}
	c.place(i, fp)
	return nil
}

// place runs the relocation chain for fp, whose candidate bucket i is full,
// and stashes whatever fingerprint is left homeless.
func (c *Cuckoo) place(i uint64, fp uint16) {
	for range c.maxKicks {
		s := (c.random() & 3) * 16
		old := uint16(c.buckets[i] >> s)
		c.buckets[i] = c.buckets[i]&^(0xffff<<s) | uint64(fp)<<s
		fp = old
		i = c.altIndex(i, fp)
		if c.tryPut(i, fp) {
			return
		}
	}
	c.stash, c.stashIdx = fp, i
}

// Contains reports whether key may be present.
func (c *Cuckoo) Contains(key []byte) bool { return c.ContainsHash(Hash(key)) }

// ContainsString is [Cuckoo.Contains] for a string.
func (c *Cuckoo) ContainsString(key string) bool { return c.ContainsHash(HashString(key)) }

// ContainsHash is [Cuckoo.Contains] for a key given its [Hash].
func (c *Cuckoo) ContainsHash(h uint64) bool {
	i1, i2, fp := c.slots(h)
	if hasFP(c.buckets[i1], fp) || hasFP(c.buckets[i2], fp) {
		return true
	}
	return c.stash == fp && (c.stashIdx == i1 || c.stashIdx == i2)
}

// Remove deletes one copy of key and reports whether a matching fingerprint
// was found. Only remove keys that were added: removing a false positive
// deletes another key's fingerprint.
func (c *Cuckoo) Remove(key []byte) bool { return c.RemoveHash(Hash(key)) }

// RemoveString is [Cuckoo.Remove] for a string.
func (c *Cuckoo) RemoveString(key string) bool { return c.RemoveHash(HashString(key)) }

// RemoveHash is [Cuckoo.Remove] for a key given its [Hash].
func (c *Cuckoo) RemoveHash(h uint64) bool {
	i1, i2, fp := c.slots(h)
	if c.stash == fp && (c.stashIdx == i1 || c.stashIdx == i2) {
		c.stash = 0
		c.count--
		return true
	}
	for _, i := range [2]uint64{i1, i2} {
		w := c.buckets[i]
		for s := uint(0); s < 64; s += 16 {
			if uint16(w>>s) == fp {
				c.buckets[i] = w &^ (0xffff << s)
				c.count--
				c.unstash()
				return true
			}
		}
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
	clear(c.buckets)
	c.count, c.stash, c.stashIdx = 0, 0, 0
}

// AppendBinary appends the encoding of c to dst. It implements
// [encoding.BinaryAppender].
func (c *Cuckoo) AppendBinary(dst []byte) ([]byte, error) {
	start := len(dst)
	dst = appendHeader(dst, kindCuckoo)
	dst = appendU64(dst, c.bucketLen)
	dst = appendU64(dst, c.count)
	dst = appendU64(dst, c.stashIdx)
	dst = appendU64(dst, c.rng)
	dst = appendU32(dst, uint32(c.stash))
	dst = appendU32(dst, 0)
	dst = appendWords(dst, c.buckets)
	return appendSum(dst, start), nil
}

// MarshalBinary returns the encoding of c. It implements
// [encoding.BinaryMarshaler].
func (c *Cuckoo) MarshalBinary() ([]byte, error) { return c.AppendBinary(nil) }

// UnmarshalBinary replaces c with the filter encoded in data, which it
// copies. Bad input returns an error and leaves c unchanged.
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
	pad := r.u32("padding")
	if r.err != nil {
		return r.err
	}
	if nb < 2 || nb > uint64(len(r.b))/8 || stash > 0xffff || pad != 0 || rng == 0 || stashIdx >= nb {
		return corrupt("cuckoo filter parameters")
	}
	ws := r.bytes(nb*8, "buckets")
	if err := r.done(); err != nil {
		return err
	}
	t := newCuckoo(nb)
	t.buckets = decodeWords(ws)
	var held uint64
	for _, w := range t.buckets {
		for s := uint(0); s < 64; s += 16 {
			if uint16(w>>s) != 0 {
				held++
			}
		}
	}
	if stash != 0 {
		held++
	}
	if held != count {
		return corrupt("count %d but %d fingerprints stored", count, held)
	}
	t.count, t.stash, t.stashIdx, t.rng = count, uint16(stash), stashIdx, rng
	*c = *t
	return nil
}
