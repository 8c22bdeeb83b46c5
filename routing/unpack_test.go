package routing

import (
	"slices"
	"testing"
)

// refInterior is the reference unpacking: the original nodes strictly
// inside arc (an index into fArcs, or into bArcs with downArc set), found
// by recursing through the recorded child arcs only.
func refInterior(h *Hierarchy, arc uint32, out []uint32) []uint32 {
	var k chKids
	if arc&downArc == 0 {
		k = h.fKids[arc]
	} else {
		k = h.bKids[arc&^downArc]
	}
	if k.mid < 0 {
		return out
	}
	out = refInterior(h, k.down&^leafBit|downArc, out)
	out = append(out, h.node[k.mid])
	return refInterior(h, k.up&^leafBit, out)
}

// checkExpansions compares every cached shortcut interior with the
// reference unpacking and returns how many shortcuts are cached and how
// many are too long to be.
func checkExpansions(t *testing.T, h *Hierarchy) (cached, long int) {
	t.Helper()
	var ref []uint32
	for dir := range 2 {
		first, exp, kids := h.fExpFirst, h.fExp, h.fKids
		flag := uint32(0)
		if dir == 1 {
			first, exp, kids, flag = h.bExpFirst, h.bExp, h.bKids, downArc
		}
		for i := range kids {
			run := exp[first[i]:first[i+1]]
			ref = refInterior(h, uint32(i)|flag, ref[:0])
			switch {
			case kids[i].mid < 0 && len(run) != 0:
				t.Fatalf("direction %d arc %d: original arc has a cached interior %v", dir, i, run)
			case len(ref) > maxExpanded && len(run) != 0:
				t.Fatalf("direction %d arc %d: %d-node interior cached; limit %d", dir, i, len(ref), maxExpanded)
			case len(ref) > maxExpanded:
				long++
			case !slices.Equal(run, ref):
				t.Fatalf("direction %d arc %d: cached interior %v; want %v", dir, i, run, ref)
			case len(ref) > 0:
				cached++
			}
		}
	}
	return cached, long
}

// lineGraph is a two-way path 0 - 1 - ... - n-1 with unit weights: its
// hierarchy has shortcuts spanning long stretches, longer than the cache
// limit, so unpacking must split some of them.
func lineGraph(t *testing.T, n int) *Graph {
	t.Helper()
	var arcs []Arc
	for v := 0; v+1 < n; v++ {
		arcs = append(arcs, Arc{v, v + 1, 1}, Arc{v + 1, v, 1})
	}
	g, err := NewGraph(n, arcs, NoCoords, nil)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestExpansionsMatchChildWalk(t *testing.T) {
	const n = 16 * maxExpanded // long enough for shortcuts past the cache limit
	g := lineGraph(t, n)
	h, err := Contract(g, ContractOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cached, long := checkExpansions(t, h)
	if cached == 0 || long == 0 {
		t.Fatalf("line graph: %d cached and %d long shortcuts; want some of each to test both paths", cached, long)
	}
	longRecs := 0
	for r := range uint32(h.n) {
		for dir := range 2 {
			for i := h.qFirst[2*r+uint32(dir)]; i < h.qFirst[2*r+uint32(dir)+1]; i++ {
				checkQueryRec(t, h, dir, r, i)
				if h.qRec[i].pos&longBit != 0 {
					longRecs++
				}
			}
		}
	}
	if longRecs != long {
		t.Fatalf("%d query records flagged long; want %d", longRecs, long)
	}
	// End to end the path crosses the whole hierarchy, long shortcuts
	// included; it must list every node in order, both ways.
	q := h.NewQuery()
	for _, p := range [][2]int{{0, n - 1}, {n - 1, 0}, {17, n - 40}, {n / 2, n/2 + 1}, {5, 5}} {
		r, err := q.Route(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		step := 1
		if p[1] < p[0] {
			step = -1
		}
		want := []int{p[0]}
		for v := p[0]; v != p[1]; {
			v += step
			want = append(want, v)
		}
		if !slices.Equal(r.Path, want) || r.Dist != int64(len(want)-1) {
			t.Fatalf("%d->%d: got dist %d path of %d nodes; want %d, %d nodes", p[0], p[1], r.Dist, len(r.Path), len(want)-1, len(want))
		}
	}
	// A loaded hierarchy derives the same caches.
	h2 := reloaded(t, h)
	if !slices.Equal(h.fExp, h2.fExp) || !slices.Equal(h.bExp, h2.bExp) ||
		!slices.Equal(h.fExpFirst, h2.fExpFirst) || !slices.Equal(h.bExpFirst, h2.bExpFirst) {
		t.Fatal("loaded hierarchy has different unpacking caches")
	}
}

func TestExpansionsMatchChildWalkRandom(t *testing.T) {
	rng := newRand(11)
	for range 8 {
		g := randomGraph(rng, 5+rng.IntN(200))
		h, err := Contract(g, ContractOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkExpansions(t, h)
	}
}

func TestAndorraExpansionsMatchChildWalk(t *testing.T) {
	_, h := loadAndorra(t)
	cached, long := checkExpansions(t, h)
	t.Logf("Andorra: %d shortcuts cached, %d longer than %d nodes", cached, long, maxExpanded)
}

// TestCHHeapOrder checks the query heap against a model: random pushes,
// decrease-keys and pops interleaved, every pop the smallest key left, and
// every queued node's slot recorded where settle looks for it.
func TestCHHeapOrder(t *testing.T) {
	rng := newRand(3)
	const n = 6000
	st := make([]chNode, n)
	for dir := range 2 {
		hp := chHeap{st: st, dir: dir}
		model := map[uint32]int64{} // queued node -> key
		var queued []uint32
		pops, decreases := 0, 0
		for step := range uint32(n) {
			switch op := rng.IntN(6); {
			case len(model) == 0 || op < 3:
				k := int64(rng.IntN(1000))
				if rng.IntN(5) == 0 { // the extremes of the key range pop uses
					k = unreached - k
				}
				hp.push(step, k)
				model[step] = k
				queued = append(queued, step)
			case op < 4:
				v := queued[rng.IntN(len(queued))]
				k, ok := model[v]
				if !ok || k == 0 {
					continue
				}
				k -= int64(rng.IntN(int(min(k, 500)))) + 1
				hp.up(int(st[v].pos[dir]), v, k) // as settle lowers a key
				model[v] = k
				decreases++
			default:
				want := unreached + 1
				for _, k := range model {
					want = min(want, k)
				}
				got := hp.pop()
				if got.key != want || model[got.node] != got.key {
					t.Fatalf("dir %d step %d: popped node %d key %d; want key %d (node's key %d)", dir, step, got.node, got.key, want, model[got.node])
				}
				delete(model, got.node)
				pops++
			}
			for i, it := range hp.items {
				if int(st[it.node].pos[dir]) != i {
					t.Fatalf("dir %d step %d: node %d at slot %d records slot %d", dir, step, it.node, i, st[it.node].pos[dir])
				}
			}
		}
		if len(hp.items) != len(model) || pops == 0 || decreases == 0 {
			t.Fatalf("dir %d: heap holds %d entries, want %d; %d pops, %d decreases", dir, len(hp.items), len(model), pops, decreases)
		}
	}
}

// TestShortcutHopCounts checks the hop counts the contraction priority
// uses: every recorded arc stands for exactly as many original arcs as its
// unpacking has, on random graphs contracted with the default order.
func TestShortcutHopCounts(t *testing.T) {
	for seed := range uint64(12) {
		g := randomGraph(newRand(100+seed), 10+int(seed)*6)
		c := newContractor(g, ContractOptions{})
		// The same loop as Contract, without lazy updates: any order is valid.
		order := make([]uint32, 0, g.NumNodes())
		done := make([]bool, g.NumNodes())
		for len(order) < g.NumNodes() {
			best, bp := -1, int64(0)
			for v := range done {
				if !done[v] {
					if p := c.priority(uint32(v)); best < 0 || p < bp {
						best, bp = v, p
					}
				}
			}
			if err := c.contract(uint32(best)); err != nil {
				t.Fatal(err)
			}
			done[best] = true
			order = append(order, uint32(best))
		}
		h, err := c.hierarchy(order)
		if err != nil {
			t.Fatal(err)
		}
		// hierarchy sorted each recorded list into its CSR order.
		shortcuts := 0
		for r, v := range order {
			for dir, lists := range [2][][]warc{c.up, c.down} {
				base, flag := h.fFirst[r], uint32(0)
				if dir == 1 {
					base, flag = h.bFirst[r], downArc
				}
				for i, a := range lists[v] {
					interior := refInterior(h, (base+uint32(i))|flag, nil)
					if int(a.hops) != len(interior)+1 {
						t.Fatalf("seed %d: arc %d-%d (mid %d) has %d hops, unpacks into %d arcs", seed, v, a.n, a.mid, a.hops, len(interior)+1)
					}
					if a.mid >= 0 {
						shortcuts++
					}
				}
			}
		}
		if seed == 11 && shortcuts == 0 {
			t.Fatal("no shortcuts: the test checks nothing")
		}
	}
}

// checkQueryRec compares the unpacking record of query arc i, stored at
// rank r in direction dir, with the CSR data it is derived from: the cached
// interior's range, the long-shortcut flag and the arc's last node.
func checkQueryRec(t *testing.T, h *Hierarchy, dir int, r, i uint32) {
	t.Helper()
	rec := h.qRec[i]
	p := rec.pos &^ longBit
	kids, expFirst, end := h.fKids, h.fExpFirst, h.node[h.qArcs[i].head]
	if dir == bwd {
		kids, expFirst, end = h.bKids, h.bExpFirst, h.node[r]
	}
	long := kids[p].mid >= 0 && expFirst[p] == expFirst[p+1]
	if rec.lo != expFirst[p] || rec.hi != expFirst[p+1] || rec.end != end || (rec.pos&longBit != 0) != long {
		t.Fatalf("rank %d dir %d query arc %d: record %+v; want interior [%d, %d), end %d, long %v",
			r, dir, i, rec, expFirst[p], expFirst[p+1], end, long)
	}
}

// TestQueryArcsSortedByWeight checks the query layout the early loop exits
// rely on: every list sorted by weight, qPos a permutation of the node's
// CSR range, and a saved and reloaded hierarchy with the same layout.
func TestQueryArcsSortedByWeight(t *testing.T) {
	for seed := range uint64(8) {
		g := randomGraph(newRand(200+seed), 20+int(seed)*10)
		h, err := Contract(g, ContractOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for r := 0; r < h.n; r++ {
			for dir, first := range [2][]uint32{h.fFirst, h.bFirst} {
				lo, hi := h.qFirst[2*r+dir], h.qFirst[2*r+dir+1]
				if hi-lo != first[r+1]-first[r] {
					t.Fatalf("seed %d rank %d dir %d: %d query arcs, %d in the CSR", seed, r, dir, hi-lo, first[r+1]-first[r])
				}
				seen := map[uint32]bool{}
				for i := lo; i < hi; i++ {
					if i > lo && h.qArcs[i].w < h.qArcs[i-1].w {
						t.Fatalf("seed %d rank %d dir %d: weights not sorted: %v", seed, r, dir, h.qArcs[lo:hi])
					}
					p := h.qRec[i].pos &^ longBit
					if p < first[r] || p >= first[r+1] || seen[p] {
						t.Fatalf("seed %d rank %d dir %d: position %d outside [%d, %d) or repeated", seed, r, dir, p, first[r], first[r+1])
					}
					seen[p] = true
					checkQueryRec(t, h, dir, uint32(r), i)
				}
			}
		}
		h2 := reloaded(t, h)
		if !slices.Equal(h.qArcs, h2.qArcs) || !slices.Equal(h.qRec, h2.qRec) {
			t.Fatalf("seed %d: reloaded hierarchy has a different query layout", seed)
		}
	}
}
