package geohash

import (
	"fmt"
	"math"
	"slices"
)

// grid is the lattice a covering is computed on: the geohash grid over
// [-90, 90] x [-180, 180], or the Redis grid whose latitude spans only
// ±85.05112878.
type grid struct{ redis bool }

func (g grid) latIndex(lat float64, latBits uint) uint32 {
	if latBits == 0 {
		return 0
	}
	if g.redis {
		return redisIndex(lat, redisLatMin, redisLatMax, latBits)
	}
	return quantLat(lat) >> (32 - latBits)
}

func (g grid) lonIndex(lon float64, lonBits uint) uint32 {
	if lonBits == 0 {
		return 0
	}
	if g.redis {
		return redisIndex(lon, redisLonMin, redisLonMax, lonBits)
	}
	return quantLon(lon) >> (32 - lonBits)
}

func (g grid) box(latIdx, lonIdx uint32, latBits, lonBits uint) Box {
	latMin, latMax := -90.0, 90.0
	if g.redis {
		latMin, latMax = redisLatMin, redisLatMax
	}
	h := math.Ldexp(latMax-latMin, -int(latBits))
	w := math.Ldexp(360, -int(lonBits))
	b := Box{MinLat: latMin + float64(latIdx)*h, MinLon: -180 + float64(lonIdx)*w}
	b.MaxLat, b.MaxLon = b.MinLat+h, b.MinLon+w
	return b
}

// cover appends to dst the cells at precision bits that intersect boxes and
// are not pruned. It gives up (ok false) when more than limit cells would
// have to be examined.
func (g grid) cover(dst []Cell, boxes []Box, bits uint, prune func(Box) bool, limit int) ([]Cell, bool) {
	latBits, lonBits := latLonBits(bits)
	total := 0
	for _, b := range boxes {
		la0, la1 := g.latIndex(b.MinLat, latBits), g.latIndex(b.MaxLat, latBits)
		lo0, lo1 := g.lonIndex(b.MinLon, lonBits), g.lonIndex(b.MaxLon, lonBits)
		nLat, nLon := int(la1)-int(la0)+1, int(lo1)-int(lo0)+1
		if nLat > limit || nLon > limit { // also keeps the product from overflowing
			return dst, false
		}
		total += nLat * nLon
		if total > limit {
			return dst, false
		}
	}
	start := len(dst)
	for _, b := range boxes {
		la0, la1 := g.latIndex(b.MinLat, latBits), g.latIndex(b.MaxLat, latBits)
		lo0, lo1 := g.lonIndex(b.MinLon, lonBits), g.lonIndex(b.MaxLon, lonBits)
		for la := la0; ; la++ {
			for lo := lo0; ; lo++ {
				if prune == nil || !prune(g.box(la, lo, latBits, lonBits)) {
					dst = append(dst, Cell{Hash: cellFromIndex(la, lo, bits), Bits: bits})
				}
				if lo == lo1 {
					break
				}
			}
			if la == la1 {
				break
			}
		}
	}
	cs := dst[start:]
	slices.SortFunc(cs, func(a, b Cell) int {
		switch {
		case a.Hash < b.Hash:
			return -1
		case a.Hash > b.Hash:
			return 1
		}
		return 0
	})
	return append(dst[:start], slices.Compact(cs)...), true
}

// circleExtent returns the latitude half-extent of a circle in degrees and
// its longitude half-extent (360 when it reaches a pole or wraps the globe).
func circleExtent(lat, radius float64) (dLat, dLon float64) {
	bs, n := CircleBounds(lat, 0, radius)
	d := radius/EarthRadius/rad + 2e-10/rad
	if n == 1 && bs[0].MinLon == -180 && bs[0].MaxLon == 180 {
		return d, 360
	}
	return d, bs[0].MaxLon
}

// nineFits reports whether, at precision bits, the cell holding the centre
// and its eight neighbours contain every point within the circle.
func nineFits(dLat, dLon float64, bits uint, latSpan float64) bool {
	latBits, lonBits := latLonBits(bits)
	h := math.Ldexp(latSpan, -int(latBits))
	w := math.Ldexp(360, -int(lonBits))
	if dLon >= 360 {
		return 3*w >= 360 && h >= dLat
	}
	return h >= dLat && w >= dLon
}

// BitsForRadius returns the finest integer precision (0..64 bits) at which
// the nine cells around any point at latitude lat (the centre cell and its
// eight neighbours) contain the whole circle of radius metres. Cells
// shrink east-west towards the poles, so the answer depends on latitude.
// 0 means the circle needs the whole world.
func BitsForRadius(lat, radius float64) uint {
	return bitsForRadius(lat, radius, 1, MaxBits, 180)
}

func bitsForRadius(lat, radius float64, step, maxBits uint, latSpan float64) uint {
	if !(radius >= 0) {
		return 0
	}
	dLat, dLon := circleExtent(lat, radius)
	for bits := maxBits; bits >= step; bits -= step {
		if nineFits(dLat, dLon, bits, latSpan) {
			return bits
		}
	}
	return 0
}

// PrecisionForRadius returns the longest string geohash length (0..12) at
// which the nine cells around a point at latitude lat contain the circle
// of radius metres; see [BitsForRadius]. At the equator 6 characters
// (1.2 km x 0.6 km cells) suit radii up to about 600 m.
func PrecisionForRadius(lat, radius float64) int {
	return int(bitsForRadius(lat, radius, 5, 60, 180) / 5)
}

// NineCells returns the nine-cell covering of the circle of radius metres
// around (lat, lon): the cell of the centre at [PrecisionForRadius] and its
// neighbours (fewer near a pole, where neighbours beyond it do not exist,
// or when wrapping makes neighbours coincide). Every point within radius of
// the centre lies in one of them. Cells are sorted by hash.
func NineCells(lat, lon, radius float64) ([]Cell, error) {
	if err := CheckPoint(lat, lon); err != nil {
		return nil, err
	}
	if err := checkRadius(radius); err != nil {
		return nil, err
	}
	bits := uint(PrecisionForRadius(lat, radius) * 5)
	if bits == 0 {
		return []Cell{{}}, nil
	}
	h := EncodeInt(lat, lon, bits)
	cells := []Cell{{Hash: h, Bits: bits}}
	ns, ok := NeighborsInt(h, bits)
	for d, n := range ns {
		if ok&(1<<uint(d)) != 0 {
			cells = append(cells, Cell{Hash: n, Bits: bits})
		}
	}
	slices.SortFunc(cells, func(a, b Cell) int {
		switch {
		case a.Hash < b.Hash:
			return -1
		case a.Hash > b.Hash:
			return 1
		}
		return 0
	})
	return slices.Compact(cells), nil
}

// CoverOptions tunes [CoverCircle] and [CoverBox]. The zero value means
// at most 16 cells of any precision up to 64 bits.
type CoverOptions struct {
	// MaxCells is the most cells the covering may have; default 16. More
	// cells fit the shape more tightly (fewer false positives to filter)
	// at the cost of more range scans.
	MaxCells int
	// Step restricts precisions to multiples of Step bits: 5 gives cells
	// that are string geohashes, 2 gives square-ish cells as Redis uses.
	// Default 1.
	Step uint
	// MaxBits is the finest precision tried, at most 64; default 64.
	MaxBits uint
}

func (o CoverOptions) withDefaults() (CoverOptions, error) {
	if o.MaxCells == 0 {
		o.MaxCells = 16
	}
	if o.Step == 0 {
		o.Step = 1
	}
	if o.MaxBits == 0 {
		o.MaxBits = MaxBits
	}
	if o.MaxCells < 1 || o.Step > MaxBits || o.MaxBits > MaxBits || o.MaxBits < o.Step {
		return o, fmt.Errorf("geohash: invalid CoverOptions %+v", o)
	}
	o.MaxBits -= o.MaxBits % o.Step
	return o, nil
}

// CoverCircle returns a covering of the circle of radius metres around
// (lat, lon): sorted, non-overlapping cells, as fine as possible with at
// most opts.MaxCells cells, whose union contains every point within radius
// of the centre (great-circle distance, [EarthRadius]). Cells that lie
// wholly outside the circle are dropped, so the covering is much tighter
// than [NineCells]. It works across the antimeridian and over the poles.
func CoverCircle(lat, lon, radius float64, opts CoverOptions) ([]Cell, error) {
	return coverCircle(grid{}, lat, lon, radius, opts)
}

func coverCircle(g grid, lat, lon, radius float64, opts CoverOptions) ([]Cell, error) {
	if err := CheckPoint(lat, lon); err != nil {
		return nil, err
	}
	if err := checkRadius(radius); err != nil {
		return nil, err
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	bs, n := CircleBounds(lat, lon, radius)
	limit := radius*(1+1e-9) + 1e-3
	prune := func(b Box) bool { return DistanceToBox(lat, lon, b) > limit }
	return coverBoxes(g, bs[:n], prune, opts), nil
}

func coverBoxes(g grid, boxes []Box, prune func(Box) bool, opts CoverOptions) []Cell {
	for bits := opts.MaxBits; bits >= opts.Step; bits -= opts.Step {
		cells, ok := g.cover(nil, boxes, bits, prune, 4*opts.MaxCells)
		if ok && len(cells) <= opts.MaxCells {
			return cells
		}
	}
	return []Cell{{}}
}

// CoverBox returns a covering of the box b with at most opts.MaxCells
// cells (see [CoverCircle]). A box with MinLon > MaxLon crosses the
// antimeridian. Latitudes are clamped to [-90, 90].
func CoverBox(b Box, opts CoverOptions) ([]Cell, error) {
	if math.IsNaN(b.MinLat+b.MaxLat+b.MinLon+b.MaxLon) || b.MinLat > b.MaxLat {
		return nil, fmt.Errorf("%w: box %+v", ErrInvalidPoint, b)
	}
	if err := CheckPoint(0, b.MinLon); err != nil {
		return nil, err
	}
	if err := CheckPoint(0, b.MaxLon); err != nil {
		return nil, err
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	b.MinLat, b.MaxLat = clampLat(b.MinLat), clampLat(b.MaxLat)
	boxes := []Box{b}
	if b.MinLon > b.MaxLon {
		boxes = []Box{{MinLat: b.MinLat, MaxLat: b.MaxLat, MinLon: b.MinLon, MaxLon: 180},
			{MinLat: b.MinLat, MaxLat: b.MaxLat, MinLon: -180, MaxLon: b.MaxLon}}
	}
	return coverBoxes(grid{}, boxes, nil, opts), nil
}
