package sstable

import (
	"math"

	"github.com/sysdesign-go/sysdesign/bloom"
)

// FilterPolicy is the seam between tables and the membership filter stored
// in each one. Build gets the 64-bit xxhash of every distinct user key of
// the table and returns the filter bytes; Open parses them once when the
// table is opened (an error makes the table corrupt).
type FilterPolicy interface {
	Build(hashes []uint64) []byte
	Open(filter []byte) (Filter, error)
}

// Filter answers membership queries for one table. MayContain must report
// true for every hash given to Build. It is safe for concurrent use.
type Filter interface {
	MayContain(hash uint64) bool
}

// BloomPolicy stores a blocked Bloom filter from the bloom package
// (Putze, Sanders, Singler 2007), BitsPerKey bits per key in one 64-byte
// block per key. The filter splits its probes over the block's eight
// words, so k is the classic 0.69 * BitsPerKey rounded to a multiple of 8:
// 8 (one probe per word, the fastest lookup) up to about 17 bits per key,
// which keeps every word in use. Filters written by older versions keep
// the probe layout recorded in their encoding and read as before.
type BloomPolicy struct{ BitsPerKey int }

// Build implements FilterPolicy.
func (p BloomPolicy) Build(hashes []uint64) []byte {
	bpk := max(p.BitsPerKey, 1)
	k := 8 * min(max(int(math.Round(float64(bpk)*0.69/8)), 1), 4)
	nblocks := max((len(hashes)*bpk+511)/512, 1)
	f, err := bloom.NewBlockedSized(uint64(nblocks), uint32(k))
	if err != nil {
		return nil // cannot happen for these sizes; no filter means "maybe"
	}
	for _, h := range hashes {
		f.AddHash(h)
	}
	b, err := f.MarshalBinary()
	if err != nil {
		return nil
	}
	return b
}

// Open implements FilterPolicy; the filter reads the block bytes in place.
func (p BloomPolicy) Open(b []byte) (Filter, error) {
	f, err := bloom.ViewBlocked(b)
	if err != nil {
		return nil, err
	}
	return blockedFilter{f}, nil
}

type blockedFilter struct{ f *bloom.Blocked }

func (b blockedFilter) MayContain(h uint64) bool { return b.f.ContainsHash(h) }
