package maps

import (
	"math"

	"github.com/sysdesign-go/sysdesign/routing"
)

// nodeIndex snaps points to the nearest graph node with a uniform grid of
// buckets over a local equirectangular projection (metres). It is a simple
// stand-in for a geohash or quadtree index.
type nodeIndex struct {
	g          *routing.Graph
	lat0       float64 // projection reference latitude, degrees
	minX, minY float64
	cell       float64 // metres
	cols, rows int
	cells      [][]int32
}

const metresPerDegree = math.Pi / 180 * routing.EarthRadius

func (ix *nodeIndex) project(p routing.Point) (x, y float64) {
	if ix.g.CoordKind() == routing.Planar {
		return p.X, p.Y
	}
	return p.X * metresPerDegree * math.Cos(ix.lat0*math.Pi/180), p.Y * metresPerDegree
}

func newNodeIndex(g *routing.Graph, cell float64) *nodeIndex {
	ix := &nodeIndex{g: g, cell: cell}
	n := g.NumNodes()
	var sumLat float64
	for v := range n {
		p, _ := g.Coord(v)
		sumLat += p.Y
	}
	ix.lat0 = sumLat / float64(max(n, 1))
	ix.minX, ix.minY = math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for v := range n {
		p, _ := g.Coord(v)
		x, y := ix.project(p)
		ix.minX, ix.minY = min(ix.minX, x), min(ix.minY, y)
		maxX, maxY = max(maxX, x), max(maxY, y)
	}
	ix.cols = int((maxX-ix.minX)/cell) + 1
	ix.rows = int((maxY-ix.minY)/cell) + 1
	ix.cells = make([][]int32, ix.cols*ix.rows)
	for v := range n {
		p, _ := g.Coord(v)
		c, r := ix.cellOf(p)
		ix.cells[r*ix.cols+c] = append(ix.cells[r*ix.cols+c], int32(v))
	}
	return ix
}

func (ix *nodeIndex) cellOf(p routing.Point) (c, r int) {
	x, y := ix.project(p)
	c = min(max(int((x-ix.minX)/ix.cell), 0), ix.cols-1)
	r = min(max(int((y-ix.minY)/ix.cell), 0), ix.rows-1)
	return c, r
}

// nearest returns the node closest to p and its distance in metres,
// scanning rings of cells outward until no closer node can exist.
func (ix *nodeIndex) nearest(p routing.Point) (int, float64) {
	px, py := ix.project(p)
	c0, r0 := ix.cellOf(p)
	best, bestD := -1, math.Inf(1)
	for ring := 0; ring <= max(ix.cols, ix.rows); ring++ {
		for r := r0 - ring; r <= r0+ring; r++ {
			for c := c0 - ring; c <= c0+ring; c++ {
				if r < 0 || c < 0 || r >= ix.rows || c >= ix.cols {
					continue
				}
				if max(abs(r-r0), abs(c-c0)) != ring {
					continue // inner rings were scanned already
				}
				for _, v := range ix.cells[r*ix.cols+c] {
					q, _ := ix.g.Coord(int(v))
					x, y := ix.project(q)
					if d := math.Hypot(x-px, y-py); d < bestD {
						best, bestD = int(v), d
					}
				}
			}
		}
		// Every node outside the scanned square is at least ring*cell away
		// from p's cell border.
		if best >= 0 && bestD <= float64(ring)*ix.cell {
			break
		}
	}
	if best < 0 {
		return -1, 0
	}
	q, _ := ix.g.Coord(best)
	return best, distance(ix.g, p, q)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// distance is the straight-line distance in metres in g's coordinates.
func distance(g *routing.Graph, a, b routing.Point) float64 {
	if g.CoordKind() == routing.Planar {
		return math.Hypot(a.X-b.X, a.Y-b.Y)
	}
	return routing.Haversine(a, b)
}
