package vclock

import (
	"testing"
	"time"
)

func clock16(bump uint64) Clock {
	var c Clock
	for n := uint64(1); n <= 16; n++ {
		for range n {
			c.Increment(n)
		}
	}
	c.Increment(bump)
	return c
}

func BenchmarkClock_Compare(b *testing.B) {
	x, y := clock16(3), clock16(5)
	b.ReportAllocs()
	for b.Loop() {
		if x.Compare(y) != Concurrent {
			b.Fatal("want concurrent")
		}
	}
}

func BenchmarkClock_Merge(b *testing.B) {
	x, y := clock16(3), clock16(5)
	b.ReportAllocs()
	for b.Loop() {
		x.Merge(y)
	}
}

func BenchmarkClock_Increment(b *testing.B) {
	x := clock16(1)
	b.ReportAllocs()
	for b.Loop() {
		x.Increment(9)
	}
}

func BenchmarkClock_MarshalBinary(b *testing.B) {
	x := clock16(1)
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = x.AppendBinary(buf[:0])
	}
	b.ReportMetric(float64(len(buf)), "bytes")
}

func BenchmarkClock_UnmarshalBinary(b *testing.B) {
	data, _ := clock16(1).MarshalBinary()
	b.ReportAllocs()
	var c Clock
	for b.Loop() {
		if err := c.UnmarshalBinary(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPruner_Prune(b *testing.B) {
	p, _ := NewPruner(PruneOptions{Small: 10, Big: 10})
	now := time.Unix(1_700_000_000, 0)
	var full Clock
	for n := range uint64(20) {
		full.IncrementAt(n, now.Add(-time.Duration(n)*time.Hour))
	}
	b.ReportAllocs()
	for b.Loop() {
		c := full.Clone()
		p.Prune(&c, now)
	}
}

func BenchmarkSiblings_Update(b *testing.B) {
	var s Siblings[int]
	ctx := make([]Clock, 3)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c := i % 3
		var d Dot
		s, d = s.Update(ctx[c], uint64(c%2), i)
		ctx[c] = Merged(ctx[c], Of(Entry{Node: d.Node, Counter: d.Counter}))
		i++
	}
}
