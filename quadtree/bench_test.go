package quadtree_test

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/sysdesign-go/sysdesign/quadtree"
)

// benchN is the tree size of the package benchmarks (1M in benchmarks/).
const benchN = 100_000

func uniform(n int, seed uint64) []quadtree.Point[int] {
	r := rand.New(rand.NewPCG(seed, 1))
	pts := make([]quadtree.Point[int], n)
	for i := range pts {
		lat := math.Asin(2*r.Float64()-1) * 180 / math.Pi // uniform on the sphere
		pts[i] = quadtree.Point[int]{Lat: lat, Lon: r.Float64()*360 - 180, Value: i}
	}
	return pts
}

func BenchmarkTree_Load(b *testing.B) {
	pts := uniform(benchN, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := quadtree.Load(pts, quadtree.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchN)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}

func BenchmarkTree_Insert(b *testing.B) {
	pts := uniform(benchN, 2)
	b.ReportAllocs()
	tr, _ := quadtree.New[int](quadtree.Options{})
	i := 0
	for b.Loop() {
		if i == len(pts) {
			tr, _ = quadtree.New[int](quadtree.Options{})
			i = 0
		}
		p := pts[i]
		tr.Insert(p.Lat, p.Lon, p.Value)
		i++
	}
}

func BenchmarkTree_Move(b *testing.B) {
	pts := uniform(benchN, 3)
	tr, _ := quadtree.Load(pts, quadtree.Options{})
	r := rand.New(rand.NewPCG(3, 3))
	steps := make([][2]float64, 4096)
	for i := range steps {
		steps[i] = [2]float64{(r.Float64() - 0.5) * 0.01, (r.Float64() - 0.5) * 0.01} // ~500 m moves
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		h := quadtree.Handle(i % benchN)
		lat, lon, _, _ := tr.Get(h)
		s := steps[i&4095]
		tr.Move(h, max(-90, min(90, lat+s[0])), max(-180, min(180, lon+s[1])))
		i++
	}
}

func BenchmarkTree_Nearest(b *testing.B) {
	tr, _ := quadtree.Load(uniform(benchN, 4), quadtree.Options{})
	qs := uniform(1024, 5)
	buf := make([]quadtree.Result[int], 0, 10)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		q := qs[i&1023]
		buf = tr.AppendNearest(buf[:0], q.Lat, q.Lon, 10)
		i++
	}
}

func BenchmarkTree_NearestParallel(b *testing.B) {
	tr, _ := quadtree.Load(uniform(benchN, 4), quadtree.Options{})
	qs := uniform(1024, 5)
	var mu sync.RWMutex
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		buf := make([]quadtree.Result[int], 0, 10)
		i := 0
		for pb.Next() {
			q := qs[i&1023]
			mu.RLock()
			buf = tr.AppendNearest(buf[:0], q.Lat, q.Lon, 10)
			mu.RUnlock()
			i++
		}
	})
}

func BenchmarkTree_Radius(b *testing.B) {
	tr, _ := quadtree.Load(uniform(benchN, 6), quadtree.Options{})
	qs := uniform(1024, 7)
	// ~100 points expected: area fraction 100/benchN of the sphere.
	radius := 6371008.8 * 2 * 0.0316 // solid angle 2π(1-cos a) = 4π·100/n
	buf := make([]quadtree.Result[int], 0, 256)
	found := 0
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		q := qs[i&1023]
		buf = tr.AppendRadius(buf[:0], q.Lat, q.Lon, radius)
		found += len(buf)
		i++
	}
	b.ReportMetric(float64(found)/float64(b.N), "results/op")
}

func BenchmarkTree_Box(b *testing.B) {
	tr, _ := quadtree.Load(uniform(benchN, 8), quadtree.Options{})
	qs := uniform(1024, 9)
	buf := make([]quadtree.Result[int], 0, 256)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		q := qs[i&1023]
		buf = tr.AppendBox(buf[:0], quadtree.Rect{MinLat: q.Lat, MinLon: q.Lon, MaxLat: min(90, q.Lat+3), MaxLon: min(180, q.Lon+3)})
		i++
	}
}
