package geohash

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestEncodePathsAgree checks the assembly encoder (where built) against
// the pure-Go one, edges included; with -tags purego both are Go.
func TestEncodePathsAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	edges := []float64{-180, -90, -89.9999999, 0, math.Copysign(0, -1), 1e-300, 89.9999998, 89.99999999, 90, 179.9999998, 179.99999999, 180}
	check := func(lat, lon float64) {
		if a, b := encode64(lat, lon), encodeGo(lat, lon); a != b {
			t.Fatalf("encode64(%v, %v) = %x; encodeGo %x", lat, lon, a, b)
		}
	}
	for _, a := range edges {
		for _, b := range edges {
			check(max(-90, min(90, a)), b)
		}
	}
	// Out of range, infinite and NaN inputs take the fallback in the
	// assembly; they must still agree with the Go path.
	odd := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 100, -100, 200, -200, 1e300, -1e300}
	for _, a := range odd {
		check(a, 0)
		check(0, a)
		check(a, a)
	}
	for i := 0; i < 1_000_000; i++ {
		check(r.Float64()*180-90, r.Float64()*360-180)
	}
	for i := 0; i < 100_000; i++ { // near the edges, where the bit tricks are delicate
		check(90-r.Float64()*1e-6, 180-r.Float64()*1e-6)
		check(-90+r.Float64()*1e-6, -180+r.Float64()*1e-6)
	}
	t.Logf("assembly in use: %v", asmInUse())
}
