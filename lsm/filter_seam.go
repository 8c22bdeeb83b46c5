package lsm

import "github.com/sysdesign-go/sysdesign/lsm/internal/sstable"

// newFilterPolicy is the seam between tables and the Bloom filter: tables
// store a blocked Bloom filter from the project's bloom package (see
// sstable.BloomPolicy).
func newFilterPolicy(bitsPerKey int) sstable.FilterPolicy {
	return sstable.BloomPolicy{BitsPerKey: bitsPerKey}
}
