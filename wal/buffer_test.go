package wal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// openBuffered opens a buffered log in a fresh directory on the real file
// system, whose files show what a process crash would leave: what was
// written to the operating system, and nothing still in the buffer.
func openBuffered(t *testing.T, size int, delay time.Duration) (*Log, string) {
	t.Helper()
	dir := t.TempDir()
	l, err := Open(dir, &Options{Sync: SyncNever, BufferSize: size, BufferDelay: delay})
	if err != nil {
		t.Fatal(err)
	}
	return l, dir
}

// onDisk returns the records a process crash would leave in dir: it copies
// the segment files, as they are now, to another directory and opens them.
func onDisk(t *testing.T, dir string) [][]byte {
	t.Helper()
	cp := t.TempDir()
	names, err := filepath.Glob(filepath.Join(dir, "*.wal"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cp, filepath.Base(n)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, err := Open(cp, nil)
	if err != nil {
		t.Fatalf("Open of the crash copy: %v", err)
	}
	defer l.Close()
	var recs [][]byte
	r := l.NewReader(l.FirstIndex())
	for _, data := range r.All() {
		recs = append(recs, data)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

func payload(i int) []byte { return fmt.Appendf(nil, "rec-%03d-%s", i, bytes.Repeat([]byte{'x'}, 32)) } // 40 bytes

func wantRecords(t *testing.T, got [][]byte, n int, what string) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("%s: %d records; want %d", what, len(got), n)
	}
	for i, g := range got {
		if !bytes.Equal(g, payload(i+1)) {
			t.Fatalf("%s: record %d = %q; want %q", what, i+1, g, payload(i+1))
		}
	}
}

// TestBufferFillsThenWrites checks that a buffered log writes nothing
// until BufferSize bytes are pending, then writes them all in one go, and
// that records are readable (and LastIndex counts them) while buffered.
func TestBufferFillsThenWrites(t *testing.T) {
	// Each record is 52 bytes framed: two fill a 100-byte buffer.
	l, dir := openBuffered(t, 100, time.Hour)
	defer l.Close()
	if i, err := l.Append(payload(1)); err != nil || i != 1 {
		t.Fatalf("Append = %d, %v", i, err)
	}
	wantRecords(t, onDisk(t, dir), 0, "after 1 buffered append")
	if got := l.LastIndex(); got != 1 {
		t.Fatalf("LastIndex = %d; want 1", got)
	}
	if i, err := l.Append(payload(2)); err != nil || i != 2 {
		t.Fatalf("Append = %d, %v", i, err)
	}
	wantRecords(t, onDisk(t, dir), 2, "after the buffer filled")
	if i, err := l.AppendBatch([][]byte{payload(3)}); err != nil || i != 3 {
		t.Fatalf("AppendBatch = %d, %v", i, err)
	}
	wantRecords(t, onDisk(t, dir), 2, "after a third append")
	// Reading a buffered record writes the buffer first.
	if got, err := l.Read(3); err != nil || !bytes.Equal(got, payload(3)) {
		t.Fatalf("Read(3) = %q, %v", got, err)
	}
	wantRecords(t, onDisk(t, dir), 3, "after Read of the buffered record")
	if _, err := l.Append(payload(4)); err != nil {
		t.Fatal(err)
	}
	r := l.NewReader(4)
	if i, got, err := r.Next(); err != nil || i != 4 || !bytes.Equal(got, payload(4)) {
		t.Fatalf("Reader.Next = %d, %q, %v", i, got, err)
	}
	wantRecords(t, onDisk(t, dir), 4, "after Reader.Next of the buffered record")
}

// TestBufferSyncCloseTruncate checks that Sync, the truncations and Close
// write the buffer first.
func TestBufferSyncCloseTruncate(t *testing.T) {
	l, dir := openBuffered(t, 1<<20, time.Hour)
	for i := 1; i <= 5; i++ {
		if _, err := l.Append(payload(i)); err != nil {
			t.Fatal(err)
		}
	}
	wantRecords(t, onDisk(t, dir), 0, "buffered")
	if err := l.Sync(); err != nil {
		t.Fatal(err)
	}
	wantRecords(t, onDisk(t, dir), 5, "after Sync")
	for i := 6; i <= 9; i++ {
		if _, err := l.Append(payload(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.TruncateBack(8); err != nil { // record 9 is dropped from the buffer's write
		t.Fatal(err)
	}
	wantRecords(t, onDisk(t, dir), 8, "after TruncateBack(8)")
	if _, err := l.Append(payload(9)); err != nil {
		t.Fatal(err)
	}
	if err := l.TruncateFront(2); err != nil {
		t.Fatal(err)
	}
	if got := onDisk(t, dir); len(got) != 8 || !bytes.Equal(got[7], payload(9)) {
		t.Fatalf("after TruncateFront(2): %d records, last %q; want 8 ending with %q", len(got), got[len(got)-1], payload(9))
	}
	if _, err := l.Append(payload(10)); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.FirstIndex() != 2 || l.LastIndex() != 10 {
		t.Fatalf("after Close and Open: [%d, %d]; want [2, 10]", l.FirstIndex(), l.LastIndex())
	}
	if got, err := l.Read(10); err != nil || !bytes.Equal(got, payload(10)) {
		t.Fatalf("Read(10) = %q, %v", got, err)
	}
}

// TestBufferDelay checks that a buffered record reaches the file within
// BufferDelay with no other call. The test waits up to 10 s, so a slow
// machine cannot fail it; a missing timer can.
func TestBufferDelay(t *testing.T) {
	l, dir := openBuffered(t, 1<<20, time.Millisecond)
	defer l.Close()
	for round := 1; round <= 3; round++ { // the timer re-arms after each write
		if _, err := l.Append(payload(round)); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for len(onDisk(t, dir)) < round {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: buffered record not written after 10 s", round)
			}
			time.Sleep(time.Millisecond)
		}
		wantRecords(t, onDisk(t, dir), round, "after the delay")
	}
}

// TestBufferTornTail cuts a buffered log's last write at every byte of its
// last records: Open must keep exactly the whole records before the cut
// and report the rest as a torn tail.
func TestBufferTornTail(t *testing.T) {
	l, dir := openBuffered(t, 1<<20, time.Hour)
	const n = 4
	for i := 1; i <= n; i++ {
		if _, err := l.Append(payload(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil { // one write of all four
		t.Fatal(err)
	}
	seg := segmentPath(dir, 1)
	full, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	const recSize = recordHeaderSize + 40
	for cut := len(full) - 2*recSize; cut < len(full); cut++ {
		cp := t.TempDir()
		if err := os.WriteFile(segmentPath(cp, 1), full[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := Open(cp, nil)
		if err != nil {
			t.Fatalf("cut at %d: Open: %v", cut, err)
		}
		whole := (cut - segmentHeaderSize) / recSize
		if got := l.LastIndex(); got != uint64(whole) {
			t.Fatalf("cut at %d: LastIndex = %d; want %d", cut, got, whole)
		}
		torn := (cut-segmentHeaderSize)%recSize != 0
		if rep := l.Recovery(); (rep.TornSegment != "") != torn {
			t.Fatalf("cut at %d: recovery %+v; torn tail expected: %v", cut, rep, torn)
		}
		for i := 1; i <= whole; i++ {
			if got, err := l.Read(uint64(i)); err != nil || !bytes.Equal(got, payload(i)) {
				t.Fatalf("cut at %d: Read(%d) = %q, %v", cut, i, got, err)
			}
		}
		l.Close()
	}
}

// TestBufferConcurrent has several goroutines append (single records and
// batches) and sometimes Sync, with a small buffer, while a tailing reader
// follows: the reader must see every record at the index its Append
// returned, and so must a reopen after Close.
func TestBufferConcurrent(t *testing.T) {
	l, dir := openBuffered(t, 300, 2*time.Millisecond)
	const writers, each = 4, 150
	var mu sync.Mutex
	want := map[uint64]string{}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 3))
			for k := 0; k < each; {
				var recs [][]byte
				for range min(1+rng.IntN(3), each-k) {
					recs = append(recs, fmt.Appendf(nil, "w%d-k%d-%s", w, k, bytes.Repeat([]byte{'y'}, rng.IntN(80))))
					k++
				}
				first, err := l.AppendBatch(recs)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for j, r := range recs {
					want[first+uint64(j)] = string(r)
				}
				mu.Unlock()
				if rng.IntN(10) == 0 {
					if err := l.Sync(); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	seen := map[uint64]string{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		r := l.NewReader(1)
		for len(seen) < writers*each {
			i, data, err := r.NextWait(ctx)
			if err != nil {
				t.Errorf("reader after %d records: %v", len(seen), err)
				return
			}
			seen[i] = string(data)
		}
	}()
	wg.Wait()
	<-done
	if t.Failed() {
		l.Close()
		return
	}
	check := func(what string, got map[uint64]string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d records; want %d", what, len(got), len(want))
		}
		for i, w := range want {
			if got[i] != w {
				t.Fatalf("%s: record %d = %q; want %q", what, i, got[i], w)
			}
		}
	}
	check("tailing reader", seen)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	reopened := map[uint64]string{}
	r := l.NewReader(1)
	for i, data := range r.All() {
		reopened[i] = string(data)
	}
	check("after Close and Open", reopened)
}

// TestBufferTailingReaderWakes checks that a reader waiting at the end of
// a buffered log gets a new record at once, not after BufferDelay.
func TestBufferTailingReaderWakes(t *testing.T) {
	l, _ := openBuffered(t, 1<<20, time.Hour)
	defer l.Close()
	got := make(chan error, 1)
	go func() {
		_, data, err := l.NewReader(1).NextWait(context.Background())
		if err == nil && !bytes.Equal(data, payload(1)) {
			err = fmt.Errorf("got %q", data)
		}
		got <- err
	}()
	time.Sleep(time.Millisecond) // usually lets the reader wait first; either order must work
	if _, err := l.Append(payload(1)); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("tailing reader still waiting 10 s after the append (BufferDelay is an hour)")
	}
}

// TestBufferIgnoredWithSyncAlways checks that BufferSize does not weaken
// SyncAlways: the record is in the file when Append returns.
func TestBufferIgnoredWithSyncAlways(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, &Options{BufferSize: 1 << 20, BufferDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := l.Append(payload(1)); err != nil {
		t.Fatal(err)
	}
	wantRecords(t, onDisk(t, dir), 1, "SyncAlways with BufferSize")
}

// TestBufferWriteFailure checks that a failed buffered write is reported
// by the next call: the records it held were acknowledged, so Sync and
// Close must not report success.
func TestBufferWriteFailure(t *testing.T) {
	fs := NewMemFS()
	l := mustOpen(t, fs, Options{Sync: SyncNever, BufferSize: 1 << 20, BufferDelay: time.Hour})
	if _, err := l.Append(payload(1)); err != nil {
		t.Fatal(err)
	}
	fs.SetSyncError(errors.New("disk on fire"))
	if err := l.Sync(); err == nil {
		t.Fatal("Sync succeeded with a failing disk")
	}
	if _, err := l.Append(payload(2)); !errors.Is(err, ErrFailed) {
		t.Fatalf("Append after a failure: %v; want ErrFailed", err)
	}
}

func TestBufferOptionsInvalid(t *testing.T) {
	for _, o := range []Options{{BufferSize: -1}, {BufferDelay: -time.Second}} {
		if _, err := Open(t.TempDir(), &o); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("Open(%+v): %v; want ErrInvalidOptions", o, err)
		}
	}
}
