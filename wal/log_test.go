package wal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

func mustOpen(t testing.TB, fs FS, opts Options) *Log {
	t.Helper()
	opts.FS = fs
	l, err := Open("log", &opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return l
}

func rec(i uint64) []byte {
	return fmt.Appendf(nil, "record-%d-%s", i, bytes.Repeat([]byte{byte(i)}, int(i%37)))
}

// checkLog asserts the log holds exactly want, starting at first.
func checkLog(t testing.TB, l *Log, first uint64, want [][]byte) {
	t.Helper()
	if got := l.FirstIndex(); got != first {
		t.Fatalf("FirstIndex = %d; want %d", got, first)
	}
	if got, w := l.LastIndex(), first+uint64(len(want))-1; got != w {
		t.Fatalf("LastIndex = %d; want %d", got, w)
	}
	for k, w := range want {
		got, err := l.Read(first + uint64(k))
		if err != nil {
			t.Fatalf("Read(%d): %v", first+uint64(k), err)
		}
		if !bytes.Equal(got, w) {
			t.Fatalf("Read(%d) = %q; want %q", first+uint64(k), got, w)
		}
	}
	r := l.NewReader(first)
	for k := range want {
		i, got, err := r.Next()
		if err != nil || i != first+uint64(k) || !bytes.Equal(got, want[k]) {
			t.Fatalf("Reader.Next = %d, %q, %v; want %d, %q", i, got, err, first+uint64(k), want[k])
		}
	}
	if _, _, err := r.Next(); err != io.EOF {
		t.Fatalf("Reader.Next at end: %v; want io.EOF", err)
	}
}

func TestAppendReadReopen(t *testing.T) {
	for _, policy := range []SyncPolicy{SyncAlways, SyncInterval, SyncNever} {
		t.Run(policy.String(), func(t *testing.T) {
			fs := NewMemFS()
			l := mustOpen(t, fs, Options{SegmentSize: 256, Sync: policy})
			checkLog(t, l, 1, nil)
			var want [][]byte
			for i := uint64(1); i <= 50; i++ {
				idx, err := l.Append(rec(i))
				if err != nil || idx != i {
					t.Fatalf("Append = %d, %v; want %d", idx, err, i)
				}
				want = append(want, rec(i))
			}
			batch := [][]byte{rec(51), rec(52), {}, rec(54)}
			first, err := l.AppendBatch(batch)
			if err != nil || first != 51 {
				t.Fatalf("AppendBatch = %d, %v; want 51", first, err)
			}
			want = append(want, batch...)
			checkLog(t, l, 1, want)
			if n := len(l.segs); n < 5 {
				t.Fatalf("%d segments; want several with SegmentSize 256", n)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := l.Append(nil); !errors.Is(err, ErrClosed) {
				t.Fatalf("Append after Close: %v; want ErrClosed", err)
			}
			l = mustOpen(t, fs, Options{SegmentSize: 256, Sync: policy})
			defer l.Close()
			if r := l.Recovery(); r.TornSegment != "" || r.Records != uint64(len(want)) {
				t.Fatalf("Recovery = %+v; want clean with %d records", r, len(want))
			}
			checkLog(t, l, 1, want)
			if idx, err := l.Append([]byte("after")); err != nil || idx != 55 {
				t.Fatalf("Append after reopen = %d, %v; want 55", idx, err)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	fs := NewMemFS()
	l := mustOpen(t, fs, Options{})
	if _, err := Open("log", &Options{FS: fs}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v; want ErrLocked", err)
	}
	l.Close()
	l2 := mustOpen(t, fs, Options{}) // lock released by Close
	l2.Close()
	for _, o := range []Options{{SegmentSize: 10}, {Sync: 7}, {SyncInterval: -1}} {
		o.FS = fs
		if _, err := Open("x", &o); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("Open(%+v): %v; want ErrInvalidOptions", o, err)
		}
	}
	l = mustOpen(t, fs, Options{SegmentSize: 100})
	defer l.Close()
	if _, err := l.Append(make([]byte, 73)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Append(73 bytes) with SegmentSize 100: %v; want ErrTooLarge", err)
	}
	if _, err := l.Append(make([]byte, 72)); err != nil {
		t.Fatalf("Append(72 bytes) with SegmentSize 100: %v", err)
	}
	if _, err := l.Read(0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Read(0): %v; want ErrNotFound", err)
	}
	if _, err := l.Read(2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Read(2): %v; want ErrNotFound", err)
	}
}

func TestOSFSLock(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, nil); !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v; want ErrLocked", err)
	}
	if _, err := l.AppendBatch([][]byte{[]byte("a"), []byte("b")}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l, err = Open(dir, &Options{SegmentSize: 64})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	checkLog(t, l, 1, [][]byte{[]byte("a"), []byte("b")})
	for i := range 20 {
		if _, err := l.Append(fmt.Appendf(nil, "rec %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.TruncateFront(10); err != nil {
		t.Fatal(err)
	}
	if err := l.TruncateBack(15); err != nil {
		t.Fatal(err)
	}
	got, err := l.Read(15)
	if err != nil || string(got) != "rec 12" {
		t.Fatalf("Read(15) = %q, %v; want rec 12", got, err)
	}
}

// TestModel runs random operations against a slice model, reopening now
// and then.
func TestModel(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 1))
		fs := NewMemFS()
		opts := Options{SegmentSize: int64(MinSegmentSize + rng.IntN(300)), Sync: SyncPolicy(rng.IntN(3))}
		l := mustOpen(t, fs, opts)
		first := uint64(1)
		var model [][]byte
		next := uint64(1)
		for step := range 300 {
			switch op := rng.IntN(10); {
			case op < 5:
				n := rng.IntN(4)
				var batch [][]byte
				for range n {
					batch = append(batch, bytes.Repeat([]byte{byte(rng.Uint32())}, rng.IntN(int(opts.SegmentSize)-28)))
				}
				var idx uint64
				var err error
				if n == 1 && rng.IntN(2) == 0 {
					idx, err = l.Append(batch[0])
				} else {
					idx, err = l.AppendBatch(batch)
				}
				if err != nil || idx != next {
					t.Fatalf("seed %d step %d: append = %d, %v; want %d", seed, step, idx, err, next)
				}
				model = append(model, batch...)
				next += uint64(n)
			case op < 7:
				i := first + uint64(rng.IntN(len(model)+1))
				if err := l.TruncateFront(i); err != nil {
					t.Fatalf("seed %d step %d: TruncateFront(%d): %v", seed, step, i, err)
				}
				model = model[i-first:]
				first = i
			case op < 9:
				i := first - 1 + uint64(rng.IntN(len(model)+1))
				if err := l.TruncateBack(i); err != nil {
					t.Fatalf("seed %d step %d: TruncateBack(%d): %v", seed, step, i, err)
				}
				model = model[:i+1-first]
				next = i + 1
			default:
				if err := l.Close(); err != nil {
					t.Fatal(err)
				}
				l = mustOpen(t, fs, opts)
				if r := l.Recovery(); r.TornSegment != "" || r.Repaired != nil || len(r.Removed) > 0 {
					t.Fatalf("seed %d step %d: clean reopen recovered %+v", seed, step, r)
				}
			}
			if len(model) == 0 && first != next {
				// An empty log after TruncateBack(first-1): first stays.
				first = next
			}
			checkLog(t, l, first, model)
		}
		l.Close()
	}
}

func TestTruncateRange(t *testing.T) {
	l := mustOpen(t, NewMemFS(), Options{})
	defer l.Close()
	for i := range 5 {
		l.Append([]byte{byte(i)})
	}
	for _, tc := range []struct {
		front bool
		i     uint64
	}{{true, 0}, {true, 7}, {false, 6}} {
		var err error
		if tc.front {
			err = l.TruncateFront(tc.i)
		} else {
			err = l.TruncateBack(tc.i)
		}
		if !errors.Is(err, ErrOutOfRange) {
			t.Errorf("truncate(front=%v, %d): %v; want ErrOutOfRange", tc.front, tc.i, err)
		}
	}
	if err := l.TruncateFront(6); err != nil {
		t.Fatal(err)
	}
	if l.FirstIndex() != 6 || l.LastIndex() != 5 {
		t.Fatalf("after TruncateFront(6): first %d last %d; want 6, 5", l.FirstIndex(), l.LastIndex())
	}
	if i, err := l.Append([]byte("x")); err != nil || i != 6 {
		t.Fatalf("Append = %d, %v; want 6", i, err)
	}
}

func TestConcurrentAppendGroupCommit(t *testing.T) {
	fs := NewMemFS()
	l := mustOpen(t, fs, Options{SegmentSize: 4096})
	const writers, each = 16, 100
	var wg sync.WaitGroup
	got := make([][]uint64, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range each {
				i, err := l.Append(fmt.Appendf(nil, "w%d-%d", w, k))
				if err != nil {
					t.Error(err)
					return
				}
				got[w] = append(got[w], i)
			}
		}()
	}
	// A concurrent reader follows along.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r := l.NewReader(1)
	for range writers * each {
		if _, _, err := r.NextWait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	seen := map[uint64]bool{}
	for w := range writers {
		for k, i := range got[w] {
			if seen[i] {
				t.Fatalf("index %d returned twice", i)
			}
			seen[i] = true
			data, err := l.Read(i)
			if err != nil || string(data) != fmt.Sprintf("w%d-%d", w, k) {
				t.Fatalf("Read(%d) = %q, %v", i, data, err)
			}
			if k > 0 && i <= got[w][k-1] {
				t.Fatalf("writer %d got decreasing indexes", w)
			}
		}
	}
	if l.LastIndex() != writers*each {
		t.Fatalf("LastIndex = %d; want %d", l.LastIndex(), writers*each)
	}
	l.Close()
	// Everything acknowledged survives a crash right after.
	l = mustOpen(t, fs.Crash(nil), Options{})
	defer l.Close()
	if l.LastIndex() != writers*each {
		t.Fatalf("after crash LastIndex = %d", l.LastIndex())
	}
}

func TestTailingReader(t *testing.T) {
	l := mustOpen(t, NewMemFS(), Options{})
	r := l.NewReader(1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := r.NextWait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("NextWait with cancelled ctx: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		i, data, err := r.NextWait(context.Background())
		if err == nil && (i != 1 || string(data) != "hello") {
			err = fmt.Errorf("got %d %q", i, data)
		}
		done <- err
	}()
	l.Append([]byte("hello"))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	go func() {
		_, _, err := r.NextWait(context.Background())
		done <- err
	}()
	l.Close()
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("NextWait across Close: %v; want ErrClosed", err)
	}
}

func TestSyncFailureIsSticky(t *testing.T) {
	fs := NewMemFS()
	l := mustOpen(t, fs, Options{})
	defer l.Close()
	if _, err := l.Append([]byte("ok")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk on fire")
	fs.SetSyncError(boom)
	if _, err := l.Append([]byte("lost")); !errors.Is(err, ErrFailed) || !errors.Is(err, boom) {
		t.Fatalf("Append with failing fsync: %v; want ErrFailed wrapping the cause", err)
	}
	fs.SetSyncError(nil)
	if _, err := l.Append([]byte("later")); !errors.Is(err, ErrFailed) {
		t.Fatalf("Append after failure: %v; want ErrFailed", err)
	}
}

// TestReaderAcrossTruncation: a long-lived Reader must not serve bytes it
// read ahead before a truncation.
func TestReaderAcrossTruncation(t *testing.T) {
	l := mustOpen(t, NewMemFS(), Options{SegmentSize: 200})
	defer l.Close()
	for i := range 20 {
		l.Append(fmt.Appendf(nil, "old-%d", i+1))
	}
	r := l.NewReader(1)
	for range 5 {
		if _, _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.TruncateBack(5); err != nil {
		t.Fatal(err)
	}
	l.Append([]byte("new-6"))
	if i, data, err := r.Next(); err != nil || i != 6 || string(data) != "new-6" {
		t.Fatalf("Next after TruncateBack = %d, %q, %v; want 6, new-6", i, data, err)
	}
	if err := l.TruncateFront(7); err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.Next(); err != io.EOF {
		t.Fatalf("Next at the end after TruncateFront: %v; want io.EOF", err)
	}
	r = l.NewReader(3)
	if _, _, err := r.Next(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Next before the first index: %v; want ErrNotFound", err)
	}
	if _, err := l.Read(6); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Read of a truncated index: %v; want ErrNotFound", err)
	}
}

func TestReaderAllStopsAtError(t *testing.T) {
	l := mustOpen(t, NewMemFS(), Options{})
	defer l.Close()
	l.AppendBatch([][]byte{[]byte("a"), []byte("b"), []byte("c"), []byte("d")})
	r := l.NewReader(1)
	var got []string
	for i, data := range r.All() {
		got = append(got, string(data))
		if i == 2 {
			break
		}
	}
	if r.Err() != nil || strings.Join(got, "") != "ab" || r.Index() != 3 {
		t.Fatalf("early break: got %q, err %v, index %d; want ab, nil, 3", got, r.Err(), r.Index())
	}
	if err := l.TruncateFront(4); err != nil {
		t.Fatal(err)
	}
	for range r.All() {
		t.Fatal("yielded a truncated record")
	}
	if !errors.Is(r.Err(), ErrNotFound) {
		t.Fatalf("Err after reading a truncated index: %v; want ErrNotFound", r.Err())
	}
}
