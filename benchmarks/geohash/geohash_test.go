// Package geohashbench compares sysdesign/geohash with
// github.com/mmcloughlin/geohash on encode, decode and neighbours, and
// checks the two agree on random points. mmcloughlin's EncodeInt runs BMI2
// assembly (PDEP) when the CPU has BMI2 and its pure-Go code otherwise;
// ours is pure Go everywhere. Its other functions are pure Go.
package geohashbench

import (
	"math/rand/v2"
	"testing"

	mm "github.com/mmcloughlin/geohash"
	"github.com/sysdesign-go/sysdesign/geohash"
)

type pt struct{ lat, lon float64 }

func points(n int) []pt {
	r := rand.New(rand.NewPCG(1, 1))
	ps := make([]pt, n)
	for i := range ps {
		ps[i] = pt{r.Float64()*180 - 90, r.Float64()*360 - 180}
	}
	return ps
}

// TestAgreesWithMmcloughlin is a differential test on a million points.
func TestAgreesWithMmcloughlin(t *testing.T) {
	for i, p := range points(1_000_000) {
		if a, b := geohash.EncodeInt(p.lat, p.lon, 64), mm.EncodeInt(p.lat, p.lon); a != b {
			t.Fatalf("point %d %v: EncodeInt %x; mmcloughlin %x", i, p, a, b)
		}
		if i%10 != 0 {
			continue
		}
		s := geohash.Encode(p.lat, p.lon, 1+i%12)
		if want := mm.EncodeWithPrecision(p.lat, p.lon, uint(1+i%12)); s != want {
			t.Fatalf("Encode %q; mmcloughlin %q", s, want)
		}
		box, _ := geohash.Decode(s)
		mb := mm.BoundingBox(s)
		if box.MinLat != mb.MinLat || box.MaxLat != mb.MaxLat || box.MinLon != mb.MinLng || box.MaxLon != mb.MaxLng {
			t.Fatalf("Decode(%q) = %+v; mmcloughlin %+v", s, box, mb)
		}
	}
}

const mask = 1023

func BenchmarkGeohash_EncodeInt(b *testing.B) {
	ps := points(mask + 1)
	var sink uint64
	b.Run("impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			p := ps[i&mask]
			sink += geohash.EncodeInt(p.lat, p.lon, 64)
			i++
		}
	})
	b.Run("impl=mmcloughlin", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			p := ps[i&mask]
			sink += mm.EncodeInt(p.lat, p.lon)
			i++
		}
	})
	_ = sink
}

func BenchmarkGeohash_Encode(b *testing.B) {
	ps := points(mask + 1)
	b.Run("impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			p := ps[i&mask]
			_ = geohash.Encode(p.lat, p.lon, 12)
			i++
		}
	})
	b.Run("impl=mmcloughlin", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			p := ps[i&mask]
			_ = mm.EncodeWithPrecision(p.lat, p.lon, 12)
			i++
		}
	})
}

func BenchmarkGeohash_DecodeInt(b *testing.B) {
	ps := points(mask + 1)
	hs := make([]uint64, len(ps))
	for i, p := range ps {
		hs[i] = mm.EncodeInt(p.lat, p.lon)
	}
	var sink float64
	b.Run("impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			box := geohash.DecodeInt(hs[i&mask], 64)
			sink += box.MinLat + box.MaxLon
			i++
		}
	})
	b.Run("impl=mmcloughlin", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			box := mm.BoundingBoxInt(hs[i&mask])
			sink += box.MinLat + box.MaxLng
			i++
		}
	})
	_ = sink
}

func BenchmarkGeohash_Decode(b *testing.B) {
	ps := points(mask + 1)
	ss := make([]string, len(ps))
	for i, p := range ps {
		ss[i] = mm.Encode(p.lat, p.lon)
	}
	var sink float64
	b.Run("impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			box, err := geohash.Decode(ss[i&mask])
			if err != nil {
				b.Fatal(err)
			}
			sink += box.MinLat
			i++
		}
	})
	b.Run("impl=mmcloughlin", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if err := mm.Validate(ss[i&mask]); err != nil { // ours validates too
				b.Fatal(err)
			}
			box := mm.BoundingBox(ss[i&mask])
			sink += box.MinLat
			i++
		}
	})
	_ = sink
}

func BenchmarkGeohash_NeighborsInt(b *testing.B) {
	ps := points(mask + 1)
	hs := make([]uint64, len(ps))
	for i, p := range ps {
		hs[i] = geohash.EncodeInt(p.lat, p.lon, 40)
	}
	var sink uint64
	b.Run("impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			ns, _ := geohash.NeighborsInt(hs[i&mask], 40)
			sink += ns[0]
			i++
		}
	})
	b.Run("impl=mmcloughlin", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			ns := mm.NeighborsIntWithPrecision(hs[i&mask], 40)
			sink += ns[0]
			i++
		}
	})
	_ = sink
}

func BenchmarkGeohash_Neighbors(b *testing.B) {
	ps := points(mask + 1)
	ss := make([]string, len(ps))
	for i, p := range ps {
		ss[i] = mm.EncodeWithPrecision(p.lat, p.lon, 8)
	}
	b.Run("impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := geohash.Neighbors(ss[i&mask]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("impl=mmcloughlin", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			_ = mm.Neighbors(ss[i&mask])
			i++
		}
	})
}
