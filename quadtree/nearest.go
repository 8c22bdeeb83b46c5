package quadtree

import (
	"math"
	"slices"

	"github.com/sysdesign-go/sysdesign/geohash"
)

type nodeDist[T any] struct {
	c2 float64 // lower bound of the squared chord to any point in n
	n  *node[T]
}

type cand[T any] struct {
	c2 float64
	it *item[T]
}

// scratch is the reusable state of a k-nearest search.
type scratch[T any] struct {
	nodes []nodeDist[T] // min-heap by c2
	best  []cand[T]     // max-heap by c2, at most k
}

func (t *Tree[T]) getScratch() *scratch[T] {
	if s, ok := t.pool.Get().(*scratch[T]); ok {
		return s
	}
	return &scratch[T]{}
}

// lowerBound returns a lower bound on the squared chord from the unit
// vector (x, y, z) to any point of n's cell: the squared distance to the
// cell's 3D bounding box, exact enough to prune and free of trigonometry.
func lowerBound[T any](n *node[T], x, y, z float64) float64 {
	return n.box.dist2(x, y, z)
}

// AppendNearest appends the k points nearest to (lat, lon) by great-circle
// distance to dst, nearest first, with Dist set, and returns it (fewer
// when the tree holds fewer). It searches best-first: cells are visited in
// order of their distance from the query point and the search stops when
// the next cell is farther than the k-th best point found, so it touches
// O(log n + k) cells on typical data. It allocates nothing when dst has
// room (scratch space is pooled). Invalid input appends nothing.
func (t *Tree[T]) AppendNearest(dst []Result[T], lat, lon float64, k int) []Result[T] {
	return t.AppendNearestWithin(dst, lat, lon, k, math.Inf(1))
}

// AppendNearestWithin is [Tree.AppendNearest] limited to points within
// maxDist metres.
func (t *Tree[T]) AppendNearestWithin(dst []Result[T], lat, lon float64, k int, maxDist float64) []Result[T] {
	if k <= 0 || checkPoint(lat, lon) != nil || !(maxDist >= 0) || t.n == 0 {
		return dst
	}
	limit := math.Inf(1)
	if a := maxDist / geohash.EarthRadius; a < math.Pi {
		s := math.Sin(a / 2)
		limit = 4 * s * s
	}
	x, y, z := unit(lat, lon)
	s := t.getScratch()
	nodes, best := s.nodes[:0], s.best[:0]
	nodes = append(nodes, nodeDist[T]{0, t.root})
	for len(nodes) > 0 {
		nd := nodes[0]
		nodes = popNode(nodes)
		if nd.c2 > limit || len(best) == k && nd.c2 > best[0].c2 {
			break
		}
		n := nd.n
		if n.kids != nil {
			for _, kid := range n.kids {
				if kid.count == 0 {
					continue
				}
				lb := lowerBound(kid, x, y, z)
				if lb > limit || len(best) == k && lb > best[0].c2 {
					continue
				}
				nodes = pushNode(nodes, nodeDist[T]{lb, kid})
			}
			continue
		}
		for i := range n.items {
			it := &n.items[i]
			dx, dy, dz := it.x-x, it.y-y, it.z-z
			c2 := dx*dx + dy*dy + dz*dz
			if c2 > limit {
				continue
			}
			if len(best) < k {
				best = pushBest(best, cand[T]{c2, it})
			} else if c2 < best[0].c2 {
				best[0] = cand[T]{c2, it}
				siftDownBest(best, 0)
			}
		}
	}
	slices.SortFunc(best, func(a, b cand[T]) int {
		switch {
		case a.c2 < b.c2:
			return -1
		case a.c2 > b.c2:
			return 1
		}
		return int(a.it.h) - int(b.it.h)
	})
	for _, c := range best {
		dst = append(dst, Result[T]{Handle: c.it.h, Lat: c.it.lat, Lon: c.it.lon, Dist: chordToMetres(c.c2), Value: c.it.val})
	}
	clear(best) // drop item pointers before pooling
	s.nodes, s.best = nodes[:0], best[:0]
	clear(s.nodes[:cap(s.nodes)])
	t.pool.Put(s)
	return dst
}

func pushNode[T any](h []nodeDist[T], v nodeDist[T]) []nodeDist[T] {
	h = append(h, v)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p].c2 <= h[i].c2 {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
	return h
}

func popNode[T any](h []nodeDist[T]) []nodeDist[T] {
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	i := 0
	for {
		l, m := 2*i+1, i
		if l < len(h) && h[l].c2 < h[m].c2 {
			m = l
		}
		if r := l + 1; r < len(h) && h[r].c2 < h[m].c2 {
			m = r
		}
		if m == i {
			return h
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

func pushBest[T any](h []cand[T], v cand[T]) []cand[T] {
	h = append(h, v)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h[p].c2 >= h[i].c2 {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
	return h
}

func siftDownBest[T any](h []cand[T], i int) {
	for {
		l, m := 2*i+1, i
		if l < len(h) && h[l].c2 > h[m].c2 {
			m = l
		}
		if r := l + 1; r < len(h) && h[r].c2 > h[m].c2 {
			m = r
		}
		if m == i {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}
