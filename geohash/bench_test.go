package geohash_test

import (
	"math/rand/v2"
	"testing"

	"github.com/sysdesign-go/sysdesign/geohash"
)

func benchPoints(n int) []pt {
	r := rand.New(rand.NewPCG(1, 1))
	ps := make([]pt, n)
	for i := range ps {
		ps[i] = pt{r.Float64()*180 - 90, r.Float64()*360 - 180}
	}
	return ps
}

func BenchmarkEncodeInt(b *testing.B) {
	ps := benchPoints(1024)
	var sink uint64
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := ps[i&1023]
		sink += geohash.EncodeInt(p.lat, p.lon, 64)
		i++
	}
	_ = sink
}

func BenchmarkDecodeInt(b *testing.B) {
	ps := benchPoints(1024)
	hs := make([]uint64, len(ps))
	for i, p := range ps {
		hs[i] = geohash.EncodeInt(p.lat, p.lon, 64)
	}
	var sink float64
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		box := geohash.DecodeInt(hs[i&1023], 64)
		sink += box.MinLat
		i++
	}
	_ = sink
}

func BenchmarkEncode(b *testing.B) {
	ps := benchPoints(1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := ps[i&1023]
		_ = geohash.Encode(p.lat, p.lon, 12)
		i++
	}
}

func BenchmarkDecode(b *testing.B) {
	ps := benchPoints(1024)
	ss := make([]string, len(ps))
	for i, p := range ps {
		ss[i] = geohash.Encode(p.lat, p.lon, 12)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := geohash.Decode(ss[i&1023]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkNeighborsInt(b *testing.B) {
	ps := benchPoints(1024)
	hs := make([]uint64, len(ps))
	for i, p := range ps {
		hs[i] = geohash.EncodeInt(p.lat, p.lon, 40)
	}
	var sink uint64
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ns, _ := geohash.NeighborsInt(hs[i&1023], 40)
		sink += ns[3]
		i++
	}
	_ = sink
}

func BenchmarkCoverCircle(b *testing.B) {
	ps := benchPoints(1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := ps[i&1023]
		if _, err := geohash.CoverCircle(p.lat, p.lon, 5000, geohash.CoverOptions{}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkIndex_Nearby(b *testing.B) {
	for _, kind := range []struct {
		name string
		k    geohash.Kind
	}{{"geohash", geohash.KindGeohash}, {"s2", geohash.KindS2}} {
		b.Run("kind="+kind.name, func(b *testing.B) {
			ix, _ := geohash.NewIndex[int](geohash.IndexOptions{Kind: kind.k})
			// 100k points in a 100 km box around Paris.
			r := rand.New(rand.NewPCG(2, 2))
			for i := 0; i < 100_000; i++ {
				ix.Add(i, 48.4+r.Float64()*0.9, 1.7+r.Float64()*1.35)
			}
			qs := benchPoints(0)
			for i := 0; i < 256; i++ {
				qs = append(qs, pt{48.6 + r.Float64()*0.5, 2 + r.Float64()*0.7})
			}
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					q := qs[i&255]
					if _, _, err := ix.Nearby(q.lat, q.lon, 1000, 20, nil); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
		})
	}
}
