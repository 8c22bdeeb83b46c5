// Package routingbench compares sysdesign/routing with
// gonum.org/v1/gonum/graph/path (Dijkstra and A*) on the Luxembourg
// DIMACS10 street graph (114,599 nodes, 239,332 arcs, weights in metres;
// © OpenStreetMap contributors) and the same 1,000 seeded node pairs. The
// benchmarks skip when ../shared/data is absent.
//
// gonum runs on a simple.WeightedDirectedGraph holding the same arcs, with
// DijkstraFromTo (early exit) and AStar with the same admissible Euclidean
// heuristic. Our Bidirectional, ALT and CH have no gonum counterpart and are
// reported with impl=sysdesign only; settled/op is the number of nodes each
// search settled (gonum's A* reports it as "expanded"). The 100 x 100 table
// compares our CH buckets with gonum one-to-all Dijkstra trees (10 sources
// x 100 targets for gonum, whose trees take about 0.1 s each here).
package routingbench

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/cputime"
	"github.com/sysdesign-go/sysdesign/internal/shareddata"
	"github.com/sysdesign-go/sysdesign/routing"
	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/simple"
)

type fixture struct {
	g     *routing.Graph
	h     *routing.Hierarchy
	lm    *routing.Landmarks
	gg    *simple.WeightedDirectedGraph
	scale float64 // metres of weight per metre of straight line, lower bound
	pairs [][2]int
	err   error
}

var (
	once sync.Once
	fx   fixture
)

func load(b *testing.B) *fixture {
	b.Helper()
	dir := shareddata.Dir(b, "roads")
	once.Do(func() {
		gf, err := os.Open(filepath.Join(dir, "luxembourg.osm.graph"))
		if err != nil {
			fx.err = err
			return
		}
		defer gf.Close()
		xf, err := os.Open(filepath.Join(dir, "luxembourg.osm.xyz"))
		if err != nil {
			fx.err = err
			return
		}
		defer xf.Close()
		if fx.g, fx.err = routing.ReadMETIS(gf, xf); fx.err != nil {
			return
		}
		if fx.h, fx.err = routing.Contract(fx.g, routing.ContractOptions{}); fx.err != nil {
			return
		}
		if fx.lm, fx.err = routing.NewLandmarks(fx.g, routing.LandmarkOptions{Count: 16}); fx.err != nil {
			return
		}
		n := fx.g.NumNodes()
		fx.gg = simple.NewWeightedDirectedGraph(0, math.Inf(1))
		for v := range n {
			fx.gg.AddNode(simple.Node(v))
		}
		fx.scale = math.Inf(1)
		for _, a := range fx.g.AllArcs() {
			fx.gg.SetWeightedEdge(simple.WeightedEdge{F: simple.Node(a.From), T: simple.Node(a.To), W: float64(a.Weight)})
			if d := euclid(fx.g, a.From, a.To); d > 0 {
				fx.scale = min(fx.scale, float64(a.Weight)/d)
			}
		}
		rng := rand.New(rand.NewPCG(2026, 10))
		fx.pairs = make([][2]int, 1000)
		for i := range fx.pairs {
			fx.pairs[i] = [2]int{rng.IntN(n), rng.IntN(n)}
		}
	})
	if fx.err != nil {
		b.Fatal(fx.err)
	}
	return &fx
}

func euclid(g *routing.Graph, u, v int) float64 {
	p, _ := g.Coord(u)
	q, _ := g.Coord(v)
	return math.Hypot(p.X-q.X, p.Y-q.Y)
}

// run times f over the seeded pairs and reports settled nodes per query and
// the benchmark thread's CPU time per query (cpu-ns/op), which the load of
// a shared machine inflates less than ns/op.
func run(b *testing.B, f func(src, dst int) (dist float64, settled int)) {
	f0 := &fx
	b.ReportAllocs()
	i, settled := 0, 0
	done := cputime.Start(b)
	defer done()
	for b.Loop() {
		p := f0.pairs[i%len(f0.pairs)]
		d, s := f(p[0], p[1])
		if d <= 0 && p[0] != p[1] {
			b.Fatalf("%v: distance %v", p, d)
		}
		settled += s
		i++
	}
	if settled > 0 {
		b.ReportMetric(float64(settled)/float64(i), "settled/op")
	}
}

func ours(f func(src, dst int) (routing.Result, error)) func(int, int) (float64, int) {
	return func(s, t int) (float64, int) {
		r, err := f(s, t)
		if err != nil {
			panic(err)
		}
		return float64(r.Dist), r.Settled
	}
}

func BenchmarkRouting_Dijkstra(b *testing.B) {
	f := load(b)
	b.Run("impl=sysdesign", func(b *testing.B) {
		run(b, ours(routing.NewSearch(f.g).Dijkstra))
	})
	b.Run("impl=gonum", func(b *testing.B) {
		run(b, func(s, t int) (float64, int) {
			_, w := path.DijkstraFromTo(simple.Node(s), simple.Node(t), f.gg)
			return w, 0
		})
	})
}

func BenchmarkRouting_AStar(b *testing.B) {
	f := load(b)
	b.Run("impl=sysdesign", func(b *testing.B) {
		run(b, ours(routing.NewSearch(f.g).AStar))
	})
	b.Run("impl=gonum", func(b *testing.B) {
		h := func(x, y graph.Node) float64 { return f.scale * euclid(f.g, int(x.ID()), int(y.ID())) }
		run(b, func(s, t int) (float64, int) {
			sp, expanded := path.AStar(simple.Node(s), simple.Node(t), f.gg, h)
			return sp.WeightTo(int64(t)), expanded
		})
	})
}

func BenchmarkRouting_Bidirectional(b *testing.B) {
	f := load(b)
	b.Run("impl=sysdesign", func(b *testing.B) {
		run(b, ours(routing.NewSearch(f.g).Bidirectional))
	})
}

func BenchmarkRouting_ALT(b *testing.B) {
	f := load(b)
	b.Run("landmarks=16/impl=sysdesign", func(b *testing.B) {
		s := routing.NewSearch(f.g)
		run(b, ours(func(src, dst int) (routing.Result, error) { return s.ALT(f.lm, src, dst) }))
	})
}

// BenchmarkRouting_CH times CH queries that return the path (Route, the
// issue's target) and, as path=none, the same search without unpacking
// (Distance), so the two costs can be told apart.
func BenchmarkRouting_CH(b *testing.B) {
	f := load(b)
	b.Run("impl=sysdesign", func(b *testing.B) {
		run(b, ours(f.h.NewQuery().Route))
	})
	b.Run("path=none/impl=sysdesign", func(b *testing.B) {
		run(b, ours(f.h.NewQuery().Distance))
	})
	b.Run("parallel/impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			q := f.h.NewQuery()
			i := rand.IntN(len(f.pairs))
			for pb.Next() {
				p := f.pairs[i%len(f.pairs)]
				if _, err := q.Route(p[0], p[1]); err != nil {
					panic(err)
				}
				i++
			}
		})
	})
}

func BenchmarkRouting_Contract(b *testing.B) {
	f := load(b)
	b.Run("impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		var h *routing.Hierarchy
		for b.Loop() {
			var err error
			if h, err = routing.Contract(f.g, routing.ContractOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(h.NumShortcuts()), "shortcuts")
		b.ReportMetric(float64(h.Bytes())/(1<<20), "MB")
	})
	b.Run("recontract/impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := f.h.Recontract(f.g, routing.ContractOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkRouting_Table(b *testing.B) {
	f := load(b)
	rng := rand.New(rand.NewPCG(7, 7))
	srcs, dsts := make([]int, 100), make([]int, 100)
	for i := range srcs {
		srcs[i], dsts[i] = rng.IntN(f.g.NumNodes()), rng.IntN(f.g.NumNodes())
	}
	ourTable := func(srcs []int) func(b *testing.B) {
		return func(b *testing.B) {
			q := f.h.NewQuery()
			table := make([]int64, len(srcs)*len(dsts))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if table, err = q.Table(srcs, dsts, table); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("size=100x100/impl=sysdesign", ourTable(srcs))
	// gonum has no many-to-many search: one one-to-all tree per source. At
	// about a second per 10 trees on this graph, it runs on 10 sources.
	b.Run("size=10x100/impl=sysdesign", ourTable(srcs[:10]))
	b.Run("size=10x100/impl=gonum", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, s := range srcs[:10] {
				tree := path.DijkstraFrom(simple.Node(s), f.gg)
				for _, t := range dsts {
					if math.IsInf(tree.WeightTo(int64(t)), 1) {
						b.Fatal("unreachable")
					}
				}
			}
		}
	})
}
