package bloom

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/cputime"
)

func benchKeys(n int) [][]byte {
	ks := make([][]byte, n)
	for i := range ks {
		ks[i] = binary.LittleEndian.AppendUint64(nil, uint64(i)*0x9e3779b97f4a7c15)
	}
	return ks
}

type adder interface {
	Add([]byte)
	Contains([]byte) bool
}

func benchAddContains(b *testing.B, mk func(n uint64) adder) {
	for _, n := range []int{1_000, 1_000_000} {
		keys := benchKeys(n)
		b.Run(fmt.Sprintf("op=Add/n=%d", n), func(b *testing.B) {
			f := mk(uint64(n))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				f.Add(keys[i%n])
				i++
			}
		})
		b.Run(fmt.Sprintf("op=Contains/n=%d", n), func(b *testing.B) {
			f := mk(uint64(n))
			for _, k := range keys {
				f.Add(k)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				f.Contains(keys[i%n])
				i++
			}
		})
	}
}

func BenchmarkFilter(b *testing.B) {
	benchAddContains(b, func(n uint64) adder { f, _ := New(n, 0.01); return f })
}

func BenchmarkBlocked(b *testing.B) {
	benchAddContains(b, func(n uint64) adder { f, _ := NewBlocked(n, 0.01); return f })
}

func BenchmarkBlocked_ContainsParallel(b *testing.B) {
	const n = 1_000_000
	keys := benchKeys(n)
	f, _ := NewBlocked(n, 0.01)
	for _, k := range keys {
		f.Add(k)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			f.Contains(keys[i%n])
			i++
		}
	})
}

func BenchmarkBlocked_View(b *testing.B) {
	f, _ := NewBlocked(10_000, 0.01)
	data, _ := f.MarshalBinary()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ViewBlocked(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCounting(b *testing.B) {
	benchAddContains(b, func(n uint64) adder { f, _ := NewCounting(n, 0.01); return f })
}

type scalableAdder struct{ *Scalable }

func (s scalableAdder) Add(k []byte) { s.Scalable.Add(k) }

func BenchmarkScalable(b *testing.B) {
	benchAddContains(b, func(n uint64) adder {
		f, _ := NewScalable(0.01, ScalableOptions{})
		return scalableAdder{f}
	})
}

type cuckooAdder struct{ *Cuckoo }

func (c cuckooAdder) Add(k []byte) {
	if c.Cuckoo.Add(k) != nil {
		c.Reset()
	}
}

func BenchmarkCuckoo(b *testing.B) {
	benchAddContains(b, func(n uint64) adder { f, _ := NewCuckoo(n); return cuckooAdder{f} })
}

func BenchmarkCuckoo8(b *testing.B) {
	benchAddContains(b, func(n uint64) adder {
		f, _ := NewCuckooWith(n, CuckooOptions{FingerprintBits: 8})
		return cuckooAdder{f}
	})
}

func BenchmarkFuse_Build(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		hs := make([]uint64, n)
		for i, k := range benchKeys(n) {
			hs[i] = Hash(k)
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			done := cputime.Start(b)
			for b.Loop() {
				if _, err := BuildFuseHashes(hs); err != nil {
					b.Fatal(err)
				}
			}
			done()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/key")
		})
	}
}

func BenchmarkFuse_Contains(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		keys := benchKeys(n)
		f, _ := BuildFuse(keys)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				f.Contains(keys[i%n])
				i++
			}
		})
	}
}
