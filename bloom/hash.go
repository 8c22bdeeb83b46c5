package bloom

import (
	"math/bits"

	"github.com/cespare/xxhash/v2"
)

// Hash returns the 64-bit hash every filter in this package derives its
// positions from: xxhash64 of key with seed 0. Callers that test one key
// against many filters can hash once and use the *Hash methods.
func Hash(key []byte) uint64 { return xxhash.Sum64(key) }

// HashString is [Hash] for a string, without allocating.
func HashString(key string) uint64 { return xxhash.Sum64String(key) }

// reduce maps h uniformly onto [0, n) with a multiply-shift (Lemire's
// fastrange) instead of a division.
func reduce(h, n uint64) uint64 {
	hi, _ := bits.Mul64(h, n)
	return hi
}

// mix64 is the murmur3 64-bit finalizer; it spreads a seeded hash.
func mix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// delta returns the second hash of Kirsch-Mitzenmacher double hashing:
// the halves of h swapped, forced odd so successive probes never repeat a
// cycle early.
func delta(h uint64) uint64 { return bits.RotateLeft64(h, 32) | 1 }
