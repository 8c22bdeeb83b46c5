package maps

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/sysdesign-go/sysdesign/routing"
)

// loadLuxembourg reads the DIMACS10 graph. Its coordinates are planar
// metres in an undocumented projection, so they stay planar.
func loadLuxembourg(dir string) (*routing.Graph, error) {
	gf, err := os.Open(filepath.Join(dir, "luxembourg.osm.graph"))
	if err != nil {
		return nil, err
	}
	defer gf.Close()
	xf, err := os.Open(filepath.Join(dir, "luxembourg.osm.xyz"))
	if err != nil {
		return nil, err
	}
	defer xf.Close()
	return routing.ReadMETIS(gf, xf)
}

// bboxPoint returns the point at fractions (fx, fy) of g's bounding box.
func bboxPoint(g *routing.Graph, fx, fy float64) routing.Point {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for v := range g.NumNodes() {
		p, _ := g.Coord(v)
		minX, minY = min(minX, p.X), min(minY, p.Y)
		maxX, maxY = max(maxX, p.X), max(maxY, p.Y)
	}
	return routing.Point{X: minX + fx*(maxX-minX), Y: minY + fy*(maxY-minY)}
}

// generateGrid builds a rows x cols street grid about 150 m apart near
// (0.5 N, 0.5 E) with seeded speeds: every fifth street is a 50 km/h avenue,
// others 30 km/h, and a few streets are one-way. Weights are milliseconds.
func generateGrid(rows, cols int) (*routing.Graph, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	const step = 150.0
	coords := make([]routing.Point, rows*cols)
	for r := range rows {
		for c := range cols {
			coords[r*cols+c] = routing.Point{X: 0.5 + float64(c)*step/metresPerDegree, Y: 0.5 + float64(r)*step/metresPerDegree}
		}
	}
	var arcs []routing.Arc
	add := func(u, v int, avenue bool) {
		kmh := 30.0
		if avenue {
			kmh = 50
		}
		ms := int64(math.Round(routing.Haversine(coords[u], coords[v]) / (kmh / 3.6) * 1000))
		switch rng.IntN(10) {
		case 0:
			arcs = append(arcs, routing.Arc{From: u, To: v, Weight: ms})
		case 1:
			arcs = append(arcs, routing.Arc{From: v, To: u, Weight: ms})
		default:
			arcs = append(arcs, routing.Arc{From: u, To: v, Weight: ms}, routing.Arc{From: v, To: u, Weight: ms})
		}
	}
	for r := range rows {
		for c := range cols {
			v := r*cols + c
			if c+1 < cols {
				add(v, v+1, r%5 == 0)
			}
			if r+1 < rows {
				add(v, v+cols, c%5 == 0)
			}
		}
	}
	g, err := routing.NewGraph(rows*cols, arcs, routing.LonLat, coords)
	if err != nil {
		return nil, err
	}
	g, _ = routing.LargestSCC(g)
	return g, nil
}
