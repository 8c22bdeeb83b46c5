// Package quadtreebench compares sysdesign/quadtree with
// github.com/tidwall/rtree, github.com/dhconnelly/rtreego and
// github.com/kyroy/kdtree on the same points (1M by default, uniform on the
// sphere; QUADTREE_BENCH_POINTS overrides): build, insert, move, box,
// radius (~100 results) and k-nearest (k=10).
//
// The peers are planar: they index (lon, lat) as plane coordinates. Box
// queries mean the same for all. For radius queries the peers search the
// circle's bounding box and filter by haversine distance, which gives the
// same answer as ours. For k-nearest the peers rank by planar distance in
// degrees (their native metric, the cheapest thing they can do), which is
// wrong near the poles and across the antimeridian, while ours ranks by
// great-circle distance; the comparison flatters the peers.
// kyroy/kdtree has no move (its Remove scans the tree), so it has no Move
// row.
package quadtreebench

import (
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/dhconnelly/rtreego"
	"github.com/kyroy/kdtree"
	"github.com/kyroy/kdtree/kdrange"
	tidwall "github.com/tidwall/rtree"

	"github.com/sysdesign-go/sysdesign/geohash"
	"github.com/sysdesign-go/sysdesign/quadtree"
)

func numPoints() int {
	if s := os.Getenv("QUADTREE_BENCH_POINTS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
	}
	return 1_000_000
}

type pt struct{ lat, lon float64 }

func points(n int, seed uint64) []pt {
	r := rand.New(rand.NewPCG(seed, 1))
	ps := make([]pt, n)
	for i := range ps {
		ps[i] = pt{math.Asin(2*r.Float64()-1) * 180 / math.Pi, r.Float64()*360 - 180}
	}
	return ps
}

// rPoint is a point stored in rtreego.
type rPoint struct {
	id       int
	lat, lon float64
}

func (p *rPoint) Bounds() rtreego.Rect { return rtreego.Point{p.lon, p.lat}.ToRect(0) }

// kPoint is a point stored in kdtree.
type kPoint struct {
	id       int
	lat, lon float64
}

func (p *kPoint) Dimensions() int { return 2 }
func (p *kPoint) Dimension(i int) float64 {
	if i == 0 {
		return p.lon
	}
	return p.lat
}

// The trees are built once per process and shared by the query benchmarks.
var (
	once    sync.Once
	data    []pt
	twPos   []pt // tidwall's current positions (it keeps none by id)
	ours    *quadtree.Tree[int]
	tw      *tidwall.RTreeG[int]
	rg      *rtreego.Rtree
	rgItems []*rPoint
	kd      *kdtree.KDTree
)

func build(b *testing.B) {
	once.Do(func() {
		data = points(numPoints(), 1)
		qp := make([]quadtree.Point[int], len(data))
		objs := make([]rtreego.Spatial, len(data))
		rgItems = make([]*rPoint, len(data))
		kps := make([]kdtree.Point, len(data))
		tw = &tidwall.RTreeG[int]{}
		twPos = append([]pt(nil), data...)
		for i, p := range data {
			qp[i] = quadtree.Point[int]{Lat: p.lat, Lon: p.lon, Value: i}
			rgItems[i] = &rPoint{i, p.lat, p.lon}
			objs[i] = rgItems[i]
			kps[i] = &kPoint{i, p.lat, p.lon}
			tw.Insert([2]float64{p.lon, p.lat}, [2]float64{p.lon, p.lat}, i)
		}
		var err error
		if ours, err = quadtree.Load(qp, quadtree.Options{}); err != nil {
			panic(err)
		}
		rg = rtreego.NewTree(2, 25, 50, objs...)
		kd = kdtree.New(kps)
	})
	b.ResetTimer()
}

func queries(n int) []pt { return points(n, 99) }

// radiusFor returns the radius that holds about want points on average.
func radiusFor(want int) float64 {
	frac := float64(want) / float64(numPoints()) // solid-angle fraction of the sphere
	return math.Acos(1-2*frac) * geohash.EarthRadius
}

func BenchmarkQuadtree_Load(b *testing.B) {
	ps := points(numPoints(), 2)
	b.Run("impl=sysdesign", func(b *testing.B) {
		qp := make([]quadtree.Point[int], len(ps))
		for i, p := range ps {
			qp[i] = quadtree.Point[int]{Lat: p.lat, Lon: p.lon, Value: i}
		}
		b.ReportAllocs()
		var before, after runtime.MemStats
		for b.Loop() {
			b.StopTimer()
			runtime.GC()
			runtime.ReadMemStats(&before)
			b.StartTimer()
			t, err := quadtree.Load(qp, quadtree.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			runtime.KeepAlive(t)
			b.StartTimer()
		}
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(len(ps)), "bytes/point")
	})
	b.Run("impl=rtreego", func(b *testing.B) { // bulk load (OMT)
		objs := make([]rtreego.Spatial, len(ps))
		for i, p := range ps {
			objs[i] = &rPoint{i, p.lat, p.lon}
		}
		b.ReportAllocs()
		for b.Loop() {
			_ = rtreego.NewTree(2, 25, 50, objs...)
		}
	})
	b.Run("impl=kdtree", func(b *testing.B) { // balanced build
		kps := make([]kdtree.Point, len(ps))
		for i, p := range ps {
			kps[i] = &kPoint{i, p.lat, p.lon}
		}
		b.ReportAllocs()
		for b.Loop() {
			_ = kdtree.New(kps)
		}
	})
	b.Run("impl=tidwall", func(b *testing.B) { // no bulk load: inserts
		b.ReportAllocs()
		for b.Loop() {
			var t tidwall.RTreeG[int]
			for i, p := range ps {
				t.Insert([2]float64{p.lon, p.lat}, [2]float64{p.lon, p.lat}, i)
			}
		}
	})
}

// BenchmarkQuadtree_Insert inserts into a tree that grows to the bench size
// and starts again.
func BenchmarkQuadtree_Insert(b *testing.B) {
	ps := points(numPoints(), 3)
	n := len(ps)
	b.Run("impl=sysdesign", func(b *testing.B) {
		t, _ := quadtree.New[int](quadtree.Options{})
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i == n {
				t, _ = quadtree.New[int](quadtree.Options{})
				i = 0
			}
			t.Insert(ps[i].lat, ps[i].lon, i)
			i++
		}
	})
	b.Run("impl=tidwall", func(b *testing.B) {
		t := &tidwall.RTreeG[int]{}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i == n {
				t, i = &tidwall.RTreeG[int]{}, 0
			}
			t.Insert([2]float64{ps[i].lon, ps[i].lat}, [2]float64{ps[i].lon, ps[i].lat}, i)
			i++
		}
	})
	b.Run("impl=rtreego", func(b *testing.B) {
		t := rtreego.NewTree(2, 25, 50)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i == n {
				t, i = rtreego.NewTree(2, 25, 50), 0
			}
			t.Insert(&rPoint{i, ps[i].lat, ps[i].lon})
			i++
		}
	})
	b.Run("impl=kdtree", func(b *testing.B) {
		t := kdtree.New(nil)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i == n {
				t, i = kdtree.New(nil), 0
			}
			t.Insert(&kPoint{i, ps[i].lat, ps[i].lon})
			i++
		}
	})
}

func BenchmarkQuadtree_Box(b *testing.B) {
	build(b)
	qs := queries(1024)
	const side = 2.0 // degrees; ~30 points at 1M uniform near the equator
	b.Run("impl=sysdesign", func(b *testing.B) {
		buf := make([]quadtree.Result[int], 0, 1024)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			q := qs[i&1023]
			buf = ours.AppendBox(buf[:0], quadtree.Rect{MinLat: q.lat, MinLon: q.lon, MaxLat: min(90, q.lat+side), MaxLon: min(180, q.lon+side)})
			i++
		}
	})
	b.Run("impl=tidwall", func(b *testing.B) {
		buf := make([]int, 0, 1024)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			q := qs[i&1023]
			buf = buf[:0]
			tw.Search([2]float64{q.lon, q.lat}, [2]float64{min(180, q.lon+side), min(90, q.lat+side)}, func(_, _ [2]float64, id int) bool {
				buf = append(buf, id)
				return true
			})
			i++
		}
	})
	b.Run("impl=rtreego", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			q := qs[i&1023]
			r, _ := rtreego.NewRectFromPoints(rtreego.Point{q.lon, q.lat}, rtreego.Point{min(180, q.lon+side), min(90, q.lat+side)})
			_ = rg.SearchIntersect(r)
			i++
		}
	})
	b.Run("impl=kdtree", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			q := qs[i&1023]
			_ = kd.RangeSearch(kdrange.New(q.lon, min(180, q.lon+side), q.lat, min(90, q.lat+side)))
			i++
		}
	})
}

func BenchmarkQuadtree_Radius(b *testing.B) {
	build(b)
	qs := queries(1024)
	radius := radiusFor(100)
	type bbox struct{ minLat, maxLat, minLon, maxLon float64 }
	bounds := make([][]bbox, len(qs))
	for i, q := range qs {
		bs, n := geohash.CircleBounds(q.lat, q.lon, radius)
		for _, bx := range bs[:n] {
			bounds[i] = append(bounds[i], bbox{bx.MinLat, bx.MaxLat, bx.MinLon, bx.MaxLon})
		}
	}
	report := func(b *testing.B, found int) {
		b.ReportMetric(float64(found)/float64(b.N), "results/op")
	}
	b.Run("impl=sysdesign", func(b *testing.B) {
		buf := make([]quadtree.Result[int], 0, 1024)
		found := 0
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			q := qs[i&1023]
			buf = ours.AppendRadius(buf[:0], q.lat, q.lon, radius)
			found += len(buf)
			i++
		}
		report(b, found)
	})
	b.Run("impl=tidwall", func(b *testing.B) {
		found := 0
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			q := qs[i&1023]
			for _, bx := range bounds[i&1023] {
				tw.Search([2]float64{bx.minLon, bx.minLat}, [2]float64{bx.maxLon, bx.maxLat}, func(min, _ [2]float64, _ int) bool {
					if geohash.Distance(q.lat, q.lon, min[1], min[0]) <= radius {
						found++
					}
					return true
				})
			}
			i++
		}
		report(b, found)
	})
	b.Run("impl=rtreego", func(b *testing.B) {
		found := 0
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			q := qs[i&1023]
			for _, bx := range bounds[i&1023] {
				r, _ := rtreego.NewRectFromPoints(rtreego.Point{bx.minLon, bx.minLat}, rtreego.Point{bx.maxLon, bx.maxLat})
				for _, s := range rg.SearchIntersect(r) {
					p := s.(*rPoint)
					if geohash.Distance(q.lat, q.lon, p.lat, p.lon) <= radius {
						found++
					}
				}
			}
			i++
		}
		report(b, found)
	})
	b.Run("impl=kdtree", func(b *testing.B) {
		found := 0
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			q := qs[i&1023]
			for _, bx := range bounds[i&1023] {
				for _, s := range kd.RangeSearch(kdrange.New(bx.minLon, bx.maxLon, bx.minLat, bx.maxLat)) {
					p := s.(*kPoint)
					if geohash.Distance(q.lat, q.lon, p.lat, p.lon) <= radius {
						found++
					}
				}
			}
			i++
		}
		report(b, found)
	})
}

func BenchmarkQuadtree_Nearest(b *testing.B) {
	build(b)
	qs := queries(1024)
	const k = 10
	b.Run("impl=sysdesign", func(b *testing.B) {
		buf := make([]quadtree.Result[int], 0, k)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			q := qs[i&1023]
			buf = ours.AppendNearest(buf[:0], q.lat, q.lon, k)
			i++
		}
	})
	b.Run("impl=tidwall", func(b *testing.B) {
		buf := make([]int, 0, k)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			q := qs[i&1023]
			buf = buf[:0]
			tw.Nearby(tidwall.BoxDist[float64, int]([2]float64{q.lon, q.lat}, [2]float64{q.lon, q.lat}, nil),
				func(_, _ [2]float64, id int, _ float64) bool {
					buf = append(buf, id)
					return len(buf) < k
				})
			i++
		}
	})
	b.Run("impl=rtreego", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			q := qs[i&1023]
			_ = rg.NearestNeighbors(k, rtreego.Point{q.lon, q.lat})
			i++
		}
	})
	b.Run("impl=kdtree", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			q := qs[i&1023]
			_ = kd.KNN(&kPoint{-1, q.lat, q.lon}, k)
			i++
		}
	})
}

// BenchmarkQuadtree_Move moves a point by up to ~500 m (moving objects).
// It comes last in the file, so it runs after the queries: it changes the
// shared trees, each impl by its own number of moves.
func BenchmarkQuadtree_Move(b *testing.B) {
	build(b)
	r := rand.New(rand.NewPCG(4, 4))
	steps := make([]pt, 4096)
	for i := range steps {
		steps[i] = pt{(r.Float64() - 0.5) * 0.009, (r.Float64() - 0.5) * 0.009}
	}
	n := len(data)
	clamp := func(lat, lon float64) (float64, float64) {
		return max(-90, min(90, lat)), max(-180, min(180, lon))
	}
	b.Run("impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			h := quadtree.Handle(i % n)
			lat, lon, _, _ := ours.Get(h)
			s := steps[i&4095]
			lat, lon = clamp(lat+s.lat, lon+s.lon)
			if err := ours.Move(h, lat, lon); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("impl=tidwall", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			id := i % n
			p := &twPos[id]
			s := steps[i&4095]
			lat, lon := clamp(p.lat+s.lat, p.lon+s.lon)
			tw.Replace([2]float64{p.lon, p.lat}, [2]float64{p.lon, p.lat}, id, [2]float64{lon, lat}, [2]float64{lon, lat}, id)
			p.lat, p.lon = lat, lon
			i++
		}
	})
	b.Run("impl=rtreego", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			id := i % n
			// rtreego finds an object by its current bounds, so move a copy.
			p := rgItems[id]
			s := steps[i&4095]
			if !rg.Delete(p) {
				b.Fatal("rtreego lost a point")
			}
			lat, lon := clamp(p.lat+s.lat, p.lon+s.lon)
			np := &rPoint{id, lat, lon}
			rg.Insert(np)
			rgItems[id] = np
			i++
		}
	})
}
