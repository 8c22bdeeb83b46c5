package quadtree

import (
	"iter"
	"math"

	"github.com/sysdesign-go/sysdesign/geohash"
)

// Rect is a latitude/longitude box in degrees, edges included. A Rect with
// MinLon > MaxLon crosses the antimeridian (it spans MinLon..180 and
// -180..MaxLon).
type Rect struct {
	MinLat, MinLon, MaxLat, MaxLon float64
}

// Result is a point returned by a query.
type Result[T any] struct {
	Handle   Handle
	Lat, Lon float64
	// Dist is the great-circle distance in metres from the query point
	// (0 for box queries).
	Dist  float64
	Value T
}

// box is a non-wrapping query rectangle.
type box struct{ minLat, maxLat, minLon, maxLon float64 }

func (r Rect) boxes() ([2]box, int) {
	if r.MinLon <= r.MaxLon {
		return [2]box{{r.MinLat, r.MaxLat, r.MinLon, r.MaxLon}}, 1
	}
	return [2]box{{r.MinLat, r.MaxLat, r.MinLon, 180}, {r.MinLat, r.MaxLat, -180, r.MaxLon}}, 2
}

func (b *box) intersects(n *nodeBounds) bool {
	return n.minLat <= b.maxLat && b.minLat <= n.maxLat && n.minLon <= b.maxLon && b.minLon <= n.maxLon
}

func (b *box) covers(n *nodeBounds) bool {
	return b.minLat <= n.minLat && n.maxLat <= b.maxLat && b.minLon <= n.minLon && n.maxLon <= b.maxLon
}

func (b *box) has(lat, lon float64) bool {
	return b.minLat <= lat && lat <= b.maxLat && b.minLon <= lon && lon <= b.maxLon
}

type nodeBounds struct{ minLat, maxLat, minLon, maxLon float64 }

// AppendBox appends the points inside r to dst and returns it. It
// allocates nothing when dst has room. Cost O(depth + cells visited + k).
func (t *Tree[T]) AppendBox(dst []Result[T], r Rect) []Result[T] {
	bs, n := r.boxes()
	for i := 0; i < n; i++ {
		dst = appendBox(t.root, &bs[i], dst)
	}
	return dst
}

func appendBox[T any](n *node[T], b *box, dst []Result[T]) []Result[T] {
	nb := nodeBounds{n.minLat, n.maxLat, n.minLon, n.maxLon}
	if n.count == 0 || !b.intersects(&nb) {
		return dst
	}
	if n.kids != nil {
		for _, k := range n.kids {
			dst = appendBox(k, b, dst)
		}
		return dst
	}
	all := b.covers(&nb)
	for i := range n.items {
		it := &n.items[i]
		if all || b.has(it.lat, it.lon) {
			dst = append(dst, Result[T]{Handle: it.h, Lat: it.lat, Lon: it.lon, Value: it.val})
		}
	}
	return dst
}

// CountBox returns the number of points inside r without visiting the
// points of cells wholly inside it.
func (t *Tree[T]) CountBox(r Rect) int {
	bs, n := r.boxes()
	c := 0
	for i := 0; i < n; i++ {
		c += countBox(t.root, &bs[i])
	}
	return c
}

func countBox[T any](n *node[T], b *box) int {
	nb := nodeBounds{n.minLat, n.maxLat, n.minLon, n.maxLon}
	if n.count == 0 || !b.intersects(&nb) {
		return 0
	}
	if b.covers(&nb) {
		return n.count
	}
	c := 0
	if n.kids != nil {
		for _, k := range n.kids {
			c += countBox(k, b)
		}
		return c
	}
	for i := range n.items {
		if b.has(n.items[i].lat, n.items[i].lon) {
			c++
		}
	}
	return c
}

// radiusQuery is the state of a radius search.
type radiusQuery struct {
	boxes      [2]box
	nb         int
	x, y, z    float64 // query point
	chord2     float64 // squared chord of the radius
	everything bool
}

func newRadiusQuery(lat, lon, radius float64) radiusQuery {
	var q radiusQuery
	bs, n := geohash.CircleBounds(lat, lon, radius)
	for i := 0; i < n; i++ {
		q.boxes[i] = box{bs[i].MinLat, bs[i].MaxLat, bs[i].MinLon, bs[i].MaxLon}
	}
	q.nb = n
	q.x, q.y, q.z = unit(lat, lon)
	a := radius / geohash.EarthRadius
	if a >= math.Pi {
		q.everything = true
	}
	s := 2 * math.Sin(a/2)
	q.chord2 = s * s
	return q
}

func (q *radiusQuery) intersects(nb *nodeBounds) bool {
	for i := 0; i < q.nb; i++ {
		if q.boxes[i].intersects(nb) {
			return true
		}
	}
	return false
}

// chordToMetres converts a squared chord on the unit sphere to metres
// along the great circle.
func chordToMetres(c2 float64) float64 {
	return 2 * math.Asin(min(1, math.Sqrt(c2)/2)) * geohash.EarthRadius
}

// AppendRadius appends the points within radius metres (great-circle) of
// (lat, lon) to dst, in no particular order, with Dist set, and returns
// it. It works across the antimeridian and over the poles and allocates
// nothing when dst has room. Invalid input appends nothing.
func (t *Tree[T]) AppendRadius(dst []Result[T], lat, lon, radius float64) []Result[T] {
	if checkPoint(lat, lon) != nil || !(radius >= 0) {
		return dst
	}
	q := newRadiusQuery(lat, lon, radius)
	return appendRadius(t.root, &q, dst)
}

func appendRadius[T any](n *node[T], q *radiusQuery, dst []Result[T]) []Result[T] {
	nb := nodeBounds{n.minLat, n.maxLat, n.minLon, n.maxLon}
	if n.count == 0 || !q.everything && (!q.intersects(&nb) || n.box.dist2(q.x, q.y, q.z) > q.chord2) {
		return dst
	}
	if n.kids != nil {
		for _, k := range n.kids {
			dst = appendRadius(k, q, dst)
		}
		return dst
	}
	for i := range n.items {
		it := &n.items[i]
		dx, dy, dz := it.x-q.x, it.y-q.y, it.z-q.z
		if c2 := dx*dx + dy*dy + dz*dz; c2 <= q.chord2 || q.everything {
			dst = append(dst, Result[T]{Handle: it.h, Lat: it.lat, Lon: it.lon, Dist: chordToMetres(c2), Value: it.val})
		}
	}
	return dst
}

// CountRadius returns the number of points within radius metres of
// (lat, lon).
func (t *Tree[T]) CountRadius(lat, lon, radius float64) int {
	if checkPoint(lat, lon) != nil || !(radius >= 0) {
		return 0
	}
	q := newRadiusQuery(lat, lon, radius)
	return countRadius(t.root, &q)
}

func countRadius[T any](n *node[T], q *radiusQuery) int {
	nb := nodeBounds{n.minLat, n.maxLat, n.minLon, n.maxLon}
	if n.count == 0 || !q.everything && !q.intersects(&nb) {
		return 0
	}
	if q.everything {
		return n.count
	}
	c := 0
	if n.kids != nil {
		for _, k := range n.kids {
			c += countRadius(k, q)
		}
		return c
	}
	for i := range n.items {
		it := &n.items[i]
		dx, dy, dz := it.x-q.x, it.y-q.y, it.z-q.z
		if dx*dx+dy*dy+dz*dz <= q.chord2 {
			c++
		}
	}
	return c
}

// All returns an iterator over every point's handle and value, in tree
// order. The tree must not be modified during iteration.
func (t *Tree[T]) All() iter.Seq2[Handle, T] {
	return func(yield func(Handle, T) bool) {
		walk(t.root, yield)
	}
}

func walk[T any](n *node[T], yield func(Handle, T) bool) bool {
	if n.kids != nil {
		for _, k := range n.kids {
			if !walk(k, yield) {
				return false
			}
		}
		return true
	}
	for i := range n.items {
		if !yield(n.items[i].h, n.items[i].val) {
			return false
		}
	}
	return true
}
