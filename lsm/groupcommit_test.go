package lsm

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
)

// TestGroupCommitSharesOneSync queues several Sync writers behind a held
// commit lock, so that one leader commits them all: they must share a
// single log fsync, all be readable, and all survive a reopen.
func TestGroupCommitSharesOneSync(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, &Options{Sync: true})
	if err != nil {
		t.Fatal(err)
	}
	const writers = 8
	db.writeMu.Lock() // no leader can start until every writer is queued
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b Batch
			b.Put(fmt.Appendf(nil, "k%d", i), fmt.Appendf(nil, "v%d", i))
			b.Put(fmt.Appendf(nil, "j%d", i), fmt.Appendf(nil, "w%d", i))
			errs[i] = db.Apply(&b, nil)
		}()
	}
	for {
		db.queueMu.Lock()
		n := len(db.queue)
		db.queueMu.Unlock()
		if n == writers {
			break
		}
		runtime.Gosched()
	}
	db.writeMu.Unlock()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	st := db.Stats()
	if st.CommitBatches != writers || st.CommitGroups != 1 || st.LogSyncs != 1 {
		t.Fatalf("groups %d, batches %d, syncs %d; want 1 group of %d with 1 sync",
			st.CommitGroups, st.CommitBatches, st.LogSyncs, writers)
	}
	check := func(db *DB) {
		t.Helper()
		for i := range writers {
			for _, kv := range [][2]string{{fmt.Sprint("k", i), fmt.Sprint("v", i)}, {fmt.Sprint("j", i), fmt.Sprint("w", i)}} {
				v, err := db.Get([]byte(kv[0]))
				if err != nil || string(v) != kv[1] {
					t.Fatalf("Get(%s) = %q, %v; want %q", kv[0], v, err, kv[1])
				}
			}
		}
	}
	check(db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check(db)
}

// TestGroupCommitSequential checks that writers that never overlap each
// commit alone, with one fsync per Sync write and none otherwise.
func TestGroupCommitSequential(t *testing.T) {
	db, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range 10 {
		if err := db.Put(fmt.Appendf(nil, "k%d", i), []byte("v"), &WriteOptions{Sync: i%2 == 0}); err != nil {
			t.Fatal(err)
		}
	}
	st := db.Stats()
	if st.CommitGroups != 10 || st.CommitBatches != 10 || st.LogSyncs != 5 {
		t.Fatalf("groups %d, batches %d, syncs %d; want 10, 10, 5", st.CommitGroups, st.CommitBatches, st.LogSyncs)
	}
}
