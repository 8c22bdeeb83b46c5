package geohash

import (
	"fmt"

	"github.com/golang/geo/s1"
	"github.com/golang/geo/s2"
)

// S2Cell returns the S2 cell id of (lat, lon) at level 0..30 (level 30
// leaf cells are about 1 cm across; level 13 about 1 km). Levels outside
// the range are clamped; coordinates are used as given (see [CheckPoint]).
func S2Cell(lat, lon float64, level int) s2.CellID {
	level = max(0, min(level, s2.MaxLevel))
	return s2.CellIDFromLatLng(s2.LatLngFromDegrees(lat, lon)).Parent(level)
}

// S2Options tunes [S2Cover]. The zero value means at most 8 cells, levels
// 0..30.
type S2Options struct {
	// MaxCells is the most cells in the covering (the RegionCoverer target;
	// it may return more only when MinLevel forces it). Default 8.
	MaxCells int
	// MinLevel and MaxLevel bound the cell levels; MaxLevel 0 means 30.
	MinLevel, MaxLevel int
}

// S2Cover returns an S2 covering of the circle of radius metres around
// (lat, lon), computed by s2.RegionCoverer over an s2.Cap: a normalised
// union of cells containing every point within radius. Scan each cell's
// [RangeMin, RangeMax] of leaf ids in a sorted index of [S2Cell] leaf ids.
func S2Cover(lat, lon, radius float64, opts S2Options) (s2.CellUnion, error) {
	if err := CheckPoint(lat, lon); err != nil {
		return nil, err
	}
	if err := checkRadius(radius); err != nil {
		return nil, err
	}
	if opts.MaxCells == 0 {
		opts.MaxCells = 8
	}
	if opts.MaxLevel == 0 {
		opts.MaxLevel = s2.MaxLevel
	}
	if opts.MaxCells < 1 || opts.MinLevel < 0 || opts.MaxLevel > s2.MaxLevel || opts.MinLevel > opts.MaxLevel {
		return nil, fmt.Errorf("geohash: invalid S2Options %+v", opts)
	}
	// A hair of extra angle keeps points on the rim inside despite rounding.
	ang := s1.Angle(radius/EarthRadius*(1+1e-9) + 1e-12)
	c := s2.CapFromCenterAngle(s2.PointFromLatLng(s2.LatLngFromDegrees(lat, lon)), ang)
	rc := &s2.RegionCoverer{MinLevel: opts.MinLevel, MaxLevel: opts.MaxLevel, MaxCells: opts.MaxCells, LevelMod: 1}
	return rc.Covering(c), nil
}
