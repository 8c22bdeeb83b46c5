package quadtree

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sysdesign-go/sysdesign/geohash"
	"github.com/sysdesign-go/sysdesign/internal/raceflag"
)

// model is the brute-force reference: handle -> point.
type model map[Handle]Point[int]

func randPoint(r *rand.Rand) (float64, float64) {
	switch r.IntN(8) {
	case 0:
		return math.Copysign(90-r.Float64()*r.Float64()*3, r.Float64()-0.5), r.Float64()*360 - 180
	case 1:
		return r.Float64()*180 - 90, math.Copysign(180-r.Float64()*r.Float64()*3, r.Float64()-0.5)
	case 2:
		return []float64{-90, 90, 0, 45}[r.IntN(4)], []float64{-180, 180, 0, 90}[r.IntN(4)]
	case 3, 4: // a dense cluster, to force deep splits
		return 48.85 + r.Float64()*0.001, 2.35 + r.Float64()*0.001
	}
	return r.Float64()*180 - 90, r.Float64()*360 - 180
}

// checkInvariants verifies counts, slot back-pointers and leaf ownership.
func checkInvariants[T any](t *testing.T, tr *Tree[T]) {
	t.Helper()
	var walkN func(n *node[T]) int
	walkN = func(n *node[T]) int {
		if n.dead {
			t.Fatal("dead node reachable")
		}
		if n.kids == nil {
			for i, it := range n.items {
				if !n.contains(it.lat, it.lon) {
					t.Fatalf("leaf %+v holds %v,%v", n.bounds(), it.lat, it.lon)
				}
				if s := tr.slots[it.h]; s.leaf != n || int(s.idx) != i {
					t.Fatalf("slot of %d is %p/%d; want %p/%d", it.h, s.leaf, s.idx, n, i)
				}
			}
			if n.count != len(n.items) {
				t.Fatalf("leaf count %d; holds %d", n.count, len(n.items))
			}
			return n.count
		}
		c := 0
		for _, k := range n.kids {
			if k.parent != n {
				t.Fatal("bad parent")
			}
			c += walkN(k)
		}
		if c != n.count {
			t.Fatalf("node count %d; children hold %d", n.count, c)
		}
		if c <= tr.opts.LeafSize/2 {
			t.Fatalf("node with %d points not merged (leaf size %d)", c, tr.opts.LeafSize)
		}
		return c
	}
	if got := walkN(tr.root); got != tr.n {
		t.Fatalf("tree holds %d; Len %d", got, tr.n)
	}
}

func (n *node[T]) bounds() [4]float64 { return [4]float64{n.minLat, n.maxLat, n.minLon, n.maxLon} }

func handles(rs []Result[int]) []Handle {
	hs := make([]Handle, len(rs))
	for i, r := range rs {
		hs[i] = r.Handle
	}
	slices.Sort(hs)
	return hs
}

func inRect(r Rect, lat, lon float64) bool {
	if lat < r.MinLat || lat > r.MaxLat {
		return false
	}
	if r.MinLon <= r.MaxLon {
		return lon >= r.MinLon && lon <= r.MaxLon
	}
	return lon >= r.MinLon || lon <= r.MaxLon
}

func TestAgainstBruteForce(t *testing.T) {
	steps := 20000
	if raceflag.Enabled {
		steps = 5000
	}
	for _, leaf := range []int{2, 8, 32} {
		tr, err := New[int](Options{LeafSize: leaf, MaxDepth: 20})
		if err != nil {
			t.Fatal(err)
		}
		m := model{}
		var live []Handle
		r := rand.New(rand.NewPCG(uint64(leaf), 1))
		for step := 0; step < steps; step++ {
			switch op := r.IntN(10); {
			case op < 5 || len(live) == 0:
				lat, lon := randPoint(r)
				h, err := tr.Insert(lat, lon, step)
				if err != nil {
					t.Fatal(err)
				}
				if _, dup := m[h]; dup {
					t.Fatalf("handle %d reused while live", h)
				}
				m[h] = Point[int]{lat, lon, step}
				live = append(live, h)
			case op < 8:
				h := live[r.IntN(len(live))]
				p := m[h]
				lat, lon := randPoint(r)
				if r.IntN(2) == 0 { // small move, usually inside the leaf
					lat = max(-90, min(90, p.Lat+(r.Float64()-0.5)*1e-4))
					lon = max(-180, min(180, p.Lon+(r.Float64()-0.5)*1e-4))
				}
				if err := tr.Move(h, lat, lon); err != nil {
					t.Fatal(err)
				}
				m[h] = Point[int]{lat, lon, p.Value}
			default:
				i := r.IntN(len(live))
				h := live[i]
				if !tr.Remove(h) {
					t.Fatalf("Remove(%d) = false", h)
				}
				if tr.Remove(h) {
					t.Fatalf("second Remove(%d) = true", h)
				}
				delete(m, h)
				live[i] = live[len(live)-1]
				live = live[:len(live)-1]
			}
			if step%1000 == 999 {
				checkInvariants(t, tr)
				checkQueries(t, tr, m, r)
			}
		}
		for h, p := range m {
			lat, lon, v, ok := tr.Get(h)
			if !ok || lat != p.Lat || lon != p.Lon || v != p.Value {
				t.Fatalf("Get(%d) = %v,%v,%v,%v; want %+v", h, lat, lon, v, ok, p)
			}
		}
	}
}

func checkQueries(t *testing.T, tr *Tree[int], m model, r *rand.Rand) {
	t.Helper()
	for q := 0; q < 20; q++ {
		lat, lon := randPoint(r)
		// box
		lat2, lon2 := randPoint(r)
		rect := Rect{MinLat: min(lat, lat2), MaxLat: max(lat, lat2), MinLon: lon, MaxLon: lon2}
		var want []Handle
		for h, p := range m {
			if inRect(rect, p.Lat, p.Lon) {
				want = append(want, h)
			}
		}
		slices.Sort(want)
		if got := handles(tr.AppendBox(nil, rect)); !slices.Equal(got, want) {
			t.Fatalf("AppendBox(%+v) = %d points; want %d", rect, len(got), len(want))
		}
		if got := tr.CountBox(rect); got != len(want) {
			t.Fatalf("CountBox(%+v) = %d; want %d", rect, got, len(want))
		}
		// radius
		radius := math.Pow(10, r.Float64()*7)
		want = want[:0]
		for h, p := range m {
			if geohash.Distance(lat, lon, p.Lat, p.Lon) <= radius*(1-1e-9) {
				want = append(want, h)
			}
		}
		got := tr.AppendRadius(nil, lat, lon, radius)
		gotH := handles(got)
		for _, h := range want {
			if _, found := slices.BinarySearch(gotH, h); !found {
				t.Fatalf("AppendRadius(%v,%v,%v) misses %d at %v m", lat, lon, radius, h, geohash.Distance(lat, lon, m[h].Lat, m[h].Lon))
			}
		}
		for _, g := range got {
			d := geohash.Distance(lat, lon, g.Lat, g.Lon)
			if d > radius*(1+1e-9)+1e-6 || math.Abs(d-g.Dist) > 1e-6*max(1, d) {
				t.Fatalf("AppendRadius returned %d at %v m (Dist %v); radius %v", g.Handle, d, g.Dist, radius)
			}
		}
		if c := tr.CountRadius(lat, lon, radius); c != len(got) {
			t.Fatalf("CountRadius = %d; AppendRadius found %d", c, len(got))
		}
		// k nearest
		k := 1 + r.IntN(20)
		all := make([]float64, 0, len(m))
		for _, p := range m {
			all = append(all, geohash.Distance(lat, lon, p.Lat, p.Lon))
		}
		slices.Sort(all)
		wantD := all[:min(k, len(all))]
		nn := tr.AppendNearest(nil, lat, lon, k)
		if len(nn) != len(wantD) {
			t.Fatalf("AppendNearest k=%d gave %d; want %d", k, len(nn), len(wantD))
		}
		for i := range nn {
			if math.Abs(nn[i].Dist-wantD[i]) > 1e-6*max(1, wantD[i]) {
				t.Fatalf("AppendNearest(%v,%v,%d)[%d].Dist = %v; want %v", lat, lon, k, i, nn[i].Dist, wantD[i])
			}
			if i > 0 && nn[i].Dist < nn[i-1].Dist {
				t.Fatal("AppendNearest not sorted")
			}
		}
	}
}

func TestLoadMatchesInsert(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	pts := make([]Point[int], 20000)
	for i := range pts {
		lat, lon := randPoint(r)
		pts[i] = Point[int]{lat, lon, i}
	}
	loaded, err := Load(pts, Options{LeafSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, loaded)
	for i, p := range pts {
		lat, lon, v, ok := loaded.Get(Handle(i))
		if !ok || lat != p.Lat || lon != p.Lon || v != i {
			t.Fatalf("Get(%d) after Load = %v %v %v %v", i, lat, lon, v, ok)
		}
	}
	m := model{}
	for i, p := range pts {
		m[Handle(i)] = p
	}
	checkQueries(t, loaded, m, r)
	// The loaded tree keeps working under updates.
	for i := 0; i < 5000; i++ {
		h := Handle(r.IntN(len(pts)))
		if _, ok := m[h]; !ok {
			continue
		}
		if r.IntN(2) == 0 {
			loaded.Remove(h)
			delete(m, h)
			continue
		}
		lat, lon := randPoint(r)
		if err := loaded.Move(h, lat, lon); err != nil {
			t.Fatal(err)
		}
		m[h] = Point[int]{lat, lon, m[h].Value}
	}
	checkInvariants(t, loaded)
	checkQueries(t, loaded, m, r)
}

func TestMoveInLeafIsInPlace(t *testing.T) {
	tr, _ := New[string](Options{})
	h, _ := tr.Insert(10, 10, "a")
	leaf := tr.slots[h].leaf
	if err := tr.Move(h, 10.5, 10.5); err != nil {
		t.Fatal(err)
	}
	if tr.slots[h].leaf != leaf {
		t.Fatal("in-leaf move changed leaf")
	}
	if n := testing.AllocsPerRun(100, func() { _ = tr.Move(h, 11, 11) }); n != 0 {
		t.Errorf("in-leaf Move allocs = %v", n)
	}
}

func TestErrors(t *testing.T) {
	if _, err := New[int](Options{LeafSize: 1}); err == nil {
		t.Error("LeafSize 1 accepted")
	}
	tr, _ := New[int](Options{})
	if _, err := tr.Insert(91, 0, 1); err == nil {
		t.Error("lat 91 accepted")
	}
	if _, err := tr.Insert(0, math.NaN(), 1); err == nil {
		t.Error("NaN accepted")
	}
	if err := tr.Move(3, 0, 0); err == nil {
		t.Error("Move of missing handle")
	}
	if _, err := Load([]Point[int]{{Lat: 0, Lon: 200}}, Options{}); err == nil {
		t.Error("Load of bad point")
	}
	if got := tr.AppendNearest(nil, 0, 0, 5); len(got) != 0 {
		t.Error("nearest in empty tree")
	}
}

func TestQueriesDoNotAllocate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	pts := make([]Point[int], 10000)
	for i := range pts {
		pts[i] = Point[int]{r.Float64()*180 - 90, r.Float64()*360 - 180, i}
	}
	tr, _ := Load(pts, Options{})
	buf := make([]Result[int], 0, 1000)
	tr.AppendNearest(buf, 1, 1, 10) // warm the pool
	if n := testing.AllocsPerRun(100, func() {
		buf = tr.AppendBox(buf[:0], Rect{MinLat: 0, MinLon: 0, MaxLat: 5, MaxLon: 5})
		buf = tr.AppendRadius(buf[:0], 1, 1, 300000)
		buf = tr.AppendNearest(buf[:0], 1, 1, 10)
		_ = tr.CountBox(Rect{MinLat: 0, MinLon: 170, MaxLat: 5, MaxLon: -170})
	}); n != 0 && !raceflag.Enabled {
		t.Errorf("queries allocate %v times", n)
	}
}
