// Package maps is the navigation core of a maps service, end to end and
// in-process: it loads a real road network (the Andorra OpenStreetMap
// extract, or the Luxembourg DIMACS10 street graph), snaps two points to
// their nearest road nodes with a grid index, preprocesses a contraction
// hierarchy, routes between them and prints the route's length, travel time
// (ETA), a compact encoded polyline, and the query time against plain
// Dijkstra. Without ../shared/data it says so and routes on a small
// generated street grid instead.
//
//	go run ./examples/tour maps
//	go run ./examples/tour maps -data luxembourg
//	go run ./examples/tour maps -from 42.5063,1.5218 -to 42.5424,1.7336
//
// Map data © OpenStreetMap contributors (ODbL).
package maps

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sysdesign-go/sysdesign/internal/shareddata"
	"github.com/sysdesign-go/sysdesign/routing"
)

// Route is the outcome of one routing run.
type Route struct {
	Source      string // data set description
	Nodes, Arcs int
	Shortcuts   int
	Contract    time.Duration
	FromNode    int
	ToNode      int
	FromSnap    float64 // metres from the requested point to its node
	ToSnap      float64
	Metres      float64 // route length
	Weight      int64   // route weight: milliseconds, or metres for Luxembourg
	Timed       bool    // Weight is a travel time
	LonLat      bool    // coordinates are longitude and latitude
	Path        []int
	Polyline    string
	PolyPoints  int
	CHTime      time.Duration
	CHSettled   int
	DijkTime    time.Duration
	DijkSettled int
}

type place struct {
	name string
	p    routing.Point
}

// Run loads the data, routes and prints the report to w. args: -data
// andorra|luxembourg|grid, -from lat,lon, -to lat,lon.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("maps", flag.ContinueOnError)
	fs.SetOutput(w)
	data := fs.String("data", "andorra", "road network: andorra, luxembourg or grid")
	from := fs.String("from", "", "start as lat,lon (default: a landmark of the data set)")
	to := fs.String("to", "", "destination as lat,lon")
	if err := fs.Parse(args); err != nil {
		return err
	}
	g, src, dst, desc, err := load(ctx, w, *data)
	if err != nil {
		return err
	}
	if (*from != "" || *to != "") && g.CoordKind() != routing.LonLat {
		return errors.New("maps: -from and -to need a data set with longitude and latitude (andorra or grid)")
	}
	if *from != "" {
		if src.p, err = parseLatLon(*from); err != nil {
			return err
		}
		src.name = *from
	}
	if *to != "" {
		if dst.p, err = parseLatLon(*to); err != nil {
			return err
		}
		dst.name = *to
	}
	r, err := plan(g, desc, src, dst)
	if err != nil {
		return err
	}
	report(w, r, src, dst)
	return nil
}

func parseLatLon(s string) (routing.Point, error) {
	a, b, ok := strings.Cut(s, ",")
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if !ok || err1 != nil || err2 != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return routing.Point{}, fmt.Errorf("maps: %q is not lat,lon", s)
	}
	return routing.Point{X: lon, Y: lat}, nil
}

// load returns the graph (with LonLat coordinates), default endpoints and a
// description.
func load(ctx context.Context, w io.Writer, name string) (*routing.Graph, place, place, string, error) {
	switch name {
	case "andorra":
		dir, err := shareddata.Find("osm")
		if err != nil {
			fmt.Fprintf(w, "shared data not found (%v): routing on a generated street grid instead\n", err)
			return gridData()
		}
		f, err := os.Open(filepath.Join(dir, "andorra.osm.pbf"))
		if err != nil {
			return nil, place{}, place{}, "", err
		}
		defer f.Close()
		g, err := routing.ReadOSM(ctx, f, routing.OSMOptions{})
		if err != nil {
			return nil, place{}, place{}, "", err
		}
		return g,
			place{"Andorra la Vella", routing.Point{X: 1.5218, Y: 42.5063}},
			place{"Pas de la Casa", routing.Point{X: 1.7336, Y: 42.5424}},
			"Andorra OpenStreetMap extract, car travel times (© OpenStreetMap contributors)", nil
	case "luxembourg":
		dir, err := shareddata.Find("roads")
		if err != nil {
			fmt.Fprintf(w, "shared data not found (%v): routing on a generated street grid instead\n", err)
			return gridData()
		}
		g, err := loadLuxembourg(dir)
		if err != nil {
			return nil, place{}, place{}, "", err
		}
		return g,
			place{"south of the country", bboxPoint(g, 0.5, 0.1)},
			place{"north of the country", bboxPoint(g, 0.5, 0.9)},
			"Luxembourg DIMACS10 street graph, distances (© OpenStreetMap contributors)", nil
	case "grid":
		return gridData()
	}
	return nil, place{}, place{}, "", fmt.Errorf("maps: unknown data set %q (andorra, luxembourg or grid)", name)
}

func gridData() (*routing.Graph, place, place, string, error) {
	g, err := generateGrid(40, 40)
	if err != nil {
		return nil, place{}, place{}, "", err
	}
	a, _ := g.Coord(0)
	b, _ := g.Coord(g.NumNodes() - 1)
	return g, place{"south-west corner", a}, place{"north-east corner", b},
		"generated 40x40 street grid, car travel times (no shared data)", nil
}

// plan snaps, contracts, routes with CH and times it against Dijkstra.
func plan(g *routing.Graph, desc string, src, dst place) (*Route, error) {
	r := &Route{Source: desc, Nodes: g.NumNodes(), Arcs: g.NumArcs(), Timed: !strings.Contains(desc, "distances"),
		LonLat: g.CoordKind() == routing.LonLat}
	ix := newNodeIndex(g, 250)
	r.FromNode, r.FromSnap = ix.nearest(src.p)
	r.ToNode, r.ToSnap = ix.nearest(dst.p)
	if r.FromNode < 0 || r.ToNode < 0 {
		return nil, errors.New("maps: empty road network")
	}
	start := time.Now()
	h, err := routing.Contract(g, routing.ContractOptions{})
	if err != nil {
		return nil, err
	}
	r.Contract = time.Since(start)
	r.Shortcuts = h.NumShortcuts()

	q := h.NewQuery()
	q.Route(r.FromNode, r.ToNode) // warm the buffers
	const reps = 20
	start = time.Now()
	var res routing.Result
	for range reps {
		if res, err = q.Route(r.FromNode, r.ToNode); err != nil {
			return nil, err
		}
	}
	r.CHTime = time.Since(start) / reps
	r.CHSettled = res.Settled
	r.Weight = res.Dist
	r.Path = append([]int(nil), res.Path...)

	s := routing.NewSearch(g)
	start = time.Now()
	dres, err := s.Dijkstra(r.FromNode, r.ToNode)
	if err != nil {
		return nil, err
	}
	r.DijkTime = time.Since(start)
	r.DijkSettled = dres.Settled
	if dres.Dist != r.Weight {
		return nil, fmt.Errorf("maps: CH distance %d differs from Dijkstra %d", r.Weight, dres.Dist)
	}

	pts := g.AppendCoords(nil, r.Path)
	for i := 1; i < len(pts); i++ {
		r.Metres += distance(g, pts[i-1], pts[i])
	}
	if g.CoordKind() != routing.LonLat {
		return r, nil // a polyline needs longitude and latitude
	}
	simple := simplify(pts, 5)
	r.PolyPoints = len(simple)
	r.Polyline = encodePolyline(simple)
	return r, nil
}

func report(w io.Writer, r *Route, src, dst place) {
	fmt.Fprintf(w, "network: %s: %d nodes, %d arcs\n", r.Source, r.Nodes, r.Arcs)
	fmt.Fprintf(w, "contraction hierarchy: %d shortcuts in %v\n", r.Shortcuts, r.Contract.Round(time.Millisecond))
	format := "%s %s (lat %.5f, lon %.5f): node %d, %.0f m away\n"
	if !r.LonLat {
		format = "%s %s (y %.0f, x %.0f): node %d, %.0f m away\n"
	}
	fmt.Fprintf(w, format, "from", src.name, src.p.Y, src.p.X, r.FromNode, r.FromSnap)
	fmt.Fprintf(w, format, "to  ", dst.name, dst.p.Y, dst.p.X, r.ToNode, r.ToSnap)
	fmt.Fprintf(w, "route: %.1f km over %d nodes", r.Metres/1000, len(r.Path))
	if r.Timed {
		fmt.Fprintf(w, ", ETA %v\n", (time.Duration(r.Weight) * time.Millisecond).Round(time.Second))
	} else {
		fmt.Fprintf(w, " (road length %.1f km; no speeds in this data set)\n", float64(r.Weight)/1000)
	}
	if r.Polyline != "" {
		fmt.Fprintf(w, "polyline (%d points within 5 m, %d chars): %s\n", r.PolyPoints, len(r.Polyline), r.Polyline)
	} else {
		fmt.Fprintln(w, "polyline: none (planar coordinates of unknown projection)")
	}
	speedup := float64(r.DijkTime) / float64(max(r.CHTime, 1))
	fmt.Fprintf(w, "query: CH %v (%d nodes settled) vs Dijkstra %v (%d settled): %.0fx faster, same distance\n",
		r.CHTime.Round(time.Microsecond), r.CHSettled, r.DijkTime.Round(time.Microsecond), r.DijkSettled, speedup)
}
