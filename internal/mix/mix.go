// Package mix holds the bit mixer shared by the hashing packages, so that
// each does not carry its own copy.
package mix

// Murmur64 is the 64-bit finalizer of MurmurHash3 (fmix64): a bijection
// that spreads every input bit over the output. bloom derives probe
// positions and fuse-filter seeds with it, hashring seeds and scores nodes;
// their stored encodings and placements depend on its exact values.
func Murmur64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}
