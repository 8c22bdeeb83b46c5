package wal

import (
	"testing"
	"testing/synctest"
	"time"
)

// TestSyncInterval checks with a fake clock that SyncInterval fsyncs after
// the interval and not before, and that SyncNever never does on its own.
func TestSyncInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fs := NewMemFS()
		l := mustOpen(t, fs, Options{Sync: SyncInterval, SyncInterval: time.Second})
		defer l.Close()
		if _, err := l.Append([]byte("a")); err != nil {
			t.Fatal(err)
		}
		if got := recordsAfterCrash(t, fs); got != 0 {
			t.Fatalf("before the interval a crash keeps %d records; want 0", got)
		}
		if u := fs.Unsynced()["log/"+segmentName(1)]; u != recordHeaderSize+1 {
			t.Fatalf("Unsynced = %d bytes; want %d", u, recordHeaderSize+1)
		}
		time.Sleep(time.Second + time.Millisecond)
		synctest.Wait()
		if u := fs.Unsynced(); len(u) != 0 {
			t.Fatalf("Unsynced after the interval = %v; want none", u)
		}
		if got := recordsAfterCrash(t, fs); got != 1 {
			t.Fatalf("after the interval a crash keeps %d records; want 1", got)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		fs := NewMemFS()
		l := mustOpen(t, fs, Options{Sync: SyncNever})
		if _, err := l.Append([]byte("a")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Hour)
		if got := recordsAfterCrash(t, fs); got != 0 {
			t.Fatalf("SyncNever: a crash keeps %d records; want 0", got)
		}
		if err := l.Sync(); err != nil {
			t.Fatal(err)
		}
		if got := recordsAfterCrash(t, fs); got != 1 {
			t.Fatalf("after Sync a crash keeps %d records; want 1", got)
		}
		l.Close()
	})
}

func recordsAfterCrash(t *testing.T, fs *MemFS) uint64 {
	t.Helper()
	l, err := Open("log", &Options{FS: fs.Crash(nil)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.LastIndex()
}
