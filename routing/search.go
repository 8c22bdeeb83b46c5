package routing

import "math"

// Result is the answer of a point-to-point query.
type Result struct {
	// Dist is the total weight of the shortest path.
	Dist int64
	// Path lists the nodes from source to target, both included. It aliases
	// a buffer of the query object and is valid until its next query; copy
	// it to keep it.
	Path []int
	// Settled counts the nodes removed from the priority queues, the usual
	// measure of search effort.
	Settled int
}

// Search runs Dijkstra, bidirectional Dijkstra, A* and ALT queries on one
// [Graph]. It holds O(NumNodes) reusable buffers, so after the first query
// no query allocates.
//
// A Search is not safe for concurrent use: give each goroutine its own. Many
// Searches may share one Graph.
type Search struct {
	g    *Graph
	fw   side
	bw   side
	path []int

	// one-to-all state
	treeSrc int
}

// NewSearch returns a query object for g.
func NewSearch(g *Graph) *Search {
	n := g.NumNodes()
	return &Search{g: g, fw: newSide(n, false), bw: newSide(n, false), treeSrc: -1}
}

// Graph returns the graph the search runs on.
func (s *Search) Graph() *Graph { return s.g }

// Dijkstra returns the shortest path from src to dst with Dijkstra's
// algorithm, stopping as soon as dst is settled. O((n+m) log n) worst case.
func (s *Search) Dijkstra(src, dst int) (Result, error) {
	return s.astar(src, dst, nil)
}

// AStar returns the shortest path from src to dst with A*, guided by the
// straight-line distance to dst scaled so that it never overestimates
// (the scale is the smallest weight per metre over all arcs; when some arc
// has weight 0 and positive length the scale is 0 and A* is Dijkstra). It
// returns [ErrNoCoordinates] if the graph has none.
func (s *Search) AStar(src, dst int) (Result, error) {
	if s.g.kind == NoCoords {
		return Result{}, ErrNoCoordinates
	}
	if err := s.checkPair(src, dst); err != nil {
		return Result{}, err
	}
	g := s.g
	t := g.coords[dst]
	scale := g.hscale
	h := func(v uint32) int64 {
		var d float64
		if g.kind == Planar {
			p := g.coords[v]
			d = math.Hypot(p.X-t.X, p.Y-t.Y)
		} else {
			d = Haversine(g.coords[v], t)
		}
		return int64(d * scale)
	}
	return s.astar(src, dst, h)
}

func (s *Search) checkPair(src, dst int) error {
	if err := s.g.check(src); err != nil {
		return err
	}
	return s.g.check(dst)
}

// astar is Dijkstra when h is nil. With an admissible h it may reopen
// nodes, so it is exact even when rounding makes h slightly inconsistent.
func (s *Search) astar(src, dst int, h func(uint32) int64) (Result, error) {
	if err := s.checkPair(src, dst); err != nil {
		return Result{}, err
	}
	s.treeSrc = -1
	g := s.g
	f := &s.fw
	f.reset()
	sv, tv := uint32(src), uint32(dst)
	f.touch(sv)
	f.st[sv].dist = 0
	var h0 int64
	if h != nil {
		h0 = h(sv)
	}
	f.heap.push(sv, h0)
	settled := 0
	for f.heap.len() > 0 {
		u, _ := f.heap.pop()
		settled++
		if u == tv {
			return s.result(f.st[tv].dist, src, dst, settled), nil
		}
		du := f.st[u].dist
		for i := g.first[u]; i < g.first[u+1]; i++ {
			v := g.head[i]
			nd := du + int64(g.weight[i])
			f.touch(v)
			if nd < f.st[v].dist {
				f.st[v].dist = nd
				f.st[v].parent = int32(u)
				k := nd
				if h != nil {
					k += h(v)
				}
				f.heap.push(v, k)
			}
		}
	}
	return Result{Settled: settled}, ErrNoPath
}

// result builds the path from forward parents.
func (s *Search) result(dist int64, src, dst, settled int) Result {
	s.path = s.path[:0]
	for v := int32(dst); v >= 0; v = s.fw.st[v].parent {
		s.path = append(s.path, int(v))
		if int(v) == src {
			break
		}
	}
	reverse(s.path)
	return Result{Dist: dist, Path: s.path, Settled: settled}
}

func reverse(p []int) {
	for i, j := 0, len(p)-1; i < j; i, j = i+1, j-1 {
		p[i], p[j] = p[j], p[i]
	}
}

// Bidirectional returns the shortest path from src to dst with bidirectional
// Dijkstra: a forward search from src and a backward search to dst take
// turns, and stop when the sum of their queue minima reaches the best
// meeting distance.
func (s *Search) Bidirectional(src, dst int) (Result, error) {
	if err := s.checkPair(src, dst); err != nil {
		return Result{}, err
	}
	s.treeSrc = -1
	g := s.g
	f, b := &s.fw, &s.bw
	f.reset()
	b.reset()
	sv, tv := uint32(src), uint32(dst)
	f.touch(sv)
	f.st[sv].dist = 0
	f.heap.push(sv, 0)
	b.touch(tv)
	b.st[tv].dist = 0
	b.heap.push(tv, 0)
	best := Infinity
	meet := int32(-1)
	if sv == tv {
		best, meet = 0, int32(sv)
	}
	settled := 0
	for f.heap.len() > 0 || b.heap.len() > 0 {
		fk, bk := Infinity, Infinity
		if f.heap.len() > 0 {
			fk = f.heap.minKey()
		}
		if b.heap.len() > 0 {
			bk = b.heap.minKey()
		}
		// A better path needs both sides to reach further than their minima;
		// once one side is exhausted no new meeting can improve best.
		if fk == Infinity || bk == Infinity || fk+bk >= best {
			break
		}
		settled++
		if fk <= bk {
			u, du := f.heap.pop()
			for i := g.first[u]; i < g.first[u+1]; i++ {
				v := g.head[i]
				nd := du + int64(g.weight[i])
				f.touch(v)
				if nd < f.st[v].dist {
					f.st[v].dist = nd
					f.st[v].parent = int32(u)
					f.heap.push(v, nd)
					if bd := b.d(v); bd != Infinity && nd+bd < best {
						best, meet = nd+bd, int32(v)
					}
				}
			}
		} else {
			u, du := b.heap.pop()
			for i := g.rfirst[u]; i < g.rfirst[u+1]; i++ {
				v := g.rtail[i]
				nd := du + int64(g.rwt[i])
				b.touch(v)
				if nd < b.st[v].dist {
					b.st[v].dist = nd
					b.st[v].parent = int32(u)
					b.heap.push(v, nd)
					if fd := f.d(v); fd != Infinity && nd+fd < best {
						best, meet = nd+fd, int32(v)
					}
				}
			}
		}
	}
	if meet < 0 {
		return Result{Settled: settled}, ErrNoPath
	}
	s.path = s.path[:0]
	for v := meet; v >= 0; v = f.st[v].parent {
		s.path = append(s.path, int(v))
	}
	reverse(s.path)
	for v := b.st[meet].parent; v >= 0; v = b.st[v].parent {
		s.path = append(s.path, int(v))
	}
	return Result{Dist: best, Path: s.path, Settled: settled}, nil
}

// OneToAll runs Dijkstra from src over the whole graph. Afterwards
// [Search.DistTo] and [Search.AppendPathTo] answer for any target, until the
// next query on s.
func (s *Search) OneToAll(src int) error {
	if err := s.g.check(src); err != nil {
		return err
	}
	g := s.g
	f := &s.fw
	f.reset()
	sv := uint32(src)
	f.touch(sv)
	f.st[sv].dist = 0
	f.heap.push(sv, 0)
	for f.heap.len() > 0 {
		u, du := f.heap.pop()
		for i := g.first[u]; i < g.first[u+1]; i++ {
			v := g.head[i]
			nd := du + int64(g.weight[i])
			f.touch(v)
			if nd < f.st[v].dist {
				f.st[v].dist = nd
				f.st[v].parent = int32(u)
				f.heap.push(v, nd)
			}
		}
	}
	s.treeSrc = src
	return nil
}

// DistTo returns the distance from the last [Search.OneToAll] source to v,
// or [Infinity] if v is unreachable or no tree was built since the last
// point-to-point query.
func (s *Search) DistTo(v int) int64 {
	if s.treeSrc < 0 || v < 0 || v >= s.g.NumNodes() {
		return Infinity
	}
	return s.fw.d(uint32(v))
}

// AppendPathTo appends the shortest path from the last [Search.OneToAll]
// source to v and returns it, or returns dst unchanged and false when v is
// unreachable.
func (s *Search) AppendPathTo(dst []int, v int) ([]int, bool) {
	if s.DistTo(v) == Infinity {
		return dst, false
	}
	start := len(dst)
	for u := int32(v); u >= 0; u = s.fw.st[u].parent {
		dst = append(dst, int(u))
	}
	reverse(dst[start:])
	return dst, true
}
