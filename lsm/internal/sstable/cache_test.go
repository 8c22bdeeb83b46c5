package sstable

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
)

// TestCacheRecyclingUnderConcurrency reads a table through a cache far
// smaller than the table from several goroutines, with iterators holding
// blocks while point lookups force evictions, so block buffers are
// recycled constantly: every value must still be the right one.
func TestCacheRecyclingUnderConcurrency(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2))
	es := genEntries(r, 4000)
	path := filepath.Join(t.TempDir(), "t.sst")
	writeTable(t, path, es, WriterOptions{BlockSize: 256, Filter: BloomPolicy{10}})
	cache := NewCache(2048)
	rd := openTable(t, path, cache)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 1))
			it := rd.NewIter(true)
			defer it.Close()
			i := 0
			it.First()
			for q := 0; q < 3000; q++ {
				e := es[r.IntN(len(es))]
				v, _, found, err := rd.Get(e.k)
				if err != nil || !found || !bytes.Equal(v, e.v) {
					errs <- "Get returned a wrong value"
					return
				}
				if !it.Valid() {
					it.First()
					i = 0
				}
				if !bytes.Equal(it.Key(), es[i].k) || !bytes.Equal(it.Value(), es[i].v) {
					errs <- "iterator saw a recycled block"
					return
				}
				it.Next()
				i++
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	// Each of the 16 shards keeps at least its newest block.
	if _, _, size := cache.Stats(); size > 16*1024 {
		t.Fatalf("cache holds %d bytes, capacity 2048", size)
	}
}

// TestCacheBlockRefs checks the reference protocol directly: a block
// evicted while a reader holds it keeps its bytes until released, and the
// last release recycles its buffer.
func TestCacheBlockRefs(t *testing.T) {
	c := NewCache(1024)
	b := c.newBlock(600)
	copy(b.buf, bytes.Repeat([]byte{7}, 600))
	b.Data = b.buf[:600]
	b = c.Insert(1, 0, b) // held by us and the cache
	got := c.Get(1, 0)
	if got != b {
		t.Fatal("Get did not return the inserted block")
	}
	got.Release()
	c.EvictFile(1)
	if c.Get(1, 0) != nil {
		t.Fatal("first block still cached after eviction")
	}
	if !bytes.Equal(b.Data, bytes.Repeat([]byte{7}, 600)) {
		t.Fatal("evicted block changed while referenced")
	}
	if n := b.refs.Load(); n != 1 {
		t.Fatalf("refs = %d, want 1", n)
	}
	b.Release()
	if b.Data != nil {
		t.Fatal("released block kept its data")
	}
}
