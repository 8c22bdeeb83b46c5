// Package mix holds the bit mixers shared by the hashing packages, so that
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

// SplitMix64 is the output function of the splitmix64 generator (Steele,
// Lea and Flood 2014; the constants of Vigna's variant): a bijection with
// good avalanche. merkle mixes entry hashes with it (its summaries, which
// peers compare, depend on the exact values), snowflake derives its random
// starting sequence, and skiplist draws tower heights.
func SplitMix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
