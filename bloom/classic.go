package bloom

import (
	"fmt"
	"math"
	"math/bits"
)

// Filter is a classic Bloom filter: m bits and k probes per key, the probes
// derived by double hashing from one 64-bit xxhash (Kirsch and Mitzenmacher,
// "Less Hashing, Same Performance", 2006).
//
// The zero value is not usable; create a Filter with [New] or [NewSized].
// A Filter is not safe for concurrent use: any number of goroutines may call
// the Contains methods at once, but Add, Union, Intersect, Reset and
// UnmarshalBinary need exclusive access.
type Filter struct {
	words []uint64
	m     uint64
	k     uint32
}

// New returns a Filter sized by [Optimal] for n items at false-positive rate
// fpr, which must lie in (0, 1). n == 0 is treated as 1.
func New(n uint64, fpr float64) (*Filter, error) {
	if err := checkRate(fpr); err != nil {
		return nil, err
	}
	m, k := Optimal(n, fpr)
	return NewSized(m, k)
}

// NewSized returns a Filter of m bits (m >= 1) with k probes per key
// (1 <= k <= 32).
func NewSized(m uint64, k uint32) (*Filter, error) {
	if m == 0 || m > 1<<40 {
		return nil, fmt.Errorf("%w: m = %d bits not in [1, 2^40]", ErrConfig, m)
	}
	if k == 0 || k > maxK {
		return nil, fmt.Errorf("%w: k = %d not in [1, %d]", ErrConfig, k, maxK)
	}
	return &Filter{words: make([]uint64, (m+63)/64), m: m, k: k}, nil
}

// M returns the number of bits.
func (f *Filter) M() uint64 { return f.m }

// K returns the number of probes per key.
func (f *Filter) K() uint32 { return f.k }

// Add inserts key. It costs k memory accesses and never fails.
func (f *Filter) Add(key []byte) { f.AddHash(Hash(key)) }

// AddString inserts key without converting it to bytes.
func (f *Filter) AddString(key string) { f.AddHash(HashString(key)) }

// AddHash inserts a key given its [Hash].
func (f *Filter) AddHash(h uint64) {
	d := delta(h)
	words, m := f.words, f.m // locals: the loop reloads nothing from f
	for range f.k {
		i := reduce(h, m)
		words[i>>6] |= 1 << (i & 63)
		h += d
	}
}

// Contains reports whether key may have been added. False means definitely
// not added; true is wrong with probability about the configured rate.
func (f *Filter) Contains(key []byte) bool { return f.ContainsHash(Hash(key)) }

// ContainsString is [Filter.Contains] for a string.
func (f *Filter) ContainsString(key string) bool { return f.ContainsHash(HashString(key)) }

// ContainsHash is [Filter.Contains] for a key given its [Hash].
//
// It tests the first two probes together and returns early if either bit
// is clear (three quarters of absent keys at 1% FPR), then tests the other
// k-2 probes without branching, so their loads overlap and no per-probe
// branch can be mispredicted. Probes are mapped with a multiply-shift
// instead of a division, and the filter's fields stay in registers.
func (f *Filter) ContainsHash(h uint64) bool {
	d := delta(h)
	words, m := f.words, f.m
	i := reduce(h, m)
	if f.k == 1 {
		return words[i>>6]>>(i&63)&1 != 0
	}
	j := reduce(h+d, m)
	if words[i>>6]>>(i&63)&(words[j>>6]>>(j&63))&1 == 0 {
		return false
	}
	h += 2 * d
	ok := uint64(1)
	for range f.k - 2 {
		i := reduce(h, m)
		ok &= words[i>>6] >> (i & 63)
		h += d
	}
	return ok&1 != 0
}

// popcount returns the number of set bits.
func popcount(ws []uint64) uint64 {
	var n int
	for _, w := range ws {
		n += bits.OnesCount64(w)
	}
	return uint64(n)
}

// estimateCount is the Swamidass-Baldi estimate of the number of distinct
// items in a filter of m bits, k probes and x set bits:
// -m/k ln(1 - x/m), rounded.
func estimateCount(m uint64, k uint32, x uint64) uint64 {
	if x >= m {
		x = m - 1 // saturated: report the largest finite estimate
	}
	return uint64(math.Round(-float64(m) / float64(k) * math.Log1p(-float64(x)/float64(m))))
}

// ApproxCount estimates the number of distinct keys added from the fraction
// of set bits (Swamidass and Baldi 2007). It costs O(m/64) and is typically
// within a few percent while the filter is below its design capacity.
func (f *Filter) ApproxCount() uint64 { return estimateCount(f.m, f.k, popcount(f.words)) }

// FillRatio returns the fraction of bits set, in [0, 1].
func (f *Filter) FillRatio() float64 { return float64(popcount(f.words)) / float64(f.m) }

// EstimatedFPR returns the false-positive rate implied by the current fill,
// FillRatio^k.
func (f *Filter) EstimatedFPR() float64 { return math.Pow(f.FillRatio(), float64(f.k)) }

// Reset clears every bit.
func (f *Filter) Reset() { clear(f.words) }

// Clone returns an independent copy.
func (f *Filter) Clone() *Filter {
	c := *f
	c.words = append([]uint64(nil), f.words...)
	return &c
}

func (f *Filter) compatible(o *Filter) error {
	if f.m != o.m || f.k != o.k {
		return fmt.Errorf("%w: m=%d k=%d vs m=%d k=%d", ErrIncompatible, f.m, f.k, o.m, o.k)
	}
	return nil
}

// Union sets f to the union of f and o, which must have the same M and K.
// The result answers true for every key added to either.
func (f *Filter) Union(o *Filter) error {
	if err := f.compatible(o); err != nil {
		return err
	}
	for i, w := range o.words {
		f.words[i] |= w
	}
	return nil
}

// Intersect sets f to the bitwise intersection of f and o, which must have
// the same M and K. Every key added to both still answers true; the
// false-positive rate can be higher than a filter built from the
// intersection alone.
func (f *Filter) Intersect(o *Filter) error {
	if err := f.compatible(o); err != nil {
		return err
	}
	for i, w := range o.words {
		f.words[i] &= w
	}
	return nil
}

// AppendBinary appends the encoding of f to dst (see the package
// documentation for the format). It implements [encoding.BinaryAppender].
func (f *Filter) AppendBinary(dst []byte) ([]byte, error) {
	start := len(dst)
	dst = appendHeader(dst, kindClassic)
	dst = appendU64(dst, f.m)
	dst = appendU32(dst, f.k)
	dst = appendU32(dst, 0)
	dst = appendWords(dst, f.words)
	return appendSum(dst, start), nil
}

// MarshalBinary returns the encoding of f. It implements
// [encoding.BinaryMarshaler].
func (f *Filter) MarshalBinary() ([]byte, error) {
	return f.AppendBinary(make([]byte, 0, headerLen+16+8*len(f.words)+sumLen))
}

// UnmarshalBinary replaces f with the filter encoded in data, which it
// copies. Truncated, corrupted or foreign input returns an error wrapping
// [ErrCorrupt], [ErrVersion] or [ErrWrongKind] and leaves f unchanged.
func (f *Filter) UnmarshalBinary(data []byte) error {
	body, err := open(data, kindClassic)
	if err != nil {
		return err
	}
	words, m, k, err := decodeSlots(body, "classic", "bits", 64, 1)
	if err != nil {
		return err
	}
	*f = Filter{words: words, m: m, k: k}
	return nil
}
