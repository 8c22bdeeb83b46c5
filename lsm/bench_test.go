package lsm

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

func benchKey(buf []byte, i uint64) []byte {
	return binary.BigEndian.AppendUint64(append(buf[:0], "key:user"...), i)
}

func BenchmarkDB_Put(b *testing.B) {
	db, err := Open(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	val := make([]byte, 100)
	var key []byte
	r := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	b.SetBytes(int64(16 + len(val)))
	for b.Loop() {
		key = benchKey(key, r.Uint64())
		if err := db.Put(key, val, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func loadedDB(b *testing.B, n int) *DB {
	b.Helper()
	db, err := Open(b.TempDir(), &Options{CacheSize: 64 << 20})
	if err != nil {
		b.Fatal(err)
	}
	val := make([]byte, 100)
	var key []byte
	var batch Batch
	for i := 0; i < n; i++ {
		key = benchKey(key, uint64(i))
		batch.Put(key, val)
		if batch.Len() == 1000 {
			if err := db.Apply(&batch, nil); err != nil {
				b.Fatal(err)
			}
			batch.Reset()
		}
	}
	if err := db.Compact(context.Background()); err != nil {
		b.Fatal(err)
	}
	return db
}

func BenchmarkDB_Get(b *testing.B) {
	const n = 100000
	db := loadedDB(b, n)
	defer db.Close()
	r := rand.New(rand.NewPCG(3, 4))
	var key []byte
	b.ReportAllocs()
	for b.Loop() {
		key = benchKey(key, r.Uint64N(n))
		if _, err := db.Get(key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDB_GetParallel(b *testing.B) {
	const n = 100000
	db := loadedDB(b, n)
	defer db.Close()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(rand.Uint64(), 4))
		var key []byte
		for pb.Next() {
			key = benchKey(key, r.Uint64N(n))
			if _, err := db.Get(key); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkIterator_Next(b *testing.B) {
	const n = 100000
	db := loadedDB(b, n)
	defer db.Close()
	it := db.NewIter(nil)
	defer it.Close()
	it.First()
	b.ReportAllocs()
	for b.Loop() {
		if !it.Next() {
			it.First()
		}
	}
}

// BenchmarkDB_PutSyncParallel has 8 goroutines per CPU writing with Sync:
// group commit lets them share fsyncs (syncs/op well under 1).
func BenchmarkDB_PutSyncParallel(b *testing.B) {
	db, err := Open(b.TempDir(), &Options{Sync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(rand.Uint64(), 2))
		val := make([]byte, 100)
		var key []byte
		for pb.Next() {
			key = benchKey(key, r.Uint64())
			if err := db.Put(key, val, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
	st := db.Stats()
	b.ReportMetric(float64(st.LogSyncs)/float64(b.N), "syncs/op")
	b.ReportMetric(float64(st.CommitBatches)/float64(max(st.CommitGroups, 1)), "batches/group")
}
