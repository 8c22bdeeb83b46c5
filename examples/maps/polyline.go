package maps

import (
	"math"

	"github.com/sysdesign-go/sysdesign/routing"
)

// encodePolyline encodes points (X = longitude, Y = latitude) in the Encoded
// Polyline Algorithm Format at 1e-5 degree precision: deltas of rounded
// lat/lon, zig-zag signed, in 5-bit chunks offset by 63.
func encodePolyline(pts []routing.Point) string {
	var out []byte
	var plat, plon int64
	for _, p := range pts {
		lat := int64(math.Round(p.Y * 1e5))
		lon := int64(math.Round(p.X * 1e5))
		out = appendPolyValue(out, lat-plat)
		out = appendPolyValue(out, lon-plon)
		plat, plon = lat, lon
	}
	return string(out)
}

func appendPolyValue(out []byte, v int64) []byte {
	u := uint64(v) << 1
	if v < 0 {
		u = ^u
	}
	for u >= 0x20 {
		out = append(out, byte(0x20|(u&0x1f))+63)
		u >>= 5
	}
	return append(out, byte(u)+63)
}

// decodePolyline inverts encodePolyline (used by the tests).
func decodePolyline(s string) []routing.Point {
	var pts []routing.Point
	var lat, lon int64
	for i := 0; i < len(s); {
		var vals [2]int64
		for k := range vals {
			var u uint64
			shift := uint(0)
			for i < len(s) {
				b := uint64(s[i]) - 63
				i++
				u |= (b & 0x1f) << shift
				shift += 5
				if b < 0x20 {
					break
				}
			}
			v := int64(u >> 1)
			if u&1 != 0 {
				v = ^v
			}
			vals[k] = v
		}
		lat += vals[0]
		lon += vals[1]
		pts = append(pts, routing.Point{X: float64(lon) / 1e5, Y: float64(lat) / 1e5})
	}
	return pts
}

// simplify keeps the points of a polyline needed to stay within tol metres
// of it (Douglas-Peucker on a local projection).
func simplify(pts []routing.Point, tol float64) []routing.Point {
	if len(pts) <= 2 {
		return pts
	}
	keep := make([]bool, len(pts))
	keep[0], keep[len(pts)-1] = true, true
	cosLat := math.Cos(pts[0].Y * math.Pi / 180)
	xy := func(p routing.Point) (float64, float64) {
		return p.X * metresPerDegree * cosLat, p.Y * metresPerDegree
	}
	type span struct{ a, b int }
	stack := []span{{0, len(pts) - 1}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		ax, ay := xy(pts[s.a])
		bx, by := xy(pts[s.b])
		far, farD := -1, tol
		for i := s.a + 1; i < s.b; i++ {
			px, py := xy(pts[i])
			if d := segmentDist(px, py, ax, ay, bx, by); d > farD {
				far, farD = i, d
			}
		}
		if far >= 0 {
			keep[far] = true
			stack = append(stack, span{s.a, far}, span{far, s.b})
		}
	}
	var out []routing.Point
	for i, k := range keep {
		if k {
			out = append(out, pts[i])
		}
	}
	return out
}

func segmentDist(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	l2 := dx*dx + dy*dy
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, ((px-ax)*dx+(py-ay)*dy)/l2))
	}
	return math.Hypot(px-(ax+t*dx), py-(ay+t*dy))
}
