package geohash

import (
	"fmt"
	"slices"
)

// Cell is a geohash cell: the integer geohash Hash (right-aligned) at
// precision Bits (0..64; 0 is the whole world).
type Cell struct {
	Hash uint64
	Bits uint
}

// Box returns the cell's bounding box.
func (c Cell) Box() Box { return DecodeInt(c.Hash, c.Bits) }

// String returns the base32 geohash when Bits is a multiple of 5 (at most
// 60), otherwise "hash/bits" in hexadecimal.
func (c Cell) String() string {
	if c.Bits%5 == 0 && c.Bits <= 60 {
		return FormatInt(c.Hash, int(c.Bits/5))
	}
	return fmt.Sprintf("%x/%d", c.Hash, c.Bits)
}

// Contains reports whether the integer geohash h (of any precision >=
// c.Bits) lies in the cell.
func (c Cell) Contains(h uint64, bits uint) bool {
	if bits < c.Bits {
		return false
	}
	return h>>(bits-c.Bits) == c.Hash
}

// Range returns the 64-bit integer geohashes inside the cell, left-aligned:
// every point p of the cell has c.Range().Min <= EncodeInt(p, 64) <=
// c.Range().Max. This is the prefix range scan a sorted store answers.
func (c Cell) Range() Range { return c.rangeAt(64) }

// rangeAt is Range for integer hashes of total precision width bits.
func (c Cell) rangeAt(width uint) Range {
	if c.Bits == 0 {
		if width == 64 {
			return Range{0, ^uint64(0)}
		}
		return Range{0, 1<<width - 1}
	}
	shift := width - c.Bits
	lo := c.Hash << shift
	return Range{Min: lo, Max: lo | (1<<shift - 1)}
}

// Range is an inclusive interval [Min, Max] of integer geohashes (or Redis
// scores).
type Range struct {
	Min, Max uint64
}

// Contains reports whether Min <= h <= Max.
func (r Range) Contains(h uint64) bool { return r.Min <= h && h <= r.Max }

// Ranges returns the 64-bit ranges of cells, sorted and with adjacent or
// overlapping ranges merged: the scans a sorted index needs.
func Ranges(cells []Cell) []Range {
	return AppendRanges(nil, cells)
}

// AppendRanges is [Ranges] appending to dst; it sorts the appended part.
func AppendRanges(dst []Range, cells []Cell) []Range {
	start := len(dst)
	for _, c := range cells {
		dst = append(dst, c.Range())
	}
	return mergeRanges(dst, start)
}

func mergeRanges(dst []Range, start int) []Range {
	rs := dst[start:]
	slices.SortFunc(rs, func(a, b Range) int {
		switch {
		case a.Min < b.Min:
			return -1
		case a.Min > b.Min:
			return 1
		}
		return 0
	})
	out := dst[:start]
	for _, r := range rs {
		if n := len(out); n > start && (out[n-1].Max == ^uint64(0) || r.Min <= out[n-1].Max+1) {
			out[n-1].Max = max(out[n-1].Max, r.Max)
			continue
		}
		out = append(out, r)
	}
	return out
}
