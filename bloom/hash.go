package bloom

import (
	"math/bits"

	"github.com/cespare/xxhash/v2"
)

// Hash returns the 64-bit hash every filter in this package derives its
// positions from: xxhash64 of key with seed 0. Callers that test one key
// against many filters can hash once and use the *Hash methods.
//
// Keys shorter than 32 bytes are hashed by a Go implementation of the same
// function that the compiler calls with registers (the assembly routine
// behind [xxhash.Sum64] pays a call-convention wrapper that dominates for
// short keys); longer keys use [xxhash.Sum64]. 8-byte keys (integer IDs,
// the most common short key) take a straight-line path with no loop and
// no call, measured to cost a third less than the general short path. All
// give identical values.
func Hash(key []byte) uint64 {
	if len(key) == 8 {
		return xxh64Word(le64s(key))
	}
	if len(key) < 32 {
		return xxh64Short(key)
	}
	return xxhash.Sum64(key)
}

// HashString is [Hash] for a string, without allocating.
func HashString(key string) uint64 {
	if len(key) == 8 {
		return xxh64Word(le64s(key))
	}
	if len(key) < 32 {
		return xxh64Short(key)
	}
	return xxhash.Sum64String(key)
}

// xxHash64 primes (https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md).
const (
	xxPrime1 uint64 = 0x9e3779b185ebca87
	xxPrime2 uint64 = 0xc2b2ae3d27d4eb4f
	xxPrime3 uint64 = 0x165667b19e3779f9
	xxPrime4 uint64 = 0x85ebca77c2b2ae63
	xxPrime5 uint64 = 0x27d4eb2f165667c5
)

// xxh64Short is XXH64 with seed 0 for inputs shorter than 32 bytes: no
// stripes, then the 8-, 4- and 1-byte tail steps and the avalanche.
func xxh64Short[T string | []byte](b T) uint64 {
	h := xxPrime5 + uint64(len(b))
	for ; len(b) >= 8; b = b[8:] {
		k := le64s(b) * xxPrime2
		k = bits.RotateLeft64(k, 31) * xxPrime1
		h ^= k
		h = bits.RotateLeft64(h, 27)*xxPrime1 + xxPrime4
	}
	if len(b) >= 4 {
		h ^= uint64(le32s(b)) * xxPrime1
		h = bits.RotateLeft64(h, 23)*xxPrime2 + xxPrime3
		b = b[4:]
	}
	for ; len(b) > 0; b = b[1:] {
		h ^= uint64(b[0]) * xxPrime5
		h = bits.RotateLeft64(h, 11) * xxPrime1
	}
	return xxhAvalanche(h)
}

// xxh64Word is XXH64 with seed 0 of the 8 little-endian bytes of v: one
// 8-byte tail step and the avalanche.
func xxh64Word(v uint64) uint64 {
	k := bits.RotateLeft64(v*xxPrime2, 31) * xxPrime1
	h := bits.RotateLeft64((xxPrime5+8)^k, 27)*xxPrime1 + xxPrime4
	return xxhAvalanche(h)
}

// xxhAvalanche is XXH64's final mix.
func xxhAvalanche(h uint64) uint64 {
	h ^= h >> 33
	h *= xxPrime2
	h ^= h >> 29
	h *= xxPrime3
	h ^= h >> 32
	return h
}

// le64s and le32s read little-endian words; the compiler merges the byte
// loads into one load.
func le64s[T string | []byte](b T) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

func le32s[T string | []byte](b T) uint32 {
	_ = b[3]
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

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
