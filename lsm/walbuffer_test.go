package lsm

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// copyDir copies the files of a live DB as they are on disk, which is what
// a process crash leaves behind.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestWALBuffer checks the documented trade-off of the default log buffer
// (Options.WALBufferSize): buffered writes are readable at once and survive
// Close, a Sync write takes every earlier write to the log with it, and a
// crash can lose only the non-Sync writes after the last flush.
func TestWALBuffer(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, &Options{WALBufferDelay: time.Hour}) // default size
	if err != nil {
		t.Fatal(err)
	}
	put := func(k string, sync bool) {
		t.Helper()
		if err := db.Put([]byte(k), []byte("v-"+k), &WriteOptions{Sync: sync}); err != nil {
			t.Fatal(err)
		}
	}
	has := func(db *DB, k string) bool {
		t.Helper()
		v, err := db.Get([]byte(k))
		if errors.Is(err, ErrNotFound) {
			return false
		}
		if err != nil || string(v) != "v-"+k {
			t.Fatalf("Get(%s) = %q, %v", k, v, err)
		}
		return true
	}
	put("a", false)
	put("b", false)
	if !has(db, "a") || !has(db, "b") {
		t.Fatal("buffered writes not readable")
	}
	put("c", true) // flushes a and b, then syncs
	put("d", false)
	crashed := copyDir(t, dir)
	db2, err := Open(crashed, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a", "b", "c"} {
		if !has(db2, k) {
			t.Fatalf("%s, written before a Sync write, lost in the crash", k)
		}
	}
	if has(db2, "d") {
		t.Fatal("d was still buffered, yet reached the log")
	}
	db2.Close()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, k := range []string{"a", "b", "c", "d"} {
		if !has(db, k) {
			t.Fatalf("%s lost across Close", k)
		}
	}
}

// TestWALBufferFillsAndFlushes checks that a full buffer is written out
// without any Sync write.
func TestWALBufferFillsAndFlushes(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, &Options{WALBufferSize: 256, WALBufferDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range 22 {
		if err := db.Put([]byte{'k', byte(i)}, make([]byte, 40), nil); err != nil {
			t.Fatal(err)
		}
	}
	db2, err := Open(copyDir(t, dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	found := 0
	for i := range 22 {
		if _, err := db2.Get([]byte{'k', byte(i)}); err == nil {
			found++
		}
	}
	// Each record is 57 bytes (12-byte header, kind, two lengths, 2-byte
	// key, 40-byte value): the buffer is written after every fifth, so 20
	// of the 22 reached the log and the last 2 are still in memory.
	if found != 20 {
		t.Fatalf("%d of 22 buffered writes reached the log; want 20", found)
	}
}

// TestWALBufferDelay checks that a buffered write reaches the log within
// WALBufferDelay with no other write. It waits up to 10 s, so a slow
// machine cannot fail it; a missing timer can.
func TestWALBufferDelay(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, &Options{WALBufferDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Put([]byte("k"), []byte("v"), nil); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		db2, err := Open(copyDir(t, dir), nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = db2.Get([]byte("k"))
		db2.Close()
		if err == nil {
			return
		}
		if !errors.Is(err, ErrNotFound) {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("buffered write not in the log 10 s after it returned")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestWALBufferOff checks that a negative WALBufferSize makes every
// non-Sync write reach the log before it returns.
func TestWALBufferOff(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, &Options{WALBufferSize: -1, WALBufferDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range 3 {
		if err := db.Put([]byte{'k', byte(i)}, []byte("v"), nil); err != nil {
			t.Fatal(err)
		}
		db2, err := Open(copyDir(t, dir), nil)
		if err != nil {
			t.Fatal(err)
		}
		for j := 0; j <= i; j++ {
			if _, err := db2.Get([]byte{'k', byte(j)}); err != nil {
				t.Fatalf("after write %d, k%d: %v", i, j, err)
			}
		}
		db2.Close()
	}
}

func TestWALBufferDelayInvalid(t *testing.T) {
	if _, err := Open(t.TempDir(), &Options{WALBufferDelay: -time.Second}); !errors.Is(err, ErrInvalidOptions) {
		t.Fatalf("Open with WALBufferDelay -1s: %v", err)
	}
}
