package routing

import (
	"bytes"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/raceflag"
)

// pairSizes returns how many seeded sources and targets the real-graph
// tests use: 100 x 100 = 10,000 pairs normally, 10 x 20 under -race,
// ROUTING_PAIRS x ROUTING_PAIRS when set. slow is the number of targets per
// source for the algorithms that scan much of the graph per query
// (Dijkstra, bidirectional, A*, ALT).
func pairSizes(t *testing.T) (sources, targets, slow int) {
	sources, targets, slow = 100, 100, 10
	if raceflag.Enabled {
		sources, targets, slow = 10, 20, 1
	}
	if s := os.Getenv("ROUTING_PAIRS"); s != "" {
		k, err := strconv.Atoi(s)
		if err != nil || k < 1 {
			t.Fatalf("ROUTING_PAIRS=%q: want a positive integer", s)
		}
		sources, targets, slow = k, k, k
	}
	return
}

func seededNodes(seed uint64, n, k int) []int {
	rng := rand.New(rand.NewPCG(seed, 0x726f757465))
	out := make([]int, k)
	for i := range out {
		out[i] = rng.IntN(n)
	}
	return out
}

// checkRealGraph compares every algorithm with one-to-all Dijkstra trees
// on seeded pairs and checks every path is a chain of real arcs.
func checkRealGraph(t *testing.T, g *Graph, h *Hierarchy) {
	ns, nt, slow := pairSizes(t)
	sources := seededNodes(1, g.NumNodes(), ns)
	targets := seededNodes(2, g.NumNodes(), nt)
	count := 8
	if raceflag.Enabled {
		count = 4
	}
	lm, err := NewLandmarks(g, LandmarkOptions{Count: count, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	tree := NewSearch(g)
	s := NewSearch(g)
	q := h.NewQuery()
	table, err := q.Table(sources, targets, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]int64, nt)
	checked := 0
	for i, src := range sources {
		if err := tree.OneToAll(src); err != nil {
			t.Fatal(err)
		}
		for j, dst := range targets {
			want[j] = tree.DistTo(dst)
			if want[j] == Infinity {
				t.Fatalf("%d->%d unreachable in a strongly connected graph", src, dst)
			}
		}
		for j, dst := range targets {
			if table[i*nt+j] != want[j] {
				t.Fatalf("Table %d->%d: got %d; want %d", src, dst, table[i*nt+j], want[j])
			}
			r, err := q.Route(src, dst)
			checkResult(t, g, "CH", src, dst, want[j], r, err)
			if d, err := q.Distance(src, dst); err != nil || d.Dist != want[j] || d.Path != nil || d.Settled != r.Settled {
				t.Fatalf("CH Distance %d->%d: got %d, path %v, settled %d (%v); want %d, no path, settled %d",
					src, dst, d.Dist, d.Path, d.Settled, err, want[j], r.Settled)
			}
			checked++
			if j >= slow {
				continue
			}
			r, err = s.Dijkstra(src, dst)
			checkResult(t, g, "Dijkstra", src, dst, want[j], r, err)
			r, err = s.Bidirectional(src, dst)
			checkResult(t, g, "Bidirectional", src, dst, want[j], r, err)
			r, err = s.AStar(src, dst)
			checkResult(t, g, "AStar", src, dst, want[j], r, err)
			r, err = s.ALT(lm, src, dst)
			checkResult(t, g, "ALT", src, dst, want[j], r, err)
		}
	}
	t.Logf("%d pairs checked for CH and Table, %d for Dijkstra, bidirectional, A*, ALT", checked, ns*min(slow, nt))
}

func TestLuxembourgAllAlgorithmsAgree(t *testing.T) {
	g, h := loadLux(t)
	if g.NumNodes() != 114599 || g.NumArcs() != 239332 {
		t.Fatalf("Luxembourg: %d nodes, %d arcs; want 114599, 239332", g.NumNodes(), g.NumArcs())
	}
	checkRealGraph(t, g, h)
}

func TestAndorraAllAlgorithmsAgree(t *testing.T) {
	g, h := loadAndorra(t)
	checkRealGraph(t, g, h)
}

func TestRealHierarchyRoundTrip(t *testing.T) {
	g, h := loadAndorra(t)
	var buf bytes.Buffer
	if _, err := h.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	h2, err := ReadHierarchy(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var buf2 bytes.Buffer
	if _, err := h2.WriteTo(&buf2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), buf2.Bytes()) {
		t.Fatal("re-encoding a loaded hierarchy changed its bytes")
	}
	q1, q2 := h.NewQuery(), h2.NewQuery()
	for _, p := range benchPairs(g.NumNodes(), 200) {
		r1, err1 := q1.Route(p[0], p[1])
		d1 := r1.Dist
		r2, err2 := q2.Route(p[0], p[1])
		if err1 != nil || err2 != nil || d1 != r2.Dist {
			t.Fatalf("%v: built %d (%v), loaded %d (%v)", p, d1, err1, r2.Dist, err2)
		}
	}
}

func TestRealRecontractAfterTraffic(t *testing.T) {
	g, h := loadAndorra(t)
	rng := rand.New(rand.NewPCG(5, 5))
	// A traffic jam: a tenth of the arcs take 2x to 5x longer.
	g2, err := g.WithWeights(func(_, _ int, w int64) int64 {
		if rng.IntN(10) == 0 {
			return w * int64(2+rng.IntN(4))
		}
		return w
	})
	if err != nil {
		t.Fatal(err)
	}
	h2, err := h.Recontract(g2, ContractOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, q := NewSearch(g2), h2.NewQuery()
	pairs := benchPairs(g.NumNodes(), 300)
	if raceflag.Enabled {
		pairs = pairs[:30]
	}
	changed := 0
	s1 := NewSearch(g)
	for _, p := range pairs {
		want, err := s.Dijkstra(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		wd := want.Dist
		r, err := q.Route(p[0], p[1])
		checkResult(t, g2, "recontracted CH", p[0], p[1], wd, r, err)
		if old, _ := s1.Dijkstra(p[0], p[1]); old.Dist != wd {
			changed++
		}
	}
	if changed == 0 {
		t.Fatal("traffic changed no distance; the test checks nothing")
	}
}

func TestAndorraGraphShape(t *testing.T) {
	g, _ := loadAndorra(t)
	if g.CoordKind() != LonLat || g.NumNodes() < 10000 {
		t.Fatalf("Andorra graph: %d nodes, coordinates %v", g.NumNodes(), g.CoordKind())
	}
	oneway := 0
	for u := range g.NumNodes() {
		p, _ := g.Coord(u)
		if p.X < 1.3 || p.X > 1.9 || p.Y < 42.3 || p.Y > 42.7 {
			t.Fatalf("node %d at %v is not in Andorra", u, p)
		}
		if id, ok := g.ExternalID(u); !ok || id <= 0 {
			t.Fatalf("node %d has no OSM ID", u)
		}
		for v := range g.Arcs(u) {
			if _, ok := g.ArcWeight(v, u); !ok {
				oneway++
			}
		}
	}
	if oneway == 0 {
		t.Fatal("no one-way arcs: oneway tags were ignored")
	}
	// Strongly connected: everything reachable from node 0 both ways.
	s := NewSearch(g)
	if err := s.OneToAll(0); err != nil {
		t.Fatal(err)
	}
	for v := range g.NumNodes() {
		if s.DistTo(v) == Infinity {
			t.Fatalf("node %d unreachable from 0", v)
		}
	}
	t.Logf("Andorra: %d nodes, %d arcs, %d one-way arcs", g.NumNodes(), g.NumArcs(), oneway)
}

func TestConcurrentQueriesShareHierarchy(t *testing.T) {
	g, h := loadAndorra(t)
	pairs := benchPairs(g.NumNodes(), 200)
	want := make([]int64, len(pairs))
	s := NewSearch(g)
	for i, p := range pairs {
		r, err := s.Bidirectional(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		want[i] = r.Dist
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q := h.NewQuery()
			for i := range pairs {
				k := (i + w*37) % len(pairs)
				r, err := q.Route(pairs[k][0], pairs[k][1])
				if err != nil || r.Dist != want[k] {
					errs <- "concurrent query disagrees"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}

func TestQueriesDoNotAllocate(t *testing.T) {
	g, h := loadAndorra(t)
	s, q := NewSearch(g), h.NewQuery()
	lm, err := NewLandmarks(g, LandmarkOptions{Count: 4})
	if err != nil {
		t.Fatal(err)
	}
	pairs := benchPairs(g.NumNodes(), 20)
	srcs, dsts := seededNodes(3, g.NumNodes(), 10), seededNodes(4, g.NumNodes(), 10)
	table := make([]int64, 100)
	i := 0
	for name, f := range map[string]func(){
		"Dijkstra":      func() { s.Dijkstra(pairs[i%20][0], pairs[i%20][1]) },
		"Bidirectional": func() { s.Bidirectional(pairs[i%20][0], pairs[i%20][1]) },
		"AStar":         func() { s.AStar(pairs[i%20][0], pairs[i%20][1]) },
		"ALT":           func() { s.ALT(lm, pairs[i%20][0], pairs[i%20][1]) },
		"CH":            func() { q.Route(pairs[i%20][0], pairs[i%20][1]) },
		"CH Distance":   func() { q.Distance(pairs[i%20][0], pairs[i%20][1]) },
		"Table":         func() { q.Table(srcs, dsts, table) },
	} {
		for range 25 { // warm the buffers
			f()
			i++
		}
		if a := testing.AllocsPerRun(50, func() { f(); i++ }); a != 0 {
			t.Errorf("%s: %v allocs per query; want 0", name, a)
		}
	}
}
