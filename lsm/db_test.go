package lsm

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysdesign-go/sysdesign/lsm/internal/base"
)

func fill(t *testing.T, db *DB, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := db.Put(fmt.Appendf(nil, "k%05d", i), fmt.Appendf(nil, "value-%d", i), nil); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, o := range []Options{
		{MemtableSize: 10},
		{BlockSize: 1},
		{L0CompactionTrigger: 8, L0SlowdownWrites: 4},
		{L0StopWrites: 5, L0SlowdownWrites: 6},
		{LevelMultiplier: 1},
		{MaxImmutableMemtables: -1},
	} {
		if _, err := Open(t.TempDir(), &o); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("Open(%+v) = %v; want ErrInvalidOptions", o, err)
		}
	}
	var zero Options
	if err := zero.Validate(); err != nil {
		t.Fatalf("zero options: %v", err)
	}
}

func TestDirectoryLock(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, nil); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open = %v; want ErrLocked", err)
	}
	db.Close()
	if err := db.Close(); !errors.Is(err, ErrClosed) {
		t.Fatalf("second Close = %v; want ErrClosed", err)
	}
	if err := db.Put([]byte("k"), nil, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Put after Close = %v; want ErrClosed", err)
	}
	db2, err := Open(dir, nil)
	if err != nil {
		t.Fatalf("reopen after Close: %v", err)
	}
	db2.Close()
}

func TestDeleteAndTombstonesDroppedAtBottom(t *testing.T) {
	db, err := Open(t.TempDir(), smallOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fill(t, db, 2000)
	for i := 0; i < 2000; i++ {
		if err := db.Delete(fmt.Appendf(nil, "k%05d", i), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	it := db.NewIter(nil)
	if it.First() {
		t.Fatalf("key %q survived deletion", it.Key())
	}
	it.Close()
	st := db.Stats()
	for l, ls := range st.Levels {
		if ls.Tables != 0 {
			t.Fatalf("level %d still has %d tables after deleting everything and compacting", l, ls.Tables)
		}
	}
}

// corruptFile flips a byte in the middle of the first file matching glob.
func corruptFile(t *testing.T, glob string) string {
	t.Helper()
	ms, _ := filepath.Glob(glob)
	if len(ms) == 0 {
		t.Fatalf("no file matches %s", glob)
	}
	b, err := os.ReadFile(ms[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x40
	if err := os.WriteFile(ms[0], b, 0o644); err != nil {
		t.Fatal(err)
	}
	return ms[0]
}

func TestCorruptTableNamesFile(t *testing.T) {
	for _, mmap := range []bool{false, true} {
		t.Run(fmt.Sprint("mmap=", mmap), func(t *testing.T) { testCorruptTable(t, mmap) })
	}
}

func testCorruptTable(t *testing.T, mmap bool) {
	dir := t.TempDir()
	opts := &Options{BloomBitsPerKey: -1, CacheSize: -1, DisableMmap: !mmap}
	db, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, db, 3000)
	if err := db.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	name := corruptFile(t, filepath.Join(dir, "*.sst"))
	db, err = Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var cerr *CorruptionError
	it := db.NewIter(nil)
	for ok := it.First(); ok; ok = it.Next() {
	}
	if err := it.Close(); !errors.As(err, &cerr) || !errors.Is(err, ErrCorrupt) || cerr.File != name {
		t.Fatalf("scan error = %v; want *CorruptionError naming %s", err, name)
	}
	bad := 0
	for i := 0; i < 3000; i++ {
		v, err := db.Get(fmt.Appendf(nil, "k%05d", i))
		switch {
		case err == nil:
			if string(v) != fmt.Sprintf("value-%d", i) {
				t.Fatalf("Get returned wrong data %q", v)
			}
		case errors.As(err, &cerr) && cerr.File == name:
			bad++
		default:
			t.Fatalf("Get: %v", err)
		}
	}
	if bad == 0 {
		t.Fatal("no Get reported the corrupt block")
	}
}

func TestCorruptManifestAndLog(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, db, 500)
	db.Close()
	// The log holds the 500 writes (no flush happened).
	name := corruptFile(t, filepath.Join(dir, "*.log", "*.wal"))
	_, err = Open(dir, nil)
	var cerr *CorruptionError
	if !errors.As(err, &cerr) || !strings.Contains(err.Error(), filepath.Base(name)) {
		t.Fatalf("Open with corrupt log = %v; want *CorruptionError naming %s", err, name)
	}

	dir = t.TempDir()
	db, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, db, 500)
	db.Flush(context.Background())
	db.Close()
	name = corruptFile(t, filepath.Join(dir, "MANIFEST-*"))
	_, err = Open(dir, nil)
	if !errors.As(err, &cerr) || cerr.File != name {
		t.Fatalf("Open with corrupt MANIFEST = %v; want *CorruptionError naming %s", err, name)
	}
}

func TestBatchDecodeRejectsGarbage(t *testing.T) {
	var b Batch
	b.Put([]byte("a"), []byte("1"))
	b.Delete([]byte("b"))
	b.setSeq(7)
	seq, n, err := decodeBatch(b.data, nil)
	if err != nil || seq != 7 || n != 2 {
		t.Fatalf("decode = %d, %d, %v; want 7, 2, nil", seq, n, err)
	}
	for cut := 0; cut < len(b.data); cut++ {
		if _, _, err := decodeBatch(b.data[:cut], nil); !errors.Is(err, ErrBatchCorrupt) {
			t.Fatalf("cut at %d: err = %v; want ErrBatchCorrupt", cut, err)
		}
	}
}

func FuzzBatch(f *testing.F) {
	var b Batch
	b.Put([]byte("key"), []byte("value"))
	b.Delete([]byte("gone"))
	b.setSeq(1)
	f.Add(b.data)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var ops int
		_, n, err := decodeBatch(data, func(uint64, kindAlias, []byte, []byte) error { ops++; return nil })
		if err == nil && uint32(ops) != n {
			t.Fatalf("decoded %d ops; header says %d", ops, n)
		}
	})
}

func FuzzVersionEdit(f *testing.F) {
	e := &versionEdit{}
	e.setLogNum(3)
	e.setLastSeq(99)
	e.added = append(e.added, newFile{1, &fileMeta{num: 5, size: 10, smallest: []byte("a\x01\x00\x00\x00\x00\x00\x00\x00"), largest: []byte("b\x01\x00\x00\x00\x00\x00\x00\x00")}})
	e.deleted = append(e.deleted, levelFile{0, 4})
	f.Add(e.encode())
	f.Fuzz(func(t *testing.T, data []byte) {
		var e versionEdit
		if e.decode(data) != nil {
			return
		}
		var e2 versionEdit
		if err := e2.decode(e.encode()); err != nil {
			t.Fatalf("re-decoding an encoded edit: %v", err)
		}
		(&version{}).apply(&e)
	})
}

type kindAlias = base.Kind

func TestManifestRotation(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, smallOptions())
	if err != nil {
		t.Fatal(err)
	}
	db.manifestMu.Lock()
	db.maxManifest = 512
	db.manifestMu.Unlock()
	first := db.manifestNum
	fill(t, db, 5000)
	if err := db.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.manifestMu.Lock()
	rotated := db.manifestNum != first
	db.manifestMu.Unlock()
	if !rotated {
		t.Fatal("MANIFEST was not rewritten")
	}
	ms, _ := filepath.Glob(filepath.Join(dir, "MANIFEST-*"))
	if len(ms) != 1 {
		t.Fatalf("%d MANIFEST files; want 1", len(ms))
	}
	db.Close()
	db, err = Open(dir, smallOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := 0; i < 5000; i += 7 {
		v, err := db.Get(fmt.Appendf(nil, "k%05d", i))
		if err != nil || string(v) != fmt.Sprintf("value-%d", i) {
			t.Fatalf("after rotation and reopen: Get(k%05d) = %q, %v", i, v, err)
		}
	}
}

func TestBatchTooLarge(t *testing.T) {
	db, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b Batch
	b.Put([]byte("big"), make([]byte, MaxBatchSize))
	if err := db.Apply(&b, nil); !errors.Is(err, ErrBatchTooLarge) {
		t.Fatalf("Apply(huge) = %v; want ErrBatchTooLarge", err)
	}
	// The DB still works.
	if err := db.Put([]byte("small"), []byte("ok"), nil); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Get([]byte("small")); err != nil || string(v) != "ok" {
		t.Fatalf("Get after rejected batch = %q, %v", v, err)
	}
}

// TestIteratorKeepsTables checks that tables replaced by a compaction stay
// readable (and on disk) while an iterator uses them, and are deleted once
// it is closed.
func TestIteratorKeepsTables(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, smallOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fill(t, db, 3000)
	ctx := context.Background()
	if err := db.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	it := db.NewIter(nil)
	for i := 0; i < 3000; i++ {
		if err := db.Delete(fmt.Appendf(nil, "k%05d", i), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	n := 0
	for k, v := range it.All() {
		if want := fmt.Sprintf("value-%d", n); string(v) != want || string(k) != fmt.Sprintf("k%05d", n) {
			t.Fatalf("old iterator entry %d: %s=%s; want value %s", n, k, v, want)
		}
		n++
	}
	if n != 3000 {
		t.Fatalf("old iterator saw %d keys; want 3000", n)
	}
	before, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
	if len(before) == 0 {
		t.Fatal("tables in use by the iterator were deleted")
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	after, _ := filepath.Glob(filepath.Join(dir, "*.sst"))
	if len(after) != 0 {
		t.Fatalf("%d tables left after the last iterator closed; want 0", len(after))
	}
}

// TestLevel0Bounded writes steadily and checks that level 0 never grows
// past L0StopWrites plus the frozen memtables being flushed.
func TestLevel0Bounded(t *testing.T) {
	o := smallOptions()
	db, err := Open(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	limit := o.L0StopWrites + 2 // + MaxImmutableMemtables (default 2)
	maxL0 := 0
	val := make([]byte, 200)
	for i := 0; i < 5000; i++ {
		if err := db.Put(fmt.Appendf(nil, "k%07d", (i*7919)%5000), val, nil); err != nil {
			t.Fatal(err)
		}
		if i%50 == 0 {
			maxL0 = max(maxL0, db.Stats().Levels[0].Tables)
		}
	}
	if maxL0 > limit {
		t.Fatalf("level 0 reached %d tables; want <= %d", maxL0, limit)
	}
	t.Logf("max level-0 tables %d (limit %d)", maxL0, limit)
}
