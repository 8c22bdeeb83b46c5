// Package walbench compares github.com/sysdesign-go/sysdesign/wal with
// github.com/tidwall/wal on the same workloads, beside a plain
// write(+fsync) loop on one file as the ceiling the disk allows.
package walbench

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	sdwal "github.com/sysdesign-go/sysdesign/wal"
	twal "github.com/tidwall/wal"
)

// impl is one log under test. Append and AppendBatch return once the data
// is as durable as the sync setting says.
type impl interface {
	Append(data []byte) error
	AppendBatch(recs [][]byte) error
	Read(i uint64) ([]byte, error)
	// Cursor returns a function that reads the records in order from
	// index 1 with the implementation's own sequential API.
	Cursor() func() error
	Close() error
}

type sysdesign struct{ l *sdwal.Log }

func (s sysdesign) Append(data []byte) error { _, err := s.l.Append(data); return err }
func (s sysdesign) AppendBatch(recs [][]byte) error {
	_, err := s.l.AppendBatch(recs)
	return err
}
func (s sysdesign) Read(i uint64) ([]byte, error) { return s.l.Read(i) }

// Cursor uses wal.Reader, which reads ahead a window of the segment.
func (s sysdesign) Cursor() func() error {
	r := s.l.NewReader(1)
	return func() error {
		_, _, err := r.Next()
		if err == io.EOF {
			r = s.l.NewReader(1)
			_, _, err = r.Next()
		}
		return err
	}
}
func (s sysdesign) Close() error { return s.l.Close() }

// tidwall needs the caller to pick indexes, so concurrent appenders take a
// mutex: it has no group commit, each write is its own fsync.
type tidwall struct {
	mu    sync.Mutex
	l     *twal.Log
	next  uint64
	batch twal.Batch
}

func (t *tidwall) Append(data []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.l.Write(t.next, data); err != nil {
		return err
	}
	t.next++
	return nil
}

func (t *tidwall) AppendBatch(recs [][]byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.batch.Clear()
	for i, r := range recs {
		t.batch.Write(t.next+uint64(i), r)
	}
	if err := t.l.WriteBatch(&t.batch); err != nil {
		return err
	}
	t.next += uint64(len(recs))
	return nil
}

func (t *tidwall) Read(i uint64) ([]byte, error) { return t.l.Read(i) }

// Cursor calls Read with increasing indexes: tidwall/wal has no reader
// but keeps recently read segments in memory.
func (t *tidwall) Cursor() func() error {
	i := uint64(0)
	return func() error {
		i = i%(t.next-1) + 1
		_, err := t.l.Read(i)
		return err
	}
}
func (t *tidwall) Close() error { return t.l.Close() }

// plainFile is the ceiling: length-prefixed records written to one file
// with one write call per Append or batch, and one fsync when syncing.
// It cannot read.
type plainFile struct {
	mu   sync.Mutex
	f    *os.File
	sync bool
	buf  []byte
}

func (p *plainFile) AppendBatch(recs [][]byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = p.buf[:0]
	for _, r := range recs {
		p.buf = binary.LittleEndian.AppendUint32(p.buf, uint32(len(r)))
		p.buf = append(p.buf, r...)
	}
	if _, err := p.f.Write(p.buf); err != nil {
		return err
	}
	if p.sync {
		return p.f.Sync()
	}
	return nil
}

func (p *plainFile) Append(data []byte) error    { return p.AppendBatch([][]byte{data}) }
func (p *plainFile) Read(uint64) ([]byte, error) { return nil, fmt.Errorf("not supported") }
func (p *plainFile) Cursor() func() error {
	return func() error { return fmt.Errorf("not supported") }
}
func (p *plainFile) Close() error { return p.f.Close() }

const ceiling = "write+fsync"

func open(b *testing.B, name string, sync bool) impl {
	b.Helper()
	dir := b.TempDir()
	var im impl
	switch name {
	case "sysdesign":
		policy := sdwal.SyncNever
		if sync {
			policy = sdwal.SyncAlways
		}
		l, err := sdwal.Open(dir, &sdwal.Options{Sync: policy})
		if err != nil {
			b.Fatal(err)
		}
		im = sysdesign{l}
	case "sysdesign-buffered":
		// Options.BufferSize: appends return once framed in a 64 KiB
		// buffer (written when full or 10 ms later); a process crash may
		// lose that suffix. Without sync only.
		l, err := sdwal.Open(dir, &sdwal.Options{Sync: sdwal.SyncNever, BufferSize: 64 << 10})
		if err != nil {
			b.Fatal(err)
		}
		im = sysdesign{l}
	case "tidwall":
		l, err := twal.Open(dir, &twal.Options{NoSync: !sync, SegmentSize: 64 << 20})
		if err != nil {
			b.Fatal(err)
		}
		im = &tidwall{l: l, next: 1}
	case ceiling:
		f, err := os.Create(filepath.Join(dir, "plain"))
		if err != nil {
			b.Fatal(err)
		}
		im = &plainFile{f: f, sync: sync}
	}
	b.Cleanup(func() { im.Close() })
	if sync {
		flushAll() // b.Loop and RunParallel start timing after this
	}
	return im
}

var impls = []string{"sysdesign", "tidwall", ceiling}

func syncName(sync bool) string {
	if sync {
		return "always"
	}
	return "never"
}

// BenchmarkWal_Append: one record per call.
func BenchmarkWal_Append(b *testing.B) {
	for _, sync := range []bool{false, true} {
		names := impls
		if !sync {
			names = append([]string{"sysdesign-buffered"}, impls...)
		}
		for _, size := range []int{100, 1024, 16 << 10} {
			for _, name := range names {
				b.Run(fmt.Sprintf("sync=%s/size=%d/impl=%s", syncName(sync), size, name), func(b *testing.B) {
					im := open(b, name, sync)
					data := make([]byte, size)
					b.SetBytes(int64(size))
					b.ReportAllocs()
					for b.Loop() {
						if err := im.Append(data); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
				})
			}
		}
	}
}

// BenchmarkWal_AppendBatch: 100 records of 100 bytes per call.
func BenchmarkWal_AppendBatch(b *testing.B) {
	for _, sync := range []bool{false, true} {
		for _, name := range impls {
			b.Run(fmt.Sprintf("sync=%s/batch=100/size=100/impl=%s", syncName(sync), name), func(b *testing.B) {
				im := open(b, name, sync)
				batch := make([][]byte, 100)
				for i := range batch {
					batch[i] = make([]byte, 100)
				}
				b.SetBytes(100 * 100)
				b.ReportAllocs()
				for b.Loop() {
					if err := im.AppendBatch(batch); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "records/s")
			})
		}
	}
}

// BenchmarkWal_AppendParallel: many goroutines, one 100-byte record per
// call, fsync before returning. sysdesign group-commits; the others
// serialize one fsync per record. Reports the p99 latency of a call.
// writers=1 is a plain loop in one goroutine.
func BenchmarkWal_AppendParallel(b *testing.B) {
	for _, writers := range []int{1, 64} {
		for _, name := range impls {
			b.Run(fmt.Sprintf("sync=always/writers=%d/size=100/impl=%s", writers, name), func(b *testing.B) {
				im := open(b, name, true)
				data := make([]byte, 100)
				var mu sync.Mutex
				var lat []time.Duration
				b.ReportAllocs()
				b.ResetTimer()
				if writers == 1 {
					for b.Loop() {
						t0 := time.Now()
						if err := im.Append(data); err != nil {
							b.Fatal(err)
						}
						lat = append(lat, time.Since(t0))
					}
				} else {
					// RunParallel starts parallelism × GOMAXPROCS goroutines.
					b.SetParallelism(max(1, writers/runtime.GOMAXPROCS(0)))
					b.RunParallel(func(pb *testing.PB) {
						var mine []time.Duration
						for pb.Next() {
							t0 := time.Now()
							if err := im.Append(data); err != nil {
								b.Error(err)
								return
							}
							mine = append(mine, time.Since(t0))
						}
						mu.Lock()
						lat = append(lat, mine...)
						mu.Unlock()
					})
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
				if len(lat) > 0 {
					slices.Sort(lat)
					b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
				}
			})
		}
	}
}

// BenchmarkWal_Read reads 100-byte records from a 100,000-record log: in
// order with each library's sequential API, and at random with Read(i).
func BenchmarkWal_Read(b *testing.B) {
	const n = 100_000
	for _, order := range []string{"sequential", "random"} {
		for _, name := range impls[:2] {
			b.Run(fmt.Sprintf("order=%s/impl=%s", order, name), func(b *testing.B) {
				im := open(b, name, false)
				batch := make([][]byte, 1000)
				for i := range batch {
					batch[i] = make([]byte, 100)
				}
				for range n / len(batch) {
					if err := im.AppendBatch(batch); err != nil {
						b.Fatal(err)
					}
				}
				rng := rand.New(rand.NewPCG(1, 2))
				next := im.Cursor()
				b.ReportAllocs()
				for b.Loop() {
					var err error
					if order == "random" {
						_, err = im.Read(1 + rng.Uint64N(n))
					} else {
						err = next()
					}
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
			})
		}
	}
}

// BenchmarkWal_SyncedBatchInterleaved appends one synced batch of 100
// 100-byte records to each implementation in turn, in the same loop, so
// every one sees the same disk conditions: on a shared, noisy disk this is
// the fairest comparison with the write+fsync ceiling. It reports the mean
// time per batch of each and ours as a fraction of the ceiling's rate.
func BenchmarkWal_SyncedBatchInterleaved(b *testing.B) {
	b.Run("batch=100/size=100/impl=interleaved", func(b *testing.B) {
		ims := make([]impl, len(impls))
		for k, name := range impls {
			ims[k] = open(b, name, true)
		}
		batch := make([][]byte, 100)
		for i := range batch {
			batch[i] = make([]byte, 100)
		}
		total := make([]time.Duration, len(impls))
		for b.Loop() {
			for k, im := range ims {
				t0 := time.Now()
				if err := im.AppendBatch(batch); err != nil {
					b.Fatal(err)
				}
				total[k] += time.Since(t0)
			}
		}
		for k, name := range impls {
			b.ReportMetric(float64(total[k].Microseconds())/1000/float64(b.N), name+"-ms/batch")
		}
		b.ReportMetric(float64(total[2])/float64(total[0]), "sysdesign/ceiling-rate")
	})
}
