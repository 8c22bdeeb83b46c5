// Package lsmbench compares sysdesign/lsm with goleveldb and pebble v1 on
// db_bench-style workloads: 16-byte keys, 100-byte values, no sync, no
// compression, 10-bit Bloom filters, 4 MiB memtables and an 8 MiB block
// cache for all three.
//
// The read and overwrite workloads run on a database preloaded with
// LSM_BENCH_N entries in random order (default 200,000; the size is
// LSM_BENCH_N=1000000) and then fully compacted, built once per
// implementation and process.
//
// FillRandom also reports peak-live-MB, the largest live Go heap during the
// run (our configured budget: 3 memtables of 4 MiB plus the 8 MiB cache =
// 20 MiB, plus table indexes and filters; pebble's cache and memtables live
// outside the Go heap when cgo is on, so its figure is not comparable);
// Overwrite reports max-pause-ms, the longest single write (and for ours
// max-stall-ms, the longest wait for a flush or compaction in Stats), and,
// for ours and pebble, w-amp: bytes written to disk (log, flushes,
// compactions) per byte written by the run.
//
// Ours runs three ways: sysdesign (defaults: mapped tables, 64 KiB log
// buffer, so a process crash may lose the last 10 ms of non-Sync writes, as
// with pebble), sysdesign-pread (Options.DisableMmap: pread into the block
// cache) and sysdesign-nobuf (WALBufferSize -1: every write reaches the
// operating system before it returns, as with goleveldb).
//
// Write throughput depends on how much has been written (compaction debt
// grows with the tree), so compare FillRandom and Overwrite at a fixed
// count for every implementation, e.g.
//
//	LSM_BENCH_N=1000000 go test -run '^$' -bench 'LSM_(FillRandom|Overwrite)' -benchtime 400000x -count 5 ./lsm/
package lsmbench

import (
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble"
	pebblebloom "github.com/cockroachdb/pebble/bloom"
	"github.com/syndtr/goleveldb/leveldb"
	"github.com/syndtr/goleveldb/leveldb/filter"
	"github.com/syndtr/goleveldb/leveldb/iterator"
	"github.com/syndtr/goleveldb/leveldb/opt"
	"github.com/syndtr/goleveldb/leveldb/util"
	"github.com/sysdesign-go/sysdesign/lsm"
)

const (
	valueSize = 100
	cacheSize = 8 << 20
	memSize   = 4 << 20
)

func entries() int {
	if n, err := strconv.Atoi(os.Getenv("LSM_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return 200000
}

// key writes the 16-byte key of i: 8 bytes of prefix and i big endian.
func key(buf []byte, i uint64) []byte {
	return binary.BigEndian.AppendUint64(append(buf[:0], "key:user"...), i)
}

// missingKey is a 16-byte key that no workload writes.
func missingKey(buf []byte, i uint64) []byte {
	return binary.BigEndian.AppendUint64(append(buf[:0], "key:miss"...), i)
}

type store interface {
	Put(k, v []byte) error
	Get(k []byte) (found bool, err error)
	Scan() scanner
	Compact() error // full manual compaction
	Close() error
}

type scanner interface {
	First() bool
	Next() bool
	Close() error
}

type impl struct {
	name string
	open func(dir string) (store, error)
}

var impls = []impl{
	{"sysdesign", openOurs},
	{"sysdesign-pread", openOursPread},
	{"sysdesign-nobuf", openOursNoBuf},
	{"goleveldb", openLevelDB},
	{"pebble", openPebble},
}

// ours

type ours struct{ db *lsm.DB }

func openOurs(dir string) (store, error) {
	db, err := lsm.Open(dir, &lsm.Options{CacheSize: cacheSize, MemtableSize: memSize, BloomBitsPerKey: 10})
	return ours{db}, err
}

// openOursPread is openOurs with Options.DisableMmap: table blocks are
// read with pread into the 8 MiB block cache instead of from mapped memory.
func openOursPread(dir string) (store, error) {
	db, err := lsm.Open(dir, &lsm.Options{CacheSize: cacheSize, MemtableSize: memSize, BloomBitsPerKey: 10, DisableMmap: true})
	return ours{db}, err
}

// openOursNoBuf is openOurs with the log buffer off (a negative
// Options.WALBufferSize): every non-Sync write reaches the operating system
// before it returns, as with goleveldb, so a process crash loses none.
func openOursNoBuf(dir string) (store, error) {
	db, err := lsm.Open(dir, &lsm.Options{CacheSize: cacheSize, MemtableSize: memSize, BloomBitsPerKey: 10, WALBufferSize: -1})
	return ours{db}, err
}

func (s ours) Put(k, v []byte) error { return s.db.Put(k, v, nil) }
func (s ours) Get(k []byte) (bool, error) {
	_, err := s.db.Get(k)
	if errors.Is(err, lsm.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
func (s ours) Scan() scanner  { return s.db.NewIter(nil) }
func (s ours) Compact() error { return s.db.Compact(context.Background()) }
func (s ours) Close() error   { return s.db.Close() }

// goleveldb

type ldb struct{ db *leveldb.DB }

func openLevelDB(dir string) (store, error) {
	db, err := leveldb.OpenFile(dir, &opt.Options{
		BlockCacheCapacity: cacheSize,
		WriteBuffer:        memSize,
		Compression:        opt.NoCompression,
		Filter:             filter.NewBloomFilter(10),
	})
	return ldb{db}, err
}

func (s ldb) Put(k, v []byte) error { return s.db.Put(k, v, nil) }
func (s ldb) Get(k []byte) (bool, error) {
	_, err := s.db.Get(k, nil)
	if errors.Is(err, leveldb.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
func (s ldb) Scan() scanner  { return ldbIter{s.db.NewIterator(nil, nil)} }
func (s ldb) Compact() error { return s.db.CompactRange(util.Range{}) }
func (s ldb) Close() error   { return s.db.Close() }

type ldbIter struct{ iterator.Iterator }

func (i ldbIter) Close() error { i.Release(); return i.Error() }

// pebble

type peb struct {
	db    *pebble.DB
	cache *pebble.Cache
}

func openPebble(dir string) (store, error) {
	cache := pebble.NewCache(cacheSize)
	o := &pebble.Options{Cache: cache, MemTableSize: memSize}
	o.Levels = make([]pebble.LevelOptions, 7)
	for i := range o.Levels {
		o.Levels[i] = pebble.LevelOptions{
			BlockSize:    4096,
			Compression:  pebble.NoCompression,
			FilterPolicy: pebblebloom.FilterPolicy(10),
		}
	}
	o.EnsureDefaults()
	db, err := pebble.Open(dir, o)
	if err != nil {
		cache.Unref()
		return nil, err
	}
	return peb{db, cache}, nil
}

func (s peb) Put(k, v []byte) error { return s.db.Set(k, v, pebble.NoSync) }
func (s peb) Get(k []byte) (bool, error) {
	_, closer, err := s.db.Get(k)
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	closer.Close()
	return true, nil
}
func (s peb) Scan() scanner  { it, _ := s.db.NewIter(nil); return it }
func (s peb) Compact() error { return s.db.Compact([]byte("key:"), []byte("key;"), true) }
func (s peb) Close() error {
	err := s.db.Close()
	s.cache.Unref()
	return err
}

// helpers

// writeBytes returns the bytes users wrote and the bytes the store wrote
// to disk for them (log, flushes and compactions), from the store's own
// counters: Stats for ours, Metrics for pebble (its WAL bytes in and
// written, flushed and compacted table bytes). ok is false for goleveldb,
// whose counters do not say this.
func writeBytes(s store) (user, written int64, ok bool) {
	switch s := s.(type) {
	case ours:
		st := s.db.Stats()
		return st.UserBytes, st.WALBytes + st.FlushBytes + st.CompactionWritten, true
	case peb:
		m := s.db.Metrics()
		t := m.Total()
		return int64(m.WAL.BytesIn), int64(m.WAL.BytesWritten + t.BytesFlushed + t.BytesCompacted), true
	}
	return 0, 0, false
}

func openFresh(b *testing.B, im impl) (store, string) {
	b.Helper()
	dir := b.TempDir()
	s, err := im.open(dir)
	if err != nil {
		b.Fatal(err)
	}
	return s, dir
}

func diskBytes(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}

// peakLive samples the Go heap's live bytes (as of the latest GC) every
// 10 ms until stop is called, which returns the peak in MiB. Memory that an
// implementation allocates outside the Go heap (pebble's cache with cgo)
// is not seen.
func peakLive() (stop func() float64) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 {
		close(done)
		<-finished
		return float64(peak) / (1 << 20)
	}
}

func report(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// loaded holds, per implementation, a database preloaded with entries()
// sequential-then-shuffled keys, shared by the read benchmarks.
type loadedDB struct {
	once sync.Once
	s    store
	dir  string
	err  error
}

var preloaded = map[string]*loadedDB{"sysdesign": {}, "sysdesign-pread": {}, "sysdesign-nobuf": {}, "goleveldb": {}, "pebble": {}}

func loaded(b *testing.B, im impl) store {
	b.Helper()
	l := preloaded[im.name]
	l.once.Do(func() {
		l.dir, l.err = os.MkdirTemp("", "lsmbench-"+im.name)
		if l.err != nil {
			return
		}
		if l.s, l.err = im.open(l.dir); l.err != nil {
			return
		}
		n := entries()
		r := rand.New(rand.NewPCG(7, 7))
		perm := r.Perm(n)
		val := make([]byte, valueSize)
		var k []byte
		for _, i := range perm {
			k = key(k, uint64(i))
			if l.err = l.s.Put(k, val); l.err != nil {
				return
			}
		}
		// A full compaction, so every implementation starts the read
		// workloads from a settled tree with no background work pending.
		l.err = l.s.Compact()
	})
	if l.err != nil {
		b.Fatal(l.err)
	}
	return l.s
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, l := range preloaded {
		if l.s != nil {
			l.s.Close()
		}
		if l.dir != "" {
			os.RemoveAll(l.dir)
		}
	}
	os.Exit(code)
}

// Benchmarks

func BenchmarkLSM_FillSeq(b *testing.B) {
	for _, im := range impls {
		b.Run("impl="+im.name, func(b *testing.B) {
			s, dir := openFresh(b, im)
			defer s.Close()
			val := make([]byte, valueSize)
			var k []byte
			i := uint64(0)
			b.ReportAllocs()
			for b.Loop() {
				k = key(k, i)
				i++
				if err := s.Put(k, val); err != nil {
					b.Fatal(err)
				}
			}
			report(b)
			b.ReportMetric(float64(diskBytes(dir))/float64(b.N), "disk-B/entry")
		})
	}
}

func BenchmarkLSM_FillRandom(b *testing.B) {
	for _, im := range impls {
		b.Run("impl="+im.name, func(b *testing.B) {
			s, dir := openFresh(b, im)
			defer s.Close()
			val := make([]byte, valueSize)
			r := rand.New(rand.NewPCG(1, 2))
			var k []byte
			n := uint64(entries())
			runtime.GC()
			stop := peakLive()
			b.ReportAllocs()
			for b.Loop() {
				k = key(k, r.Uint64N(n))
				if err := s.Put(k, val); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(stop(), "peak-live-MB")
			report(b)
			b.ReportMetric(float64(diskBytes(dir))/float64(min(b.N, int(n))), "disk-B/entry")
		})
	}
}

// BenchmarkLSM_Overwrite overwrites random keys of the preloaded database
// and reports the longest single write as max-pause-ms.
func BenchmarkLSM_Overwrite(b *testing.B) {
	for _, im := range impls {
		b.Run("impl="+im.name, func(b *testing.B) {
			s := loaded(b, im)
			val := make([]byte, valueSize)
			val[0] = 1
			r := rand.New(rand.NewPCG(3, 4))
			var k []byte
			n := uint64(entries())
			var longest time.Duration
			user0, written0, hasAmp := writeBytes(s)
			b.ReportAllocs()
			last := time.Now()
			for b.Loop() {
				k = key(k, r.Uint64N(n))
				if err := s.Put(k, val); err != nil {
					b.Fatal(err)
				}
				now := time.Now()
				longest = max(longest, now.Sub(last))
				last = now
			}
			report(b)
			b.ReportMetric(float64(longest.Microseconds())/1000, "max-pause-ms")
			if user1, written1, _ := writeBytes(s); hasAmp && user1 > user0 {
				b.ReportMetric(float64(written1-written0)/float64(user1-user0), "w-amp")
			}
			if o, ok := s.(ours); ok {
				// The longest wait for a flush or compaction since the
				// preload, to tell write stalls from machine hiccups.
				b.ReportMetric(float64(o.db.Stats().LongestStop.Microseconds())/1000, "max-stall-ms")
			}
		})
	}
}

func BenchmarkLSM_ReadRandom(b *testing.B) {
	for _, im := range impls {
		b.Run("impl="+im.name, func(b *testing.B) {
			s := loaded(b, im)
			r := rand.New(rand.NewPCG(5, 6))
			var k []byte
			n := uint64(entries())
			b.ReportAllocs()
			for b.Loop() {
				k = key(k, r.Uint64N(n))
				found, err := s.Get(k)
				if err != nil || !found {
					b.Fatalf("Get(%x) = %v, %v", k, found, err)
				}
			}
			report(b)
		})
	}
}

func BenchmarkLSM_ReadMissing(b *testing.B) {
	for _, im := range impls {
		b.Run("impl="+im.name, func(b *testing.B) {
			s := loaded(b, im)
			r := rand.New(rand.NewPCG(8, 9))
			var k []byte
			b.ReportAllocs()
			for b.Loop() {
				k = missingKey(k, r.Uint64())
				found, err := s.Get(k)
				if err != nil || found {
					b.Fatalf("Get(missing) = %v, %v", found, err)
				}
			}
			report(b)
		})
	}
}

func BenchmarkLSM_ReadSeq(b *testing.B) {
	for _, im := range impls {
		b.Run("impl="+im.name, func(b *testing.B) {
			s := loaded(b, im)
			it := s.Scan()
			defer it.Close()
			it.First()
			b.ReportAllocs()
			for b.Loop() {
				if !it.Next() {
					it.First()
				}
			}
			report(b)
		})
	}
}
