package sstable

import "math"

// FilterPolicy is the seam between tables and the membership filter stored
// in each one. Build gets the 64-bit xxhash of every user key of the table
// (duplicates possible) and returns the filter bytes; MayContain must report
// true for every hash given to Build, and must not panic on any filter bytes
// (a corrupt filter may only cost extra reads: the data blocks are checked).
type FilterPolicy interface {
	Build(hashes []uint64) []byte
	MayContain(filter []byte, hash uint64) bool
}

// BlockedBloom is the interim FilterPolicy: a cache-line blocked Bloom filter
// (Putze, Sanders, Singler 2007, https://doi.org/10.1145/1498698.1594230)
// with BitsPerKey bits per key. Each key touches one 512-bit block.
//
// INTERIM: the project's bloom package provides the same structure; this
// local copy keeps lsm buildable until it is wired in.
type BlockedBloom struct{ BitsPerKey int }

const bloomBlockBits = 512

// Build implements FilterPolicy. Layout: blocks of 64 bytes, then k (1 byte).
func (p BlockedBloom) Build(hashes []uint64) []byte {
	bpk := max(p.BitsPerKey, 1)
	k := int(math.Round(float64(bpk) * 0.69))
	k = min(max(k, 1), 16)
	nblocks := (len(hashes)*bpk + bloomBlockBits - 1) / bloomBlockBits
	nblocks = max(nblocks, 1)
	f := make([]byte, nblocks*64+1)
	for _, h := range hashes {
		blk := f[int(blockIndex(h, nblocks))*64:]
		h1, h2 := uint32(h), uint32(h>>32)|1
		for i := 0; i < k; i++ {
			bit := (h1 + uint32(i)*h2) & (bloomBlockBits - 1)
			blk[bit>>3] |= 1 << (bit & 7)
		}
	}
	f[len(f)-1] = byte(k)
	return f
}

func blockIndex(h uint64, n int) uint64 {
	// Lemire's fast range on the high bits mixed with the low ones.
	x := (h >> 32) ^ (h * 0x9E3779B97F4A7C15 >> 32)
	return (x & 0xffffffff) * uint64(n) >> 32
}

// MayContain implements FilterPolicy.
func (p BlockedBloom) MayContain(f []byte, h uint64) bool {
	if len(f) < 65 || (len(f)-1)%64 != 0 {
		return true // unknown or empty filter: fall back to reading
	}
	k := int(f[len(f)-1])
	nblocks := (len(f) - 1) / 64
	blk := f[int(blockIndex(h, nblocks))*64:]
	h1, h2 := uint32(h), uint32(h>>32)|1
	for i := 0; i < k; i++ {
		bit := (h1 + uint32(i)*h2) & (bloomBlockBits - 1)
		if blk[bit>>3]&(1<<(bit&7)) == 0 {
			return false
		}
	}
	return true
}
