package routing

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
)

// Metric selects the arc weight [ReadOSM] computes.
type Metric uint8

const (
	// TravelTime weights arcs in milliseconds at the way's speed (the default).
	TravelTime Metric = iota
	// Distance weights arcs in whole metres (at least 1).
	Distance
)

// DefaultSpeeds returns a new map of the car speeds in km/h [ReadOSM] uses
// for each routable highway type when a way has no usable maxspeed: motorway
// 110, trunk 90, primary 70, secondary 60, tertiary 50, unclassified 40,
// residential and road 30, service 20, living_street 10, and the *_link
// types a little slower than their roads. Types not listed are not
// routable. Change a copy and pass it as [OSMOptions.Speeds].
func DefaultSpeeds() map[string]float64 {
	return map[string]float64{
		"motorway": 110, "motorway_link": 60,
		"trunk": 90, "trunk_link": 50,
		"primary": 70, "primary_link": 45,
		"secondary": 60, "secondary_link": 40,
		"tertiary": 50, "tertiary_link": 35,
		"unclassified": 40, "residential": 30, "road": 30,
		"living_street": 10, "service": 20,
	}
}

// OSMOptions configures [ReadOSM]. The zero value routes cars by travel
// time on the largest strongly connected component.
type OSMOptions struct {
	// Metric is the arc weight: TravelTime (default) or Distance.
	Metric Metric
	// Speeds maps routable highway types to default speeds in km/h; nil
	// means DefaultSpeeds(). A way's maxspeed (km/h, or "mph") overrides it.
	Speeds map[string]float64
	// AllComponents keeps every node of the road network. By default only
	// the largest strongly connected component is kept, so that every pair
	// of nodes has a route.
	AllComponents bool
	// Procs is the number of PBF decoding goroutines; 0 means 1.
	Procs int
}

// ReadOSM builds a directed road graph from an OpenStreetMap PBF extract
// (github.com/paulmach/osm/osmpbf). It keeps ways whose highway type has a
// speed, skips those closed to motor vehicles (access, motor_vehicle or
// motorcar = no/private) and areas, and honours oneway=yes/true/1 and
// oneway=-1/reverse, with motorways and roundabouts one-way by default.
// Every node of a kept way becomes a graph node with [LonLat] coordinates
// and its OSM ID as [Graph.ExternalID]; references to nodes missing from the
// extract (ways clipped at its border) split the way there.
//
// Weights are milliseconds at min(maxspeed, ...) or the type's default
// speed, or metres for [Distance]; both are at least 1. Malformed PBF data
// yields a [*ParseError] with Format "osm".
func ReadOSM(ctx context.Context, r io.Reader, opts OSMOptions) (*Graph, error) {
	speeds := opts.Speeds
	if speeds == nil {
		speeds = DefaultSpeeds()
	}
	for k, v := range speeds {
		if !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("routing: speed %v for highway=%s must be positive", v, k)
		}
	}
	procs := max(opts.Procs, 1)
	sc := osmpbf.New(ctx, r, procs)
	defer sc.Close()
	sc.SkipRelations = true

	type way struct {
		nodes   []osm.NodeID
		kmh     float64
		fwd, bw bool
	}
	pos := make(map[osm.NodeID]Point)
	var ways []way
	for sc.Scan() {
		switch o := sc.Object().(type) {
		case *osm.Node:
			pos[o.ID] = Point{o.Lon, o.Lat}
		case *osm.Way:
			kmh, fwd, bw, ok := wayRule(o.Tags, speeds)
			if !ok || len(o.Nodes) < 2 {
				continue
			}
			ids := make([]osm.NodeID, len(o.Nodes))
			for i, wn := range o.Nodes {
				ids[i] = wn.ID
			}
			ways = append(ways, way{ids, kmh, fwd, bw})
		}
	}
	if err := sc.Err(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &ParseError{Format: "osm", Reason: err.Error()}
	}

	index := make(map[osm.NodeID]int)
	var coords []Point
	var ids []int64
	id := func(n osm.NodeID) int {
		if i, ok := index[n]; ok {
			return i
		}
		i := len(coords)
		index[n] = i
		coords = append(coords, pos[n])
		ids = append(ids, int64(n))
		return i
	}
	var arcs []Arc
	for _, w := range ways {
		for i := 1; i < len(w.nodes); i++ {
			a, okA := pos[w.nodes[i-1]]
			b, okB := pos[w.nodes[i]]
			if !okA || !okB || !validLonLat(a) || !validLonLat(b) {
				continue
			}
			metres := Haversine(a, b)
			var wt int64
			if opts.Metric == Distance {
				wt = int64(math.Round(metres))
			} else {
				wt = int64(math.Round(metres / (w.kmh / 3.6) * 1000))
			}
			wt = min(max(wt, 1), MaxWeight)
			u, v := id(w.nodes[i-1]), id(w.nodes[i])
			if w.fwd {
				arcs = append(arcs, Arc{u, v, wt})
			}
			if w.bw {
				arcs = append(arcs, Arc{v, u, wt})
			}
		}
	}
	g, err := NewGraph(len(coords), arcs, LonLat, coords)
	if err != nil {
		return nil, err
	}
	g.ids = ids
	if !opts.AllComponents {
		g, _ = LargestSCC(g)
	}
	return g, nil
}

func validLonLat(p Point) bool {
	return p.X >= -180 && p.X <= 180 && p.Y >= -90 && p.Y <= 90
}

// wayRule decides whether a way is routable, its speed in km/h and its
// directions of travel.
func wayRule(tags osm.Tags, speeds map[string]float64) (kmh float64, fwd, bw, ok bool) {
	hw := tags.Find("highway")
	kmh, ok = speeds[hw]
	if !ok {
		return 0, false, false, false
	}
	for _, k := range [...]string{"access", "motor_vehicle", "motorcar"} {
		if v := tags.Find(k); v == "no" || v == "private" {
			return 0, false, false, false
		}
	}
	if tags.Find("area") == "yes" {
		return 0, false, false, false
	}
	if s, ok := parseMaxspeed(tags.Find("maxspeed")); ok {
		kmh = s
	}
	fwd, bw = true, true
	if hw == "motorway" || tags.Find("junction") == "roundabout" {
		bw = false
	}
	switch tags.Find("oneway") {
	case "yes", "true", "1":
		fwd, bw = true, false
	case "-1", "reverse":
		fwd, bw = false, true
	case "no", "false", "0":
		fwd, bw = true, true
	}
	return kmh, fwd, bw, true
}

// parseMaxspeed reads "50", "50 km/h", "30 mph" or "50;70" (first value).
func parseMaxspeed(s string) (float64, bool) {
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimSpace(s)
	factor := 1.0
	switch {
	case strings.HasSuffix(s, "mph"):
		factor = 1.609344
		s = strings.TrimSpace(strings.TrimSuffix(s, "mph"))
	case strings.HasSuffix(s, "km/h"):
		s = strings.TrimSpace(strings.TrimSuffix(s, "km/h"))
	case strings.HasSuffix(s, "kmh"):
		s = strings.TrimSpace(strings.TrimSuffix(s, "kmh"))
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v >= 1) || v > 300 {
		return 0, false
	}
	return v * factor, true
}
