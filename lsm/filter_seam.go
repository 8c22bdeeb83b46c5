package lsm

import "github.com/sysdesign-go/sysdesign/lsm/internal/sstable"

// newFilterPolicy is the seam between tables and the Bloom filter.
//
// INTERIM: sstable.BlockedBloom is a local blocked Bloom filter; the
// project's bloom package was not yet committed when this was written.
func newFilterPolicy(bitsPerKey int) sstable.FilterPolicy {
	return sstable.BlockedBloom{BitsPerKey: bitsPerKey}
}
