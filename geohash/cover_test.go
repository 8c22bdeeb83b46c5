package geohash_test

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/sysdesign-go/sysdesign/geohash"
	"github.com/sysdesign-go/sysdesign/internal/raceflag"
)

// coverPoints is the number of random points the covering property tests
// check: 1M by default, 100k under -race; GEOHASH_COVER_POINTS overrides.
func coverPoints(t *testing.T) int {
	n := 1_000_000
	if raceflag.Enabled {
		n = 100_000
	}
	if s := os.Getenv("GEOHASH_COVER_POINTS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		n = v
	}
	return n
}

// randCircle returns a centre (often at a pole or the antimeridian) and a
// radius from 1 m to 5000 km, log-uniform.
func randCircle(r *rand.Rand) (lat, lon, radius float64) {
	lat, lon = randPoint(r)
	return lat, lon, math.Pow(10, r.Float64()*6.7)
}

// pointNear returns a point at most about 1.2*radius from the centre,
// mostly inside the circle and many close to its rim.
func pointNear(r *rand.Rand, lat, lon, radius float64) (float64, float64) {
	d := radius * math.Sqrt(r.Float64()) * 1.2
	if r.IntN(4) == 0 {
		d = radius * (1 - 1e-7*r.Float64())
	}
	return geohash.Destination(lat, lon, r.Float64()*360, d)
}

func inRanges(rs []geohash.Range, h uint64) bool {
	i, _ := slices.BinarySearchFunc(rs, h, func(r geohash.Range, h uint64) int {
		switch {
		case r.Max < h:
			return -1
		case r.Min > h:
			return 1
		}
		return 0
	})
	return i < len(rs) && rs[i].Contains(h)
}

// checkCovering runs the never-miss property for one covering function.
func checkCovering(t *testing.T, name string, seed uint64, cover func(lat, lon, radius float64) []geohash.Range) {
	r := rand.New(rand.NewPCG(seed, 7))
	total, inside := coverPoints(t), 0
	const perCircle = 500
	for n := 0; n < total; n += perCircle {
		lat, lon, radius := randCircle(r)
		rs := cover(lat, lon, radius)
		if len(rs) == 0 {
			t.Fatalf("%s(%v, %v, %v): empty covering", name, lat, lon, radius)
		}
		for i := 0; i < perCircle; i++ {
			plat, plon := pointNear(r, lat, lon, radius)
			if geohash.Distance(lat, lon, plat, plon) > radius {
				continue
			}
			inside++
			if h := geohash.EncodeInt(plat, plon, 64); !inRanges(rs, h) {
				t.Fatalf("%s(%v, %v, %v) misses (%v, %v) at %v m", name, lat, lon, radius, plat, plon, geohash.Distance(lat, lon, plat, plon))
			}
		}
	}
	if inside < total/2 {
		t.Fatalf("only %d of %d points inside their circles", inside, total)
	}
	t.Logf("%s: %d points inside circles, none missed", name, inside)
}

func TestCoverCircleNeverMisses(t *testing.T) {
	checkCovering(t, "CoverCircle", 1, func(lat, lon, radius float64) []geohash.Range {
		cells, err := geohash.CoverCircle(lat, lon, radius, geohash.CoverOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(cells) > 16 {
			t.Fatalf("CoverCircle gave %d cells; want <= 16", len(cells))
		}
		return geohash.Ranges(cells)
	})
}

func TestNineCellsNeverMisses(t *testing.T) {
	checkCovering(t, "NineCells", 2, func(lat, lon, radius float64) []geohash.Range {
		cells, err := geohash.NineCells(lat, lon, radius)
		if err != nil {
			t.Fatal(err)
		}
		if len(cells) > 9 {
			t.Fatalf("NineCells gave %d cells", len(cells))
		}
		return geohash.Ranges(cells)
	})
}

func TestS2CoverNeverMisses(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 7))
	total := coverPoints(t) / 4 // S2 point conversion is slower; a quarter suffices
	for n := 0; n < total; n += 500 {
		lat, lon, radius := randCircle(r)
		cu, err := geohash.S2Cover(lat, lon, radius, geohash.S2Options{})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 500; i++ {
			plat, plon := pointNear(r, lat, lon, radius)
			if geohash.Distance(lat, lon, plat, plon) > radius {
				continue
			}
			if id := geohash.S2Cell(plat, plon, 30); !cu.ContainsCellID(id) {
				t.Fatalf("S2Cover(%v, %v, %v) misses (%v, %v)", lat, lon, radius, plat, plon)
			}
		}
	}
}

func TestCoverBoxNeverMisses(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	for n := 0; n < 2000; n++ {
		lat1, lon1 := randPoint(r)
		lat2, lon2 := randPoint(r)
		b := geohash.Box{MinLat: min(lat1, lat2), MaxLat: max(lat1, lat2), MinLon: lon1, MaxLon: lon2} // may cross the antimeridian
		cells, err := geohash.CoverBox(b, geohash.CoverOptions{MaxCells: 8})
		if err != nil {
			t.Fatal(err)
		}
		rs := geohash.Ranges(cells)
		for i := 0; i < 100; i++ {
			plat := b.MinLat + r.Float64()*(b.MaxLat-b.MinLat)
			span := b.MaxLon - b.MinLon
			if span < 0 {
				span += 360
			}
			plon := b.MinLon + r.Float64()*span
			if plon > 180 {
				plon -= 360
			}
			if !inRanges(rs, geohash.EncodeInt(plat, plon, 64)) {
				t.Fatalf("CoverBox(%+v) misses %v,%v", b, plat, plon)
			}
		}
	}
}

func TestCoverTightness(t *testing.T) {
	// 1 km around Paris: the tight covering's area is far smaller than the
	// nine cells'.
	lat, lon := 48.8566, 2.3522
	area := func(cells []geohash.Cell) float64 {
		a := 0.0
		for _, c := range cells {
			b := c.Box()
			a += (b.MaxLat - b.MinLat) * (b.MaxLon - b.MinLon)
		}
		return a
	}
	tight, _ := geohash.CoverCircle(lat, lon, 1000, geohash.CoverOptions{})
	nine, _ := geohash.NineCells(lat, lon, 1000)
	if len(nine) != 9 || area(tight) >= area(nine)/2 {
		t.Errorf("tight %d cells area %v; nine %d cells area %v", len(tight), area(tight), len(nine), area(nine))
	}
	if p := geohash.PrecisionForRadius(0, 500); p != 6 {
		t.Errorf("PrecisionForRadius(0, 500) = %d; want 6", p)
	}
	if p := geohash.PrecisionForRadius(0, 1e8); p != 0 {
		t.Errorf("PrecisionForRadius(0, 1e8) = %d; want 0", p)
	}
}

func TestDistanceAndBearing(t *testing.T) {
	for _, tc := range []struct {
		lat1, lon1, lat2, lon2 float64
		dist, bearing          float64
	}{
		{0, 0, 0, 1, 111195.08, 90},
		{0, 179.5, 0, -179.5, 111195.08, 90},
		{51.5007, -0.1246, 40.6892, -74.0445, 5574840, 288.3},   // Big Ben to Statue of Liberty
		{89, 0, 89, 180, 222390.16, 0},                          // over the pole
		{-33.8688, 151.2093, -37.8136, 144.9631, 713400, 230.3}, // Sydney to Melbourne
	} {
		d := geohash.Distance(tc.lat1, tc.lon1, tc.lat2, tc.lon2)
		if math.Abs(d-tc.dist) > tc.dist*2e-3 {
			t.Errorf("Distance(%v,%v,%v,%v) = %v; want %v", tc.lat1, tc.lon1, tc.lat2, tc.lon2, d, tc.dist)
		}
		b := geohash.Bearing(tc.lat1, tc.lon1, tc.lat2, tc.lon2)
		if math.Abs(b-tc.bearing) > 0.2 {
			t.Errorf("Bearing(%v,%v,%v,%v) = %v; want %v", tc.lat1, tc.lon1, tc.lat2, tc.lon2, b, tc.bearing)
		}
	}
	r := rand.New(rand.NewPCG(4, 4))
	for i := 0; i < 10000; i++ {
		lat, lon := randPoint(r)
		brg, d := r.Float64()*360, r.Float64()*1e6
		lat2, lon2 := geohash.Destination(lat, lon, brg, d)
		if got := geohash.Distance(lat, lon, lat2, lon2); math.Abs(got-d) > 1e-3 {
			t.Fatalf("Distance(Destination(%v,%v,%v,%v)) = %v", lat, lon, brg, d, got)
		}
	}
}

func TestDistanceToBoxBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	for i := 0; i < 20000; i++ {
		lat, lon := randPoint(r)
		bits := uint(2 + r.IntN(20))
		blat, blon := randPoint(r)
		b := geohash.DecodeInt(geohash.EncodeInt(blat, blon, bits), bits)
		got := geohash.DistanceToBox(lat, lon, b)
		best := math.Inf(1)
		const n = 16
		for a := 0; a <= n; a++ {
			for c := 0; c <= n; c++ {
				plat := b.MinLat + (b.MaxLat-b.MinLat)*float64(a)/n
				plon := b.MinLon + (b.MaxLon-b.MinLon)*float64(c)/n
				best = min(best, geohash.Distance(lat, lon, plat, plon))
			}
		}
		if got > best+1e-6 {
			t.Fatalf("DistanceToBox(%v,%v,%+v) = %v > sampled minimum %v", lat, lon, b, got, best)
		}
		// the sampled grid is within one sample spacing of the true minimum
		diag := geohash.Distance(b.MinLat, b.MinLon, b.MinLat+(b.MaxLat-b.MinLat)/n, b.MinLon+(b.MaxLon-b.MinLon)/n)
		edge := geohash.Distance(b.MaxLat, b.MinLon, b.MaxLat-(b.MaxLat-b.MinLat)/n, b.MinLon+(b.MaxLon-b.MinLon)/n)
		if got < best-max(diag, edge)-1e-6 {
			t.Fatalf("DistanceToBox(%v,%v,%+v) = %v, sampled minimum %v", lat, lon, b, got, best)
		}
	}
}

func TestCoverErrors(t *testing.T) {
	if _, err := geohash.CoverCircle(100, 0, 1, geohash.CoverOptions{}); err == nil {
		t.Error("bad lat: no error")
	}
	if _, err := geohash.CoverCircle(0, 0, -1, geohash.CoverOptions{}); err == nil {
		t.Error("negative radius: no error")
	}
	if _, err := geohash.CoverCircle(0, 0, 1, geohash.CoverOptions{MaxCells: -1}); err == nil {
		t.Error("bad options: no error")
	}
	if _, err := geohash.NineCells(0, 0, math.NaN()); err == nil {
		t.Error("NaN radius: no error")
	}
}

func TestCoverEdgeRadii(t *testing.T) {
	for _, tc := range []struct{ lat, lon, r float64 }{
		{0, 0, 0}, {90, 0, 0}, {-90, 180, 10}, {10, 179.9999, 0}, {0, 0, 3e7}, {45, 45, 2.5e7},
	} {
		cells, err := geohash.CoverCircle(tc.lat, tc.lon, tc.r, geohash.CoverOptions{})
		if err != nil || len(cells) == 0 || len(cells) > 16 {
			t.Fatalf("CoverCircle(%v) = %d cells, %v", tc, len(cells), err)
		}
		if h := geohash.EncodeInt(tc.lat, tc.lon, 64); !inRanges(geohash.Ranges(cells), h) {
			t.Fatalf("CoverCircle(%v) misses its own centre", tc)
		}
		nine, err := geohash.NineCells(tc.lat, tc.lon, tc.r)
		if err != nil || !inRanges(geohash.Ranges(nine), geohash.EncodeInt(tc.lat, tc.lon, 64)) {
			t.Fatalf("NineCells(%v) = %v, %v", tc, nine, err)
		}
	}
	// A radius larger than half the circumference covers the antipode.
	cells, _ := geohash.CoverCircle(10, 20, 2.1e7, geohash.CoverOptions{})
	if !inRanges(geohash.Ranges(cells), geohash.EncodeInt(-10, -160, 64)) {
		t.Fatal("huge circle misses the antipode")
	}
}
