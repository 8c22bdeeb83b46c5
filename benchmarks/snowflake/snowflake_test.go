// Package snowflakebench compares sysdesign/snowflake with
// bwmarrin/snowflake and sony/sonyflake. Classic layouts (bwmarrin's and
// ours) are capped at 4,096 IDs per millisecond, 244 ns per ID; sonyflake at
// 256 per 10 ms, 39 µs per ID. The ids/s metric shows how close each comes to
// its ceiling.
package snowflakebench

import (
	"testing"
	"time"

	bwmarrin "github.com/bwmarrin/snowflake"
	"github.com/sony/sonyflake"
	"github.com/sysdesign-go/sysdesign/snowflake"
)

func rate(b *testing.B, perOp float64) {
	b.ReportMetric(float64(b.N)*perOp/b.Elapsed().Seconds(), "ids/s")
}

type generator struct {
	name string
	next func() error
}

func generators(b *testing.B) []generator {
	ours, err := snowflake.New(snowflake.Config{Machine: 1})
	if err != nil {
		b.Fatal(err)
	}
	bw, err := bwmarrin.NewNode(1)
	if err != nil {
		b.Fatal(err)
	}
	sf, err := sonyflake.New(sonyflake.Settings{MachineID: func() (uint16, error) { return 1, nil }})
	if err != nil {
		b.Fatal(err)
	}
	return []generator{
		{"sysdesign", func() error { _, err := ours.Next(); return err }},
		{"bwmarrin", func() error { bw.Generate(); return nil }},
		{"sonyflake", func() error { _, err := sf.NextID(); return err }},
	}
}

// BenchmarkSnowflake_Next is one goroutine issuing IDs as fast as it can.
func BenchmarkSnowflake_Next(b *testing.B) {
	for _, g := range generators(b) {
		b.Run("impl="+g.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := g.next(); err != nil {
					b.Fatal(err)
				}
			}
			rate(b, 1)
		})
	}
}

// BenchmarkSnowflake_NextParallel is GOMAXPROCS goroutines sharing one
// generator.
func BenchmarkSnowflake_NextParallel(b *testing.B) {
	for _, g := range generators(b) {
		b.Run("impl="+g.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := g.next(); err != nil {
						b.Error(err)
						return
					}
				}
			})
			rate(b, 1)
		})
	}
}

// BenchmarkSnowflake_Burst measures a burst that the sequence does not
// limit: ours with a layout of 22 sequence bits, IDs taken 256 at a time
// with AppendN (one clock read per batch). No peer has a batch API or a
// configurable layout, so this row has only ours.
func BenchmarkSnowflake_Burst(b *testing.B) {
	l := snowflake.Layout{TimeBits: 41, SequenceBits: 22, Unit: time.Millisecond, Epoch: snowflake.TwitterEpoch}
	g, err := snowflake.New(snowflake.Config{Layout: l, MaxLead: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]snowflake.ID, 0, 256)
		for b.Loop() {
			if buf, err = g.AppendN(buf[:0], 256); err != nil {
				b.Fatal(err)
			}
		}
		rate(b, 256)
		b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(b.N)/256, "ns/id")
	})
}
