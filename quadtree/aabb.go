package quadtree

import "math"

// aabb is the axis-aligned 3D box around a cell's patch of the unit
// sphere. The squared distance from a unit vector to it is a lower bound
// on the squared chord to any point of the cell, with no trigonometry at
// query time.
type aabb struct{ x0, x1, y0, y1, z0, z1 float64 }

// cellAABB computes the box of the cell [minLat, maxLat] x [minLon, maxLon].
func cellAABB(minLat, maxLat, minLon, maxLon float64) aabb {
	const r = math.Pi / 180
	a, b := minLat*r, maxLat*r
	c, d := minLon*r, maxLon*r
	// cos(lat) over [a, b]: lat is in [-90, 90], so cos >= 0.
	ca, cb := math.Cos(a), math.Cos(b)
	cMin, cMax := min(ca, cb), max(ca, cb)
	if a <= 0 && b >= 0 {
		cMax = 1
	}
	// cos(lon) and sin(lon) over [c, d].
	cosMin, cosMax := min(math.Cos(c), math.Cos(d)), max(math.Cos(c), math.Cos(d))
	sinMin, sinMax := min(math.Sin(c), math.Sin(d)), max(math.Sin(c), math.Sin(d))
	if c <= 0 && d >= 0 {
		cosMax = 1
	}
	if c <= -math.Pi || d >= math.Pi {
		cosMin = -1
	}
	if c <= math.Pi/2 && d >= math.Pi/2 {
		sinMax = 1
	}
	if c <= -math.Pi/2 && d >= -math.Pi/2 {
		sinMin = -1
	}
	scale := func(lo, hi float64) (float64, float64) {
		// range of cos(lat)*t for cos(lat) in [cMin, cMax], t in [lo, hi]
		l := min(lo*cMin, lo*cMax)
		h := max(hi*cMin, hi*cMax)
		return l, h
	}
	const eps = 1e-12
	bx := aabb{z0: math.Sin(a) - eps, z1: math.Sin(b) + eps}
	bx.x0, bx.x1 = scale(cosMin, cosMax)
	bx.y0, bx.y1 = scale(sinMin, sinMax)
	bx.x0, bx.x1, bx.y0, bx.y1 = bx.x0-eps, bx.x1+eps, bx.y0-eps, bx.y1+eps
	return bx
}

// dist2 returns the squared distance from (x, y, z) to the box.
func (b *aabb) dist2(x, y, z float64) float64 {
	d := 0.0
	if x < b.x0 {
		d += (b.x0 - x) * (b.x0 - x)
	} else if x > b.x1 {
		d += (x - b.x1) * (x - b.x1)
	}
	if y < b.y0 {
		d += (b.y0 - y) * (b.y0 - y)
	} else if y > b.y1 {
		d += (y - b.y1) * (y - b.y1)
	}
	if z < b.z0 {
		d += (b.z0 - z) * (b.z0 - z)
	} else if z > b.z1 {
		d += (z - b.z1) * (z - b.z1)
	}
	return d
}
