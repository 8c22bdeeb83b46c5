package routing

import (
	"fmt"
	"math/rand/v2"
)

// LandmarkSelection chooses how [NewLandmarks] places landmarks.
type LandmarkSelection uint8

const (
	// Avoid selection (the default) grows a shortest-path tree from a random
	// root, weighs each node by how badly the current landmarks bound its
	// distance, and puts the next landmark at the leaf of the heaviest
	// subtree without a landmark (Goldberg and Werneck 2005).
	Avoid LandmarkSelection = iota
	// Farthest selection puts each landmark at the node farthest from the
	// landmarks already chosen.
	Farthest
)

// LandmarkOptions configures [NewLandmarks]. The zero value means 16
// landmarks (or NumNodes if fewer) chosen by Avoid selection with seed 0.
type LandmarkOptions struct {
	// Count is the number of landmarks, at most NumNodes; 0 means
	// min(16, NumNodes).
	Count int
	// Selection is Avoid (default) or Farthest.
	Selection LandmarkSelection
	// Seed seeds the random roots.
	Seed uint64
}

// Landmarks holds the distances from and to a few landmark nodes, which
// give ALT its lower bounds through the triangle inequality. Memory is
// 16 bytes per node per landmark.
//
// Landmarks are immutable and safe for concurrent use.
type Landmarks struct {
	n, k  int
	nodes []int
	from  []int64 // from[v*k+i] = d(L_i, v)
	to    []int64 // to[v*k+i]   = d(v, L_i)
}

// NewLandmarks picks landmarks in g and computes their distance tables with
// two Dijkstra trees per landmark (plus one per landmark for selection).
func NewLandmarks(g *Graph, opts LandmarkOptions) (*Landmarks, error) {
	n := g.NumNodes()
	k := opts.Count
	if k == 0 {
		k = min(16, n)
	}
	if k < 0 || k > n {
		return nil, fmt.Errorf("routing: %d landmarks for %d nodes", k, n)
	}
	if opts.Selection > Farthest {
		return nil, fmt.Errorf("routing: unknown landmark selection %d", opts.Selection)
	}
	lm := &Landmarks{n: n, k: k, from: make([]int64, n*k), to: make([]int64, n*k)}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x6c616e64))
	sd := newSide(n, false)
	dist := make([]int64, n)
	parent := make([]int32, n)
	for i := 0; i < k; i++ {
		var L int
		if opts.Selection == Farthest {
			L = lm.farthest(g, i, rng, &sd, dist, parent)
		} else {
			L = lm.avoid(g, i, rng, &sd, dist, parent)
		}
		lm.nodes = append(lm.nodes, L)
		treeAll(g, &sd, L, false, dist, parent)
		for v := 0; v < n; v++ {
			lm.from[v*k+i] = dist[v]
		}
		treeAll(g, &sd, L, true, dist, parent)
		for v := 0; v < n; v++ {
			lm.to[v*k+i] = dist[v]
		}
	}
	return lm, nil
}

// Nodes returns the landmark nodes.
func (lm *Landmarks) Nodes() []int { return append([]int(nil), lm.nodes...) }

// NumNodes returns the size of the graph the landmarks were computed for.
func (lm *Landmarks) NumNodes() int { return lm.n }

// farthest returns a node maximising the distance to the first i landmarks
// (from a random root when i == 0).
func (lm *Landmarks) farthest(g *Graph, i int, rng *rand.Rand, sd *side, dist []int64, parent []int32) int {
	n := g.NumNodes()
	if i == 0 {
		treeAll(g, sd, rng.IntN(n), false, dist, parent)
		return argmaxFinite(dist, nil)
	}
	best, bestD := -1, int64(-1)
	for v := 0; v < n; v++ {
		m := Infinity
		for j := 0; j < i; j++ {
			m = min(m, lm.from[v*lm.k+j])
		}
		if m != Infinity && m > bestD && !lm.isLandmark(v) {
			best, bestD = v, m
		}
	}
	if best < 0 {
		return rng.IntN(n)
	}
	return best
}

func (lm *Landmarks) isLandmark(v int) bool {
	for _, l := range lm.nodes {
		if l == v {
			return true
		}
	}
	return false
}

func argmaxFinite(d []int64, skip func(int) bool) int {
	best := 0
	for v, x := range d {
		if x != Infinity && x > d[best] || d[best] == Infinity {
			if skip == nil || !skip(v) {
				best = v
			}
		}
	}
	return best
}

// avoid implements avoid selection for landmark i.
func (lm *Landmarks) avoid(g *Graph, i int, rng *rand.Rand, sd *side, dist []int64, parent []int32) int {
	n := g.NumNodes()
	r := rng.IntN(n)
	treeAll(g, sd, r, false, dist, parent)
	// weight(v) = d(r,v) - lowerbound(r,v) using landmarks 0..i-1.
	size := make([]int64, n)
	hasLM := make([]bool, n)
	for v := 0; v < n; v++ {
		if dist[v] == Infinity {
			continue
		}
		size[v] = dist[v] - lm.bound(r, v, i)
	}
	for _, l := range lm.nodes {
		hasLM[l] = true
	}
	// Accumulate subtree sizes children-first: order nodes by distance desc.
	order := make([]int32, 0, n)
	for v := 0; v < n; v++ {
		if dist[v] != Infinity {
			order = append(order, int32(v))
		}
	}
	sortByDistDesc(order, dist)
	for _, v := range order {
		if p := parent[v]; p >= 0 {
			if hasLM[v] {
				hasLM[p] = true
			}
			size[p] += size[v]
		}
	}
	// Children lists via first-child/next-sibling.
	child := make([]int32, n)
	next := make([]int32, n)
	for v := range child {
		child[v], next[v] = -1, -1
	}
	for _, v := range order {
		if p := parent[v]; p >= 0 {
			next[v] = child[p]
			child[p] = v
		}
	}
	v := int32(r)
	for {
		bestC, bestS := int32(-1), int64(-1)
		for c := child[v]; c >= 0; c = next[c] {
			if !hasLM[c] && size[c] > bestS {
				bestC, bestS = c, size[c]
			}
		}
		if bestC < 0 {
			break
		}
		v = bestC
	}
	if lm.isLandmark(int(v)) {
		return lm.farthest(g, i, rng, sd, dist, parent)
	}
	return int(v)
}

func sortByDistDesc(order []int32, dist []int64) {
	// Counting-free: a simple sort is fine for preprocessing.
	sortFunc(order, func(a, b int32) int {
		switch {
		case dist[a] > dist[b]:
			return -1
		case dist[a] < dist[b]:
			return 1
		}
		return 0
	})
}

// bound returns the ALT lower bound on d(v, t) using the first k landmarks.
func (lm *Landmarks) bound(v, t, k int) int64 {
	var b int64
	fv, ft := lm.from[v*lm.k:v*lm.k+k], lm.from[t*lm.k:t*lm.k+k]
	tv, tt := lm.to[v*lm.k:v*lm.k+k], lm.to[t*lm.k:t*lm.k+k]
	for i := range k {
		if ft[i] != Infinity && fv[i] != Infinity {
			b = max(b, ft[i]-fv[i])
		}
		if tv[i] != Infinity && tt[i] != Infinity {
			b = max(b, tv[i]-tt[i])
		}
	}
	return b
}

// LowerBound returns the landmark lower bound on the distance from u to v.
func (lm *Landmarks) LowerBound(u, v int) int64 {
	if u < 0 || u >= lm.n || v < 0 || v >= lm.n {
		return 0
	}
	return lm.bound(u, v, lm.k)
}

// treeAll runs a full Dijkstra from src (on the reverse graph if rev) into
// dist (Infinity when unreachable) and parent.
func treeAll(g *Graph, s *side, src int, rev bool, dist []int64, parent []int32) {
	first, head, wt := g.first, g.head, g.weight
	if rev {
		first, head, wt = g.rfirst, g.rtail, g.rwt
	}
	s.reset()
	s.touch(uint32(src))
	s.st[src].dist = 0
	s.heap.push(uint32(src), 0)
	for s.heap.len() > 0 {
		u, du := s.heap.pop()
		for i := first[u]; i < first[u+1]; i++ {
			v := head[i]
			nd := du + int64(wt[i])
			s.touch(v)
			if nd < s.st[v].dist {
				s.st[v].dist = nd
				s.st[v].parent = int32(u)
				s.heap.push(v, nd)
			}
		}
	}
	for v := range dist {
		dist[v] = s.d(uint32(v))
		parent[v] = -1
		if dist[v] != Infinity {
			parent[v] = s.st[v].parent
		}
	}
}

// ALT returns the shortest path from src to dst with A* guided by the
// landmark lower bounds of lm, which must have been computed for s's graph.
func (s *Search) ALT(lm *Landmarks, src, dst int) (Result, error) {
	if lm.n != s.g.NumNodes() {
		return Result{}, fmt.Errorf("%w: landmarks for %d nodes, graph has %d", ErrMismatch, lm.n, s.g.NumNodes())
	}
	if err := s.checkPair(src, dst); err != nil {
		return Result{}, err
	}
	k := lm.k
	ft := lm.from[dst*k : dst*k+k]
	tt := lm.to[dst*k : dst*k+k]
	h := func(v uint32) int64 {
		var b int64
		fv := lm.from[int(v)*k : int(v)*k+k]
		tv := lm.to[int(v)*k : int(v)*k+k]
		for i := range ft {
			if ft[i] != Infinity && fv[i] != Infinity {
				b = max(b, ft[i]-fv[i])
			}
			if tv[i] != Infinity && tt[i] != Infinity {
				b = max(b, tv[i]-tt[i])
			}
		}
		return b
	}
	return s.astar(src, dst, h)
}
