package bloom

import (
	"math/bits"

	"github.com/sysdesign-go/sysdesign/internal/xxh"
)

// Hash returns the 64-bit hash every filter in this package derives its
// positions from: xxhash64 of key with seed 0 (8-byte keys take a
// straight-line Go path with the same values; see internal/xxh). Callers
// that test one key against many filters can hash once and use the *Hash
// methods.
func Hash(key []byte) uint64 { return xxh.Sum64(key) }

// HashString is [Hash] for a string, without allocating.
func HashString(key string) uint64 { return xxh.Sum64String(key) }

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
