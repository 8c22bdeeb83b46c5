package snowflake

import (
	"testing"
	"time"
)

// benchNext times Next on one goroutine with a generator made from cfg and
// reports the rate achieved.
func benchNext(b *testing.B, cfg Config) {
	g, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Next(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
}

// BenchmarkGenerator_Next measures the classic layout, whose ceiling is
// 4,096 IDs per millisecond (244 ns per ID) when saturated.
func BenchmarkGenerator_Next(b *testing.B) { benchNext(b, Config{}) }

// BenchmarkGenerator_NextWide measures the cost of one ID when the sequence
// is not the limit (22 sequence bits: 4M IDs per millisecond).
func BenchmarkGenerator_NextWide(b *testing.B) {
	l := Layout{TimeBits: 41, SequenceBits: 22, Unit: time.Millisecond, Epoch: TwitterEpoch}
	benchNext(b, Config{Layout: l})
}

// BenchmarkGenerator_NextBorrow measures a burst on the classic layout with
// borrowing on: it is not held to 4,096 IDs per millisecond, so this is the
// cost of one ID and its clock read. The lead allowed (a minute) is more
// than a run borrows; once a generator reaches its MaxLead it is back at
// the layout's ceiling.
func BenchmarkGenerator_NextBorrow(b *testing.B) { benchNext(b, Config{MaxLead: time.Minute}) }

func BenchmarkGenerator_NextParallel(b *testing.B) {
	g, err := New(Config{MaxLead: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := g.Next(); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkGenerator_AppendN measures IDs taken in batches of 256, one clock
// read per batch.
func BenchmarkGenerator_AppendN(b *testing.B) {
	g, err := New(Config{MaxLead: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	buf := make([]ID, 0, 256)
	for b.Loop() {
		if buf, err = g.AppendN(buf[:0], 256); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*256/b.Elapsed().Seconds(), "ids/s")
	b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(b.N)/256, "ns/id")
}
