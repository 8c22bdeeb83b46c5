package wal

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func benchLog(b *testing.B, policy SyncPolicy) *Log {
	b.Helper()
	l, err := Open(b.TempDir(), &Options{Sync: policy})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	return l
}

func BenchmarkLog_Append(b *testing.B) {
	for _, policy := range []SyncPolicy{SyncNever, SyncAlways} {
		for _, size := range []int{100, 1024, 16 << 10} {
			b.Run(fmt.Sprintf("sync=%s/size=%d", policy, size), func(b *testing.B) {
				l := benchLog(b, policy)
				data := make([]byte, size)
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := l.Append(data); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
			})
		}
	}
}

// BenchmarkLog_AppendBuffered is Append of small records with
// Options.BufferSize (64 KiB) against the same log without it: the
// saving of one write system call per record.
func BenchmarkLog_AppendBuffered(b *testing.B) {
	for _, buf := range []int{0, 64 << 10} {
		b.Run(fmt.Sprintf("sync=never/buffer=%d/size=100", buf), func(b *testing.B) {
			l, err := Open(b.TempDir(), &Options{Sync: SyncNever, BufferSize: buf})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			data := make([]byte, 100)
			b.SetBytes(100)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := l.Append(data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

func BenchmarkLog_AppendBatch(b *testing.B) {
	for _, policy := range []SyncPolicy{SyncNever, SyncAlways} {
		b.Run(fmt.Sprintf("sync=%s/batch=100/size=100", policy), func(b *testing.B) {
			l := benchLog(b, policy)
			batch := make([][]byte, 100)
			for i := range batch {
				batch[i] = make([]byte, 100)
			}
			b.SetBytes(100 * 100)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := l.AppendBatch(batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkLog_AppendParallel shows group commit: with SyncAlways, many
// concurrent appenders share each fsync.
func BenchmarkLog_AppendParallel(b *testing.B) {
	for _, writers := range []int{1, 64} {
		b.Run(fmt.Sprintf("sync=always/writers=%d/size=100", writers), func(b *testing.B) {
			l := benchLog(b, SyncAlways)
			data := make([]byte, 100)
			b.SetParallelism(writers) // goroutines = writers × GOMAXPROCS
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := l.Append(data); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

func BenchmarkLog_Read(b *testing.B) {
	l := benchLog(b, SyncNever)
	const n = 100_000
	batch := make([][]byte, 1000)
	for i := range batch {
		batch[i] = make([]byte, 100)
	}
	for range n / len(batch) {
		if _, err := l.AppendBatch(batch); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("order=sequential", func(b *testing.B) {
		b.ReportAllocs()
		r := l.NewReader(1)
		for b.Loop() {
			if _, _, err := r.Next(); err != nil {
				r = l.NewReader(1)
			}
		}
	})
	b.Run("order=random", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(1, 2))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := l.Read(1 + rng.Uint64N(n)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
