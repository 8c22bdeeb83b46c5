package quadtree

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sysdesign-go/sysdesign/geohash"
)

func TestNearestWithinSetAll(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 1))
	tr, _ := New[int](Options{LeafSize: 4})
	var hs []Handle
	for i := 0; i < 3000; i++ {
		lat, lon := randPoint(r)
		h, _ := tr.Insert(lat, lon, i)
		hs = append(hs, h)
	}
	for q := 0; q < 200; q++ {
		lat, lon := randPoint(r)
		maxDist := r.Float64() * 2e6
		got := tr.AppendNearestWithin(nil, lat, lon, 15, maxDist)
		var want []float64
		for _, h := range hs {
			plat, plon, _, _ := tr.Get(h)
			if d := geohash.Distance(lat, lon, plat, plon); d <= maxDist*(1-1e-9) {
				want = append(want, d)
			}
		}
		slices.Sort(want)
		want = want[:min(15, len(want))]
		if len(got) < len(want) || len(got) > 15 {
			t.Fatalf("AppendNearestWithin gave %d; want %d", len(got), len(want))
		}
		for i, g := range got {
			if g.Dist > maxDist*(1+1e-9) {
				t.Fatalf("result %d at %v m beyond %v", i, g.Dist, maxDist)
			}
			if i < len(want) && g.Dist > want[i]*(1+1e-9)+1e-6 {
				t.Fatalf("result %d at %v m; brute force %v", i, g.Dist, want[i])
			}
		}
	}
	if !tr.Set(hs[7], -1) {
		t.Fatal("Set of a live handle failed")
	}
	if _, _, v, _ := tr.Get(hs[7]); v != -1 {
		t.Fatalf("Get after Set = %d", v)
	}
	seen := 0
	for h, v := range tr.All() {
		_, _, gv, ok := tr.Get(h)
		if !ok || gv != v {
			t.Fatalf("All yields %d=%d; Get says %d %v", h, v, gv, ok)
		}
		seen++
	}
	if seen != tr.Len() {
		t.Fatalf("All yielded %d of %d", seen, tr.Len())
	}
	for range tr.All() {
		break // early stop must not panic
	}
}
