package maps

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/raceflag"
	"github.com/sysdesign-go/sysdesign/internal/shareddata"
	"github.com/sysdesign-go/sysdesign/routing"
)

func TestRunAndorra(t *testing.T) {
	shareddata.Dir(t, "osm")
	var out bytes.Buffer
	if err := Run(context.Background(), &out, nil); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	for _, want := range []string{"Andorra", "© OpenStreetMap contributors", "ETA", "polyline", "same distance"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestRunLuxembourg(t *testing.T) {
	shareddata.Dir(t, "roads")
	if raceflag.Enabled {
		t.Skip("contracting the 114,599-node graph takes too long under -race; TestRunAndorra covers the same code")
	}
	var out bytes.Buffer
	if err := Run(context.Background(), &out, []string{"-data", "luxembourg"}); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	if !strings.Contains(out.String(), "114599 nodes") || !strings.Contains(out.String(), "same distance") || strings.Contains(out.String(), "over 1 nodes") {
		t.Errorf("unexpected report:\n%s", out.String())
	}
}

func TestPlanGrid(t *testing.T) {
	g, src, dst, desc, err := gridData()
	if err != nil {
		t.Fatal(err)
	}
	r, err := plan(g, desc, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	if r.FromSnap > 1 || r.ToSnap > 1 {
		t.Fatalf("corners snapped %v m and %v m away; want exact nodes", r.FromSnap, r.ToSnap)
	}
	// The grid route is at least the Manhattan distance between corners.
	if r.Metres < 2*39*150-1 {
		t.Fatalf("route %.0f m is shorter than the Manhattan distance", r.Metres)
	}
	if w, ok := g.PathWeight(r.Path); !ok || w != r.Weight {
		t.Fatalf("path weighs %d (%v); want %d", w, ok, r.Weight)
	}
	// The polyline decodes to the simplified route within 1e-5 degrees and
	// keeps its endpoints.
	pts := decodePolyline(r.Polyline)
	if len(pts) != r.PolyPoints || len(pts) < 2 {
		t.Fatalf("polyline decodes to %d points; want %d", len(pts), r.PolyPoints)
	}
	first, _ := g.Coord(r.Path[0])
	if math.Abs(pts[0].X-first.X) > 1e-5 || math.Abs(pts[0].Y-first.Y) > 1e-5 {
		t.Fatalf("polyline starts at %v; want %v", pts[0], first)
	}
	var out bytes.Buffer
	if err := Run(context.Background(), &out, []string{"-data", "grid"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "generated 40x40 street grid") {
		t.Fatalf("report does not say the grid is generated:\n%s", out.String())
	}
}

func TestSnapMatchesBruteForce(t *testing.T) {
	g, _, _, _, err := gridData()
	if err != nil {
		t.Fatal(err)
	}
	ix := newNodeIndex(g, 250)
	for i := range 200 {
		p := routing.Point{X: 0.499 + float64(i%20)*0.003, Y: 0.499 + float64(i/20)*0.006}
		got, _ := ix.nearest(p)
		gp, _ := g.Coord(got)
		gd := routing.Haversine(p, gp)
		for v := range g.NumNodes() {
			q, _ := g.Coord(v)
			if d := routing.Haversine(p, q); d < gd-0.5 {
				t.Fatalf("point %v: snapped to %d at %.1f m, but %d is %.1f m away", p, got, gd, v, d)
			}
		}
	}
}

func TestPolylineKnownValue(t *testing.T) {
	// The example of Google's polyline format documentation.
	pts := []routing.Point{{X: -120.2, Y: 38.5}, {X: -120.95, Y: 40.7}, {X: -126.453, Y: 43.252}}
	if got, want := encodePolyline(pts), "_p~iF~ps|U_ulLnnqC_mqNvxq`@"; got != want {
		t.Fatalf("got %q; want %q", got, want)
	}
}

func TestRunBadArgs(t *testing.T) {
	var out bytes.Buffer
	if err := Run(context.Background(), &out, []string{"-data", "mars"}); err == nil {
		t.Fatal("unknown data set: want an error")
	}
	if err := Run(context.Background(), &out, []string{"-data", "grid", "-from", "north"}); err == nil {
		t.Fatal("bad -from: want an error")
	}
}
