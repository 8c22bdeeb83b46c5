package routing

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/raceflag"
)

// randomGraph returns a sparse random directed graph with planar
// coordinates and weights at least the Euclidean length (so A* applies),
// some one-way arcs and, often, unreachable parts.
func randomGraph(rng *rand.Rand, n int) *Graph {
	coords := make([]Point, n)
	for i := range coords {
		coords[i] = Point{rng.Float64() * 1000, rng.Float64() * 1000}
	}
	var arcs []Arc
	m := n + rng.IntN(2*n+1)
	for range m {
		u, v := rng.IntN(n), rng.IntN(n)
		d := int64(dist2(coords[u], coords[v])) + 1 + int64(rng.IntN(50))
		arcs = append(arcs, Arc{u, v, d})
		if rng.IntN(3) > 0 {
			arcs = append(arcs, Arc{v, u, d + int64(rng.IntN(3))})
		}
	}
	g, err := NewGraph(n, arcs, Planar, coords)
	if err != nil {
		panic(err)
	}
	return g
}

func dist2(a, b Point) float64 {
	dx, dy := a.X-b.X, a.Y-b.Y
	return math.Sqrt(dx*dx + dy*dy)
}

// bellmanFord is the simple model: distances from src by relaxing every
// arc n times.
func bellmanFord(g *Graph, src int) []int64 {
	n := g.NumNodes()
	d := make([]int64, n)
	for i := range d {
		d[i] = Infinity
	}
	d[src] = 0
	for range n {
		changed := false
		for _, a := range g.AllArcs() {
			if d[a.From] != Infinity && d[a.From]+a.Weight < d[a.To] {
				d[a.To] = d[a.From] + a.Weight
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	return d
}

// checkResult verifies a query answer against the model distance.
func checkResult(t *testing.T, g *Graph, name string, src, dst int, want int64, r Result, err error) {
	t.Helper()
	if want == Infinity {
		if !errors.Is(err, ErrNoPath) {
			t.Fatalf("%s %d->%d: got %v, %v; want ErrNoPath", name, src, dst, r.Dist, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s %d->%d: %v; want distance %d", name, src, dst, err, want)
	}
	if r.Dist != want {
		t.Fatalf("%s %d->%d: got distance %d; want %d", name, src, dst, r.Dist, want)
	}
	if len(r.Path) == 0 || r.Path[0] != src || r.Path[len(r.Path)-1] != dst {
		t.Fatalf("%s %d->%d: path %v does not join the endpoints", name, src, dst, r.Path)
	}
	if w, ok := g.PathWeight(r.Path); !ok || w != want {
		t.Fatalf("%s %d->%d: path %v weighs %d (chain of arcs: %v); want %d", name, src, dst, r.Path, w, ok, want)
	}
}

func TestAlgorithmsMatchBellmanFord(t *testing.T) {
	rounds := 60
	if raceflag.Enabled {
		rounds = 15
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for round := range rounds {
		n := 2 + rng.IntN(60)
		g := randomGraph(rng, n)
		// Vary the priority weights too (all zero means the defaults): any
		// node order must give exact answers.
		h, err := Contract(g, ContractOptions{WitnessSettleLimit: 1 + rng.IntN(20),
			EdgeQuotientWeight: round % 3, HopQuotientWeight: round % 2,
			ContractedNeighborsWeight: round % 4 / 2, DepthWeight: round % 5 / 2})
		if err != nil {
			t.Fatal(err)
		}
		// Round-trip the hierarchy through its file format every time.
		h2 := reloaded(t, h)
		lm, err := NewLandmarks(g, LandmarkOptions{Count: 1 + rng.IntN(min(n, 4)), Selection: LandmarkSelection(round % 2), Seed: uint64(round)})
		if err != nil {
			t.Fatal(err)
		}
		s := NewSearch(g)
		q, q2 := h.NewQuery(), h2.NewQuery()
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		table, err := q.Table(all, all, nil)
		if err != nil {
			t.Fatal(err)
		}
		for src := range n {
			want := bellmanFord(g, src)
			if err := s.OneToAll(src); err != nil {
				t.Fatal(err)
			}
			for dst := range n {
				if got := s.DistTo(dst); got != want[dst] {
					t.Fatalf("round %d OneToAll %d->%d: got %d; want %d", round, src, dst, got, want[dst])
				}
				if p, ok := s.AppendPathTo(nil, dst); ok {
					if w, _ := g.PathWeight(p); w != want[dst] || p[0] != src || p[len(p)-1] != dst {
						t.Fatalf("round %d OneToAll path %v to %d weighs %d; want %d", round, p, dst, w, want[dst])
					}
				}
			}
			for dst := range n {
				if got := table[src*n+dst]; got != want[dst] {
					t.Fatalf("round %d Table %d->%d: got %d; want %d", round, src, dst, got, want[dst])
				}
				if lb := lm.LowerBound(src, dst); want[dst] != Infinity && lb > want[dst] {
					t.Fatalf("round %d landmark bound %d->%d: %d > distance %d", round, src, dst, lb, want[dst])
				}
				r, err := s.Dijkstra(src, dst)
				checkResult(t, g, "Dijkstra", src, dst, want[dst], r, err)
				r, err = s.Bidirectional(src, dst)
				checkResult(t, g, "Bidirectional", src, dst, want[dst], r, err)
				r, err = s.AStar(src, dst)
				checkResult(t, g, "AStar", src, dst, want[dst], r, err)
				r, err = s.ALT(lm, src, dst)
				checkResult(t, g, "ALT", src, dst, want[dst], r, err)
				r, err = q.Route(src, dst)
				checkResult(t, g, "CH", src, dst, want[dst], r, err)
				r, err = q2.Route(src, dst)
				checkResult(t, g, "CH loaded", src, dst, want[dst], r, err)
			}
		}
	}
}

func TestRecontractMatchesNewWeights(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for round := range 20 {
		n := 2 + rng.IntN(50)
		g := randomGraph(rng, n)
		h, err := Contract(g, ContractOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// Traffic: every arc gets 1x to 4x slower.
		g2, err := g.WithWeights(func(_, _ int, w int64) int64 { return w * int64(1+rng.IntN(4)) })
		if err != nil {
			t.Fatal(err)
		}
		h2, err := h.Recontract(g2, ContractOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for v := range n {
			if h2.Rank(v) != h.Rank(v) {
				t.Fatalf("round %d: node %d changed rank %d -> %d", round, v, h.Rank(v), h2.Rank(v))
			}
		}
		q := h2.NewQuery()
		for src := range n {
			want := bellmanFord(g2, src)
			for dst := range n {
				r, err := q.Route(src, dst)
				checkResult(t, g2, "recontracted CH", src, dst, want[dst], r, err)
			}
		}
	}
}

func TestSCCIsStronglyConnectedAndLargest(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for range 50 {
		n := 1 + rng.IntN(40)
		g := randomGraph(rng, n)
		sub, old := LargestSCC(g)
		if sub.NumNodes() == 0 || len(old) != sub.NumNodes() {
			t.Fatalf("empty or inconsistent component: %d nodes, %d map entries", sub.NumNodes(), len(old))
		}
		// Model: mutual reachability by Bellman-Ford from every node.
		reach := make([][]int64, n)
		for v := range n {
			reach[v] = bellmanFord(g, v)
		}
		largest := 0
		for v := range n {
			size := 0
			for u := range n {
				if reach[v][u] != Infinity && reach[u][v] != Infinity {
					size++
				}
			}
			largest = max(largest, size)
		}
		if sub.NumNodes() != largest {
			t.Fatalf("component has %d nodes; want largest %d", sub.NumNodes(), largest)
		}
		for i, u := range old {
			for j, v := range old {
				if reach[u][v] == Infinity {
					t.Fatalf("nodes %d and %d (old %d, %d) are not mutually reachable", i, j, u, v)
				}
			}
		}
	}
}
