package routing

import (
	"fmt"
	"iter"
	"math"
	"slices"
)

// MaxWeight is the largest arc weight a [Graph] accepts.
const MaxWeight = math.MaxUint32 >> 2

// Infinity is the distance reported for unreachable nodes by the one-to-all
// and table queries.
const Infinity int64 = math.MaxInt64

// CoordKind says how node coordinates are to be read.
type CoordKind uint8

const (
	// NoCoords means the graph has no coordinates.
	NoCoords CoordKind = iota
	// Planar coordinates are X, Y in one unit (metres for the DIMACS10 roads).
	Planar
	// LonLat coordinates are X = longitude, Y = latitude in degrees.
	LonLat
)

// Point is a node position: X, Y in the graph's [CoordKind].
type Point struct{ X, Y float64 }

// Arc is a directed, weighted edge, the input of [NewGraph].
type Arc struct {
	From, To int
	Weight   int64
}

// Graph is a directed graph with non-negative integer arc weights stored in
// compressed sparse row form (forward and reverse), with optional node
// coordinates. Nodes are 0..NumNodes()-1. Parallel arcs keep the lightest and
// self-loops are dropped.
//
// A Graph is immutable after construction and safe for concurrent use.
type Graph struct {
	first  []uint32 // len n+1
	head   []uint32
	weight []uint32
	rfirst []uint32
	rtail  []uint32
	rwt    []uint32

	kind   CoordKind
	coords []Point
	ids    []int64 // external IDs (OSM node IDs), optional
	hscale float64 // weight per coordinate distance lower bound, for A*
}

// NewGraph builds a graph of n nodes from arcs. coords may be nil; otherwise
// it must have n entries of the given kind. Negative weights, weights above
// [MaxWeight] and arcs naming nodes outside [0, n) are errors.
func NewGraph(n int, arcs []Arc, kind CoordKind, coords []Point) (*Graph, error) {
	if n < 0 || n > math.MaxInt32 {
		return nil, fmt.Errorf("routing: node count %d out of range", n)
	}
	if coords != nil && len(coords) != n {
		return nil, fmt.Errorf("routing: %d coordinates for %d nodes", len(coords), n)
	}
	if coords == nil {
		kind = NoCoords
	} else if kind == NoCoords {
		coords = nil
	}
	type a3 struct{ u, v, w uint32 }
	list := make([]a3, 0, len(arcs))
	for i, a := range arcs {
		if a.From < 0 || a.From >= n || a.To < 0 || a.To >= n {
			return nil, fmt.Errorf("arc %d (%d->%d): %w", i, a.From, a.To, ErrUnknownNode)
		}
		if a.Weight < 0 {
			return nil, fmt.Errorf("arc %d (%d->%d) weight %d: %w", i, a.From, a.To, a.Weight, ErrNegativeWeight)
		}
		if a.Weight > MaxWeight {
			return nil, fmt.Errorf("arc %d (%d->%d) weight %d: %w", i, a.From, a.To, a.Weight, ErrWeightRange)
		}
		if a.From == a.To {
			continue
		}
		list = append(list, a3{uint32(a.From), uint32(a.To), uint32(a.Weight)})
	}
	slices.SortFunc(list, func(x, y a3) int {
		if x.u != y.u {
			return int(x.u) - int(y.u)
		}
		if x.v != y.v {
			return int(x.v) - int(y.v)
		}
		return int(x.w) - int(y.w)
	})
	list = slices.CompactFunc(list, func(x, y a3) bool { return x.u == y.u && x.v == y.v })
	g := &Graph{kind: kind, coords: coords}
	m := len(list)
	g.first = make([]uint32, n+1)
	g.head = make([]uint32, m)
	g.weight = make([]uint32, m)
	g.rfirst = make([]uint32, n+1)
	g.rtail = make([]uint32, m)
	g.rwt = make([]uint32, m)
	for i, a := range list {
		g.first[a.u+1]++
		g.rfirst[a.v+1]++
		g.head[i] = a.v
		g.weight[i] = a.w
	}
	for i := 0; i < n; i++ {
		g.first[i+1] += g.first[i]
		g.rfirst[i+1] += g.rfirst[i]
	}
	pos := slices.Clone(g.rfirst[:n])
	for _, a := range list {
		p := pos[a.v]
		pos[a.v]++
		g.rtail[p] = a.u
		g.rwt[p] = a.w
	}
	g.hscale = g.computeScale()
	return g, nil
}

// computeScale returns the largest r such that weight(u,v) >= r*dist(u,v) for
// every arc, so r*dist(v,t) is an admissible, consistent A* heuristic.
func (g *Graph) computeScale() float64 {
	if g.kind == NoCoords {
		return 0
	}
	r := math.Inf(1)
	for u := 0; u+1 < len(g.first); u++ {
		for i := g.first[u]; i < g.first[u+1]; i++ {
			d := g.coordDist(u, int(g.head[i]))
			if d > 0 {
				r = min(r, float64(g.weight[i])/d)
			}
		}
	}
	if math.IsInf(r, 1) {
		return 0
	}
	return r * (1 - 1e-9) // margin against rounding
}

// coordDist is the straight-line distance between two nodes: Euclidean for
// planar coordinates, great-circle metres for LonLat.
func (g *Graph) coordDist(u, v int) float64 {
	a, b := g.coords[u], g.coords[v]
	if g.kind == Planar {
		return math.Hypot(a.X-b.X, a.Y-b.Y)
	}
	return Haversine(a, b)
}

// EarthRadius is the mean Earth radius in metres used by [Haversine].
const EarthRadius = 6371008.8

// Haversine returns the great-circle distance in metres between two LonLat
// points.
func Haversine(a, b Point) float64 {
	const rad = math.Pi / 180
	la1, la2 := a.Y*rad, b.Y*rad
	dla := la2 - la1
	dlo := (b.X - a.X) * rad
	h := math.Sin(dla/2)*math.Sin(dla/2) + math.Cos(la1)*math.Cos(la2)*math.Sin(dlo/2)*math.Sin(dlo/2)
	return 2 * EarthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

// NumNodes returns the number of nodes.
func (g *Graph) NumNodes() int { return len(g.first) - 1 }

// NumArcs returns the number of arcs (after removing self-loops and parallel arcs).
func (g *Graph) NumArcs() int { return len(g.head) }

// CoordKind returns how [Graph.Coord] is to be read.
func (g *Graph) CoordKind() CoordKind { return g.kind }

// Coord returns the position of node v, and false when the graph has no
// coordinates or v is out of range.
func (g *Graph) Coord(v int) (Point, bool) {
	if g.kind == NoCoords || v < 0 || v >= len(g.coords) {
		return Point{}, false
	}
	return g.coords[v], true
}

// ExternalID returns the ID node v had in its source (the OSM node ID for
// [ReadOSM], the 1-based line for the text formats), and false if unknown.
func (g *Graph) ExternalID(v int) (int64, bool) {
	if v < 0 || v >= len(g.ids) {
		return 0, false
	}
	return g.ids[v], true
}

// Arcs returns an iterator over the arcs leaving u as (head, weight) pairs,
// in increasing order of head. It yields nothing for an unknown node.
func (g *Graph) Arcs(u int) iter.Seq2[int, int64] {
	return func(yield func(int, int64) bool) {
		if u < 0 || u >= g.NumNodes() {
			return
		}
		for i := g.first[u]; i < g.first[u+1]; i++ {
			if !yield(int(g.head[i]), int64(g.weight[i])) {
				return
			}
		}
	}
}

// ArcWeight returns the weight of the arc u->v and whether it exists.
// O(out-degree of u).
func (g *Graph) ArcWeight(u, v int) (int64, bool) {
	if u < 0 || u >= g.NumNodes() {
		return 0, false
	}
	for i := g.first[u]; i < g.first[u+1]; i++ {
		if int(g.head[i]) == v {
			return int64(g.weight[i]), true
		}
	}
	return 0, false
}

// AllArcs returns a copy of every arc, ordered by tail then head.
func (g *Graph) AllArcs() []Arc {
	out := make([]Arc, 0, len(g.head))
	for u := 0; u < g.NumNodes(); u++ {
		for i := g.first[u]; i < g.first[u+1]; i++ {
			out = append(out, Arc{u, int(g.head[i]), int64(g.weight[i])})
		}
	}
	return out
}

// WithWeights returns a graph with the same nodes, arcs and coordinates whose
// weights come from w(u, v, old). It is how live traffic enters a
// [Hierarchy] through [Hierarchy.Recontract].
func (g *Graph) WithWeights(w func(from, to int, old int64) int64) (*Graph, error) {
	arcs := g.AllArcs()
	for i := range arcs {
		arcs[i].Weight = w(arcs[i].From, arcs[i].To, arcs[i].Weight)
	}
	ng, err := NewGraph(g.NumNodes(), arcs, g.kind, g.coords)
	if err != nil {
		return nil, err
	}
	ng.ids = g.ids
	return ng, nil
}

// PathWeight returns the total weight of the arc chain path[0]->path[1]->...
// and false if some consecutive pair is not an arc.
func (g *Graph) PathWeight(path []int) (int64, bool) {
	var sum int64
	for i := 1; i < len(path); i++ {
		w, ok := g.ArcWeight(path[i-1], path[i])
		if !ok {
			return 0, false
		}
		sum += w
	}
	return sum, true
}

// AppendCoords appends the coordinates of the path's nodes to dst.
// It appends nothing when the graph has no coordinates.
func (g *Graph) AppendCoords(dst []Point, path []int) []Point {
	if g.kind == NoCoords {
		return dst
	}
	for _, v := range path {
		dst = append(dst, g.coords[v])
	}
	return dst
}

func (g *Graph) check(v int) error {
	if v < 0 || v >= g.NumNodes() {
		return unknownNode(v)
	}
	return nil
}
