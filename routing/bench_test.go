package routing

import (
	"math/rand/v2"
	"testing"
)

func benchPairs(n, k int) [][2]int {
	rng := rand.New(rand.NewPCG(42, 42))
	p := make([][2]int, k)
	for i := range p {
		p[i] = [2]int{rng.IntN(n), rng.IntN(n)}
	}
	return p
}

func BenchmarkSearch_OneToAll(b *testing.B) {
	g, _ := loadLux(b)
	s := NewSearch(g)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := s.OneToAll(i % g.NumNodes()); err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}

func benchQuery(b *testing.B, f func(src, dst int) (Result, error), n int) {
	pairs := benchPairs(n, 1000)
	b.ReportAllocs()
	i, settled := 0, 0
	for b.Loop() {
		p := pairs[i%len(pairs)]
		r, err := f(p[0], p[1])
		if err != nil {
			b.Fatal(err)
		}
		settled += r.Settled
		i++
	}
	b.ReportMetric(float64(settled)/float64(i), "settled/op")
}

func BenchmarkSearch_Dijkstra(b *testing.B) {
	g, _ := loadLux(b)
	benchQuery(b, NewSearch(g).Dijkstra, g.NumNodes())
}

func BenchmarkSearch_Bidirectional(b *testing.B) {
	g, _ := loadLux(b)
	benchQuery(b, NewSearch(g).Bidirectional, g.NumNodes())
}

func BenchmarkSearch_AStar(b *testing.B) {
	g, _ := loadLux(b)
	benchQuery(b, NewSearch(g).AStar, g.NumNodes())
}

func BenchmarkCHQuery_Route(b *testing.B) {
	g, h := loadLux(b)
	benchQuery(b, h.NewQuery().Route, g.NumNodes())
}

func BenchmarkCHQuery_Distance(b *testing.B) {
	g, h := loadLux(b)
	benchQuery(b, h.NewQuery().Distance, g.NumNodes())
}

func BenchmarkCHQuery_RouteParallel(b *testing.B) {
	g, h := loadLux(b)
	pairs := benchPairs(g.NumNodes(), 1000)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		q := h.NewQuery()
		i := 0
		for pb.Next() {
			p := pairs[i%len(pairs)]
			if _, err := q.Route(p[0], p[1]); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

func BenchmarkCHQuery_Table(b *testing.B) {
	g, h := loadLux(b)
	q := h.NewQuery()
	srcs, dsts := seededNodes(1, g.NumNodes(), 100), seededNodes(2, g.NumNodes(), 100)
	table := make([]int64, 100*100)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if table, err = q.Table(srcs, dsts, table); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkContract(b *testing.B) {
	g, _ := loadLux(b)
	b.ReportAllocs()
	var h *Hierarchy
	for b.Loop() {
		var err error
		if h, err = Contract(g, ContractOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(h.NumShortcuts()), "shortcuts")
}

func BenchmarkSearch_ALT(b *testing.B) {
	g, _ := loadLux(b)
	lm, err := NewLandmarks(g, LandmarkOptions{Count: 16})
	if err != nil {
		b.Fatal(err)
	}
	s := NewSearch(g)
	benchQuery(b, func(src, dst int) (Result, error) { return s.ALT(lm, src, dst) }, g.NumNodes())
}
