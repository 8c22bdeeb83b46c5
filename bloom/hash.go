package bloom

import (
	"math/bits"

	"github.com/cespare/xxhash/v2"
)

// Hash returns the 64-bit hash every filter in this package derives its
// positions from: xxhash64 of key with seed 0. Callers that test one key
// against many filters can hash once and use the *Hash methods.
//
// It calls xxhash's assembly for every length. A Go version of XXH64's
// short-key steps, which this package used before for keys under 32 bytes,
// was no faster for 8-byte keys inside Contains and Add (5 alternated runs
// of BenchmarkBloom_Contains and _Add) and 1-2.5 ns slower for 3- to
// 31-byte keys, because Hash is then too large to inline and costs a call
// of its own.
func Hash(key []byte) uint64 { return xxhash.Sum64(key) }

// HashString is [Hash] for a string, without allocating.
func HashString(key string) uint64 { return xxhash.Sum64String(key) }

// reduce maps h uniformly onto [0, n) with a multiply-shift (Lemire's
// fastrange) instead of a division.
func reduce(h, n uint64) uint64 {
	hi, _ := bits.Mul64(h, n)
	return hi
}

// delta returns the second hash of Kirsch-Mitzenmacher double hashing:
// the halves of h swapped, forced odd so successive probes never repeat a
// cycle early.
func delta(h uint64) uint64 { return bits.RotateLeft64(h, 32) | 1 }
