package routing

import (
	"bytes"
	"context"
	"errors"
	"math"
	"strings"
	"testing"
)

const metisSquare = `% a 4-cycle
4 4
2 4
1 3
2 4
3 1
`
const xyzSquare = "0 0 0\n3 0 0\n3 4 0\n0 4 0\n"

func TestReadMETIS(t *testing.T) {
	g, err := ReadMETIS(strings.NewReader(metisSquare), strings.NewReader(xyzSquare))
	if err != nil {
		t.Fatal(err)
	}
	if g.NumNodes() != 4 || g.NumArcs() != 8 {
		t.Fatalf("got %d nodes, %d arcs; want 4, 8", g.NumNodes(), g.NumArcs())
	}
	for _, c := range []struct {
		u, v int
		w    int64
	}{{0, 1, 3}, {1, 0, 3}, {1, 2, 4}, {2, 3, 3}, {3, 0, 4}} {
		if w, ok := g.ArcWeight(c.u, c.v); !ok || w != c.w {
			t.Errorf("arc %d->%d: got %d, %v; want %d", c.u, c.v, w, ok, c.w)
		}
	}
	r, err := NewSearch(g).AStar(0, 2)
	if err != nil || r.Dist != 7 {
		t.Fatalf("AStar 0->2: got %d, %v; want 7", r.Dist, err)
	}
}

func TestReadMETISErrors(t *testing.T) {
	for _, c := range []struct {
		name, graph, xyz string
		line             int
		reason           string
	}{
		{"no header", "% only\n", xyzSquare, 1, "missing header"},
		{"bad count", "x 4\n", xyzSquare, 1, "bad node or edge count"},
		{"weighted", "4 4 11\n", xyzSquare, 1, "not supported"},
		{"neighbour range", "4 4\n2 5\n", xyzSquare, 2, "not in 1..4"},
		{"neighbour text", "4 4\n2 b\n", xyzSquare, 2, "not in 1..4"},
		{"too few lines", "4 4\n2 4\n1 3\n", xyzSquare, 3, "adjacency lines"},
		{"too many lines", metisSquare + "1\n", xyzSquare, 7, "more than 4"},
		{"edge count", "4 5\n2 4\n1 3\n2 4\n3 1\n", xyzSquare, 5, "header says 5 edges"},
		{"xyz short", metisSquare, "0 0 0\n", 1, "1 coordinate lines for 4 nodes"},
		{"xyz bad", metisSquare, "0 0 0\n3 zero 0\n", 2, "bad coordinate"},
		{"xyz nan", metisSquare, "0 0 0\nNaN 1 0\n", 2, "bad coordinate"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadMETIS(strings.NewReader(c.graph), strings.NewReader(c.xyz))
			var pe *ParseError
			if !errors.As(err, &pe) || !errors.Is(err, ErrSyntax) {
				t.Fatalf("got %v; want a *ParseError", err)
			}
			if pe.Line != c.line || !strings.Contains(pe.Reason, c.reason) {
				t.Fatalf("got line %d %q; want line %d containing %q", pe.Line, pe.Reason, c.line, c.reason)
			}
		})
	}
}

const grSmall = `c tiny
p sp 3 3
a 1 2 5
a 2 3 7
a 1 3 20
`
const coSmall = `p aux sp co 3
v 1 6000000 45000000
v 2 6001000 45000000
v 3 6002000 45000000
`

func TestReadDIMACS(t *testing.T) {
	g, err := ReadDIMACS(strings.NewReader(grSmall), strings.NewReader(coSmall))
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewSearch(g).Dijkstra(0, 2)
	if err != nil || r.Dist != 12 || len(r.Path) != 3 {
		t.Fatalf("got %+v, %v; want distance 12 via node 1", r, err)
	}
	if _, err := NewSearch(g).Dijkstra(2, 0); !errors.Is(err, ErrNoPath) {
		t.Fatalf("2->0 against one-way arcs: got %v; want ErrNoPath", err)
	}
	p, _ := g.Coord(1)
	if p.X != 6.001 || p.Y != 45 || g.CoordKind() != LonLat {
		t.Fatalf("node 1 at %v (%v); want lon 6.001 lat 45", p, g.CoordKind())
	}
	if _, err := ReadDIMACS(strings.NewReader(grSmall), nil); err != nil {
		t.Fatalf("without coordinates: %v", err)
	}
}

func TestReadDIMACSErrors(t *testing.T) {
	for _, c := range []struct {
		name, gr, co string
		format       string
		line         int
		reason       string
	}{
		{"arc first", "a 1 2 3\n", "", "dimacs-gr", 1, "before problem"},
		{"bad problem", "p max 3 3\n", "", "dimacs-gr", 1, "p sp n m"},
		{"negative", "p sp 2 1\na 1 2 -4\n", "", "dimacs-gr", 2, "negative weight"},
		{"range", "p sp 2 1\na 1 3 4\n", "", "dimacs-gr", 2, "out of 1..2"},
		{"count", "p sp 2 2\na 1 2 4\n", "", "dimacs-gr", 2, "1 arcs, problem line says 2"},
		{"junk", "p sp 2 1\nx 1 2 4\n", "", "dimacs-gr", 2, "unknown line type"},
		{"huge weight", "p sp 2 1\na 1 2 99999999999\n", "", "dimacs-gr", 2, "too large"},
		{"co count", grSmall, "p aux sp co 2\n", "dimacs-co", 1, "graph has 3"},
		{"co twice", grSmall, "p aux sp co 3\nv 1 0 0\nv 1 0 0\n", "dimacs-co", 3, "given twice"},
		{"co missing", grSmall, "p aux sp co 3\nv 1 0 0\n", "dimacs-co", 2, "1 coordinates for 3"},
		{"co range", grSmall, "p aux sp co 3\nv 1 900000000 0\n", "dimacs-co", 2, "outside lon/lat"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var co *strings.Reader
			if c.co != "" {
				co = strings.NewReader(c.co)
			}
			var err error
			if co == nil {
				_, err = ReadDIMACS(strings.NewReader(c.gr), nil)
			} else {
				_, err = ReadDIMACS(strings.NewReader(c.gr), co)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v; want a *ParseError", err)
			}
			if pe.Format != c.format || pe.Line != c.line || !strings.Contains(pe.Reason, c.reason) {
				t.Fatalf("got %v; want %s line %d containing %q", pe, c.format, c.line, c.reason)
			}
		})
	}
}

func TestNewGraphErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		arcs []Arc
		want error
	}{
		{"negative", []Arc{{0, 1, -1}}, ErrNegativeWeight},
		{"unknown", []Arc{{0, 5, 1}}, ErrUnknownNode},
		{"range", []Arc{{0, 1, MaxWeight + 1}}, ErrWeightRange},
	} {
		if _, err := NewGraph(3, c.arcs, NoCoords, nil); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v; want %v", c.name, err, c.want)
		}
	}
	// Parallel arcs keep the lightest; self-loops go.
	g, err := NewGraph(2, []Arc{{0, 1, 9}, {0, 1, 4}, {1, 1, 1}}, NoCoords, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := g.ArcWeight(0, 1); g.NumArcs() != 1 || w != 4 {
		t.Fatalf("got %d arcs, weight %d; want 1 arc of weight 4", g.NumArcs(), w)
	}
}

func TestQueryErrors(t *testing.T) {
	g, err := NewGraph(3, []Arc{{0, 1, 1}}, NoCoords, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := Contract(g, ContractOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, q := NewSearch(g), h.NewQuery()
	lm, err := NewLandmarks(g, LandmarkOptions{Count: 2})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewGraph(5, nil, NoCoords, nil)
	otherLM, _ := NewLandmarks(other, LandmarkOptions{Count: 1})
	for _, c := range []struct {
		name string
		err  error
		want error
	}{
		{"Dijkstra unknown", second(s.Dijkstra(0, 3)), ErrUnknownNode},
		{"Dijkstra negative id", second(s.Dijkstra(-1, 0)), ErrUnknownNode},
		{"Dijkstra no path", second(s.Dijkstra(1, 0)), ErrNoPath},
		{"Bidirectional no path", second(s.Bidirectional(0, 2)), ErrNoPath},
		{"AStar no coordinates", second(s.AStar(0, 1)), ErrNoCoordinates},
		{"ALT no path", second(s.ALT(lm, 2, 1)), ErrNoPath},
		{"ALT mismatch", second(s.ALT(otherLM, 0, 1)), ErrMismatch},
		{"CH no path", second(q.Route(1, 0)), ErrNoPath},
		{"CH unknown", second(q.Route(0, 7)), ErrUnknownNode},
		{"CH distance no path", second(q.Distance(1, 0)), ErrNoPath},
		{"CH distance unknown", second(q.Distance(-1, 0)), ErrUnknownNode},
		{"Table unknown", second(q.Table([]int{0}, []int{9}, nil)), ErrUnknownNode},
		{"OneToAll unknown", s.OneToAll(4), ErrUnknownNode},
		{"Recontract mismatch", second(h.Recontract(other, ContractOptions{})), ErrMismatch},
	} {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: got %v; want %v", c.name, c.err, c.want)
		}
	}
	if _, err := NewLandmarks(g, LandmarkOptions{Count: 4}); err == nil {
		t.Error("4 landmarks on 3 nodes: want an error")
	}
	if _, err := ContractInOrder(g, []int{0, 0, 1}, ContractOptions{}); err == nil {
		t.Error("ContractInOrder with a repeated node: want an error")
	}
	// A self-query is distance 0 with a one-node path everywhere.
	for name, r := range map[string]Result{
		"Dijkstra": first(s.Dijkstra(2, 2)), "Bidirectional": first(s.Bidirectional(2, 2)),
		"CH": first(q.Route(2, 2)), "ALT": first(s.ALT(lm, 2, 2)),
	} {
		if r.Dist != 0 || len(r.Path) != 1 || r.Path[0] != 2 {
			t.Errorf("%s 2->2: got %+v; want distance 0, path [2]", name, r)
		}
	}
}

func first[T any](v T, _ error) T        { return v }
func second[T any](_ T, err error) error { return err }

func TestHierarchyCorruption(t *testing.T) {
	g := randomGraph(newRand(1), 30)
	h, err := Contract(g, ContractOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := h.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	for i := range data {
		bad := bytes.Clone(data)
		bad[i] ^= 0x20
		if _, err := ReadHierarchy(bytes.NewReader(bad)); err == nil {
			t.Fatalf("byte %d flipped: want an error", i)
		}
	}
	for k := 0; k < len(data); k += 7 {
		if _, err := ReadHierarchy(bytes.NewReader(data[:k])); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d bytes: got %v; want ErrCorrupt", k, err)
		}
	}
	bad := bytes.Clone(data)
	bad[4] = 9
	if _, err := ReadHierarchy(bytes.NewReader(bad)); !errors.Is(err, ErrVersion) {
		t.Fatalf("version 9: got %v; want ErrVersion", err)
	}
}

func TestHaversine(t *testing.T) {
	// Paris to London, about 343.5 km.
	d := Haversine(Point{2.3522, 48.8566}, Point{-0.1276, 51.5072})
	if math.Abs(d-343_500) > 1500 {
		t.Fatalf("Paris-London: got %.0f m; want about 343,500", d)
	}
}

func TestReadOSMErrors(t *testing.T) {
	_, err := ReadOSM(context.Background(), strings.NewReader("not a pbf file at all"), OSMOptions{})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Format != "osm" {
		t.Fatalf("got %v; want an osm *ParseError", err)
	}
	if _, err := ReadOSM(context.Background(), strings.NewReader(""), OSMOptions{Speeds: map[string]float64{"primary": -5}}); err == nil {
		t.Fatal("negative speed: want an error")
	}
}

func TestWayRules(t *testing.T) {
	for _, c := range []struct {
		tags    map[string]string
		ok      bool
		kmh     float64
		fwd, bw bool
	}{
		{map[string]string{"highway": "residential"}, true, 30, true, true},
		{map[string]string{"highway": "primary", "oneway": "yes", "maxspeed": "80"}, true, 80, true, false},
		{map[string]string{"highway": "primary", "oneway": "-1"}, true, 70, false, true},
		{map[string]string{"highway": "motorway"}, true, 110, true, false},
		{map[string]string{"highway": "motorway", "oneway": "no"}, true, 110, true, true},
		{map[string]string{"highway": "tertiary", "junction": "roundabout"}, true, 50, true, false},
		{map[string]string{"highway": "secondary", "maxspeed": "30 mph"}, true, 30 * 1.609344, true, true},
		{map[string]string{"highway": "secondary", "maxspeed": "none"}, true, 60, true, true},
		{map[string]string{"highway": "footway"}, false, 0, false, false},
		{map[string]string{"highway": "service", "access": "private"}, false, 0, false, false},
		{map[string]string{"building": "yes"}, false, 0, false, false},
	} {
		kmh, fwd, bw, ok := wayRule(tagsOf(c.tags), DefaultSpeeds())
		if ok != c.ok || math.Abs(kmh-c.kmh) > 1e-9 || fwd != c.fwd || bw != c.bw {
			t.Errorf("%v: got %v km/h fwd %v bw %v ok %v; want %v %v %v %v", c.tags, kmh, fwd, bw, ok, c.kmh, c.fwd, c.bw, c.ok)
		}
	}
}
