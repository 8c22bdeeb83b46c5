package bloom

import (
	"fmt"
	"math"
)

// Counting is a counting Bloom filter (Fan, Cao, Almeida and Broder,
// "Summary Cache", 2000): each of the m positions holds a 4-bit counter
// instead of a bit, so keys can be removed. It takes four times the space of
// a [Filter] with the same m and k.
//
// A counter that reaches 15 sticks there: it is never decremented again, so
// a removal can never cause a false negative for another key (at the cost of
// that position staying set).
//
// The zero value is not usable; create a Counting with [NewCounting]. A
// Counting is not safe for concurrent use: concurrent Contains calls are
// safe only with no concurrent Add or Remove.
type Counting struct {
	words []uint64 // 16 counters per word
	m     uint64
	k     uint32
}

const counterMax = 15

// NewCounting returns a counting filter sized by [Optimal] for n items at
// false-positive rate fpr in (0, 1).
func NewCounting(n uint64, fpr float64) (*Counting, error) {
	if err := checkRate(fpr); err != nil {
		return nil, err
	}
	m, k := Optimal(n, fpr)
	if m > 1<<38 {
		return nil, fmt.Errorf("%w: %d counters is too many", ErrConfig, m)
	}
	return &Counting{words: make([]uint64, (m+15)/16), m: m, k: k}, nil
}

// M returns the number of counters.
func (c *Counting) M() uint64 { return c.m }

// K returns the number of probes per key.
func (c *Counting) K() uint32 { return c.k }

func (c *Counting) get(i uint64) uint64 { return c.words[i>>4] >> ((i & 15) * 4) & 15 }

// Add inserts key, incrementing its k counters (saturating at 15).
func (c *Counting) Add(key []byte) { c.AddHash(Hash(key)) }

// AddString inserts key without converting it to bytes.
func (c *Counting) AddString(key string) { c.AddHash(HashString(key)) }

// AddHash inserts a key given its [Hash].
func (c *Counting) AddHash(h uint64) {
	d := delta(h)
	for range c.k {
		i := reduce(h, c.m)
		if c.get(i) < counterMax {
			c.words[i>>4] += 1 << ((i & 15) * 4)
		}
		h += d
	}
}

// Remove deletes one occurrence of key and reports whether it may have been
// present. If any of its counters is zero the key was never added; Remove
// then changes nothing and returns false. Removing a key that was not added
// but tests positive (a false positive) corrupts the filter as in every
// counting Bloom filter: only remove keys you added.
func (c *Counting) Remove(key []byte) bool { return c.RemoveHash(Hash(key)) }

// RemoveString is [Counting.Remove] for a string.
func (c *Counting) RemoveString(key string) bool { return c.RemoveHash(HashString(key)) }

// RemoveHash is [Counting.Remove] for a key given its [Hash].
func (c *Counting) RemoveHash(h uint64) bool {
	if !c.ContainsHash(h) {
		return false
	}
	d := delta(h)
	for range c.k {
		i := reduce(h, c.m)
		if v := c.get(i); v > 0 && v < counterMax {
			c.words[i>>4] -= 1 << ((i & 15) * 4)
		}
		h += d
	}
	return true
}

// Contains reports whether key may be present.
func (c *Counting) Contains(key []byte) bool { return c.ContainsHash(Hash(key)) }

// ContainsString is [Counting.Contains] for a string.
func (c *Counting) ContainsString(key string) bool { return c.ContainsHash(HashString(key)) }

// ContainsHash is [Counting.Contains] for a key given its [Hash].
func (c *Counting) ContainsHash(h uint64) bool {
	d := delta(h)
	for range c.k {
		if c.get(reduce(h, c.m)) == 0 {
			return false
		}
		h += d
	}
	return true
}

// ApproxCount estimates the number of keys present (added and not removed)
// as the sum of the counters divided by k. Saturated counters make it an
// underestimate.
func (c *Counting) ApproxCount() uint64 {
	var sum uint64
	for _, w := range c.words {
		for ; w != 0; w >>= 4 {
			sum += w & 15
		}
	}
	return uint64(math.Round(float64(sum) / float64(c.k)))
}

func (c *Counting) compatible(o *Counting) error {
	if c.m != o.m || c.k != o.k {
		return fmt.Errorf("%w: m=%d k=%d vs m=%d k=%d", ErrIncompatible, c.m, c.k, o.m, o.k)
	}
	return nil
}

// Union adds the counters of o to c (saturating at 15); o must have the same
// M and K. Keys in either are then present, and removable once each.
func (c *Counting) Union(o *Counting) error {
	if err := c.compatible(o); err != nil {
		return err
	}
	for i := range c.m {
		s := min(c.get(i)+o.get(i), counterMax)
		sh := (i & 15) * 4
		c.words[i>>4] = c.words[i>>4]&^(15<<sh) | s<<sh
	}
	return nil
}

// Intersect sets every counter of c to the minimum of it and the matching
// counter of o, which must have the same M and K. Keys present in both stay
// present.
func (c *Counting) Intersect(o *Counting) error {
	if err := c.compatible(o); err != nil {
		return err
	}
	for i := range c.m {
		s := min(c.get(i), o.get(i))
		sh := (i & 15) * 4
		c.words[i>>4] = c.words[i>>4]&^(15<<sh) | s<<sh
	}
	return nil
}

// AppendBinary appends the encoding of c to dst. It implements
// [encoding.BinaryAppender].
func (c *Counting) AppendBinary(dst []byte) ([]byte, error) {
	start := len(dst)
	dst = appendHeader(dst, kindCounting)
	dst = appendU64(dst, c.m)
	dst = appendU32(dst, c.k)
	dst = appendU32(dst, 0)
	dst = appendWords(dst, c.words)
	return appendSum(dst, start), nil
}

// MarshalBinary returns the encoding of c. It implements
// [encoding.BinaryMarshaler].
func (c *Counting) MarshalBinary() ([]byte, error) { return c.AppendBinary(nil) }

// UnmarshalBinary replaces c with the filter encoded in data, which it
// copies. Bad input returns an error and leaves c unchanged.
func (c *Counting) UnmarshalBinary(data []byte) error {
	body, err := open(data, kindCounting)
	if err != nil {
		return err
	}
	words, m, k, err := decodeSlots(body, "counting", "counters", 16, 4)
	if err != nil {
		return err
	}
	*c = Counting{words: words, m: m, k: k}
	return nil
}
