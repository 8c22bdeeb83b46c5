package wal

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"
)

var errDead = errors.New("simulated crash: process is dead")

// crashFS wraps a MemFS and "crashes" at the n-th mutating operation:
// it takes the MemFS.Crash snapshot (tearing unsynced appends at random
// bytes) and fails that operation and every later one, as if the process
// had died there. A WriteAt at the crash point is applied first, so its
// bytes can be torn.
type crashFS struct {
	*MemFS
	mu       sync.Mutex // serializes steps: the log may call from many goroutines
	rng      *rand.Rand
	eager    bool // directory changes survive without SyncDir
	n        int  // operations left before the crash
	snapshot *MemFS
}

func (c *crashFS) step(write func()) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.snapshot != nil {
		return errDead
	}
	c.n--
	if c.n > 0 {
		return nil
	}
	if write != nil {
		write()
	}
	c.crashLocked()
	return errDead
}

func (c *crashFS) crash() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.crashLocked()
}

func (c *crashFS) dead() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snapshot != nil
}

func (c *crashFS) crashLocked() {
	if c.snapshot != nil {
		return
	}
	tear := func(name string, unsynced int) int {
		switch c.rng.IntN(3) {
		case 0:
			return 0
		case 1:
			return unsynced
		}
		return c.rng.IntN(unsynced + 1)
	}
	if c.eager {
		c.snapshot = c.MemFS.CrashKeepingEntries(tear)
	} else {
		c.snapshot = c.MemFS.Crash(tear)
	}
}

func (c *crashFS) Create(name string) (File, error) {
	if err := c.step(nil); err != nil {
		return nil, err
	}
	f, err := c.MemFS.Create(name)
	return &crashFile{File: f, fs: c}, err
}

func (c *crashFS) Open(name string) (File, error) {
	if c.dead() {
		return nil, errDead
	}
	f, err := c.MemFS.Open(name)
	if err != nil {
		return nil, err
	}
	return &crashFile{File: f, fs: c}, nil
}

func (c *crashFS) Remove(name string) error {
	if err := c.step(nil); err != nil {
		return err
	}
	return c.MemFS.Remove(name)
}

func (c *crashFS) Rename(o, n string) error {
	if err := c.step(nil); err != nil {
		return err
	}
	return c.MemFS.Rename(o, n)
}

func (c *crashFS) SyncDir(dir string) error {
	if err := c.step(nil); err != nil {
		return err
	}
	return c.MemFS.SyncDir(dir)
}

type crashFile struct {
	File
	fs *crashFS
}

func (f *crashFile) WriteAt(p []byte, off int64) (int, error) {
	var n int
	var werr error
	if err := f.fs.step(func() {
		// A write that is cut short: some prefix reaches the page cache.
		k := f.fs.rng.IntN(len(p) + 1)
		n, werr = f.File.WriteAt(p[:k], off)
	}); err != nil {
		_, _ = n, werr
		return 0, err
	}
	return f.File.WriteAt(p, off)
}

func (f *crashFile) Sync() error {
	if err := f.fs.step(nil); err != nil {
		return err
	}
	return f.File.Sync()
}

func (f *crashFile) Truncate(size int64) error {
	if err := f.fs.step(nil); err != nil {
		return err
	}
	return f.File.Truncate(size)
}

// logModel is what the log must hold: records first, first+1, ...
type logModel struct {
	first uint64
	recs  [][]byte
}

func (m logModel) last() uint64 { return m.first + uint64(len(m.recs)) - 1 }

// envInt reads a positive integer from the environment, or returns def.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// TestCrashInjection runs seeded scenarios of appends (single, batch,
// concurrent-free), truncations, syncs and reopens, crashing at a random
// file operation with torn writes, and checks recovery against a model.
func TestCrashInjection(t *testing.T) {
	cases := envInt("WAL_CRASH_CASES", 10000)
	const shards = 4 // parallel subtests, to use every core under -race
	var mu sync.Mutex
	stats := map[string]int{}
	t.Run("shards", func(t *testing.T) {
		for shard := range shards {
			t.Run(fmt.Sprint(shard), func(t *testing.T) {
				t.Parallel()
				local := map[string]int{}
				for seed := uint64(shard); seed < uint64(cases); seed += shards {
					crashCase(t, seed, local)
					if t.Failed() {
						t.Fatalf("seed %d failed", seed)
					}
				}
				mu.Lock()
				defer mu.Unlock()
				for k, v := range local {
					stats[k] += v
				}
			})
		}
	})
	t.Logf("%d cases: %v", cases, stats)
	if stats["torn"] == 0 || stats["clean"] == 0 || stats["lost-unacked"] == 0 {
		t.Errorf("scenarios did not cover torn, clean and lost-unacked recoveries: %v", stats)
	}
	if total := stats["torn"] + stats["clean"]; total != cases {
		t.Errorf("ran %d cases; want %d", total, cases)
	}
}

func crashCase(t *testing.T, seed uint64, stats map[string]int) {
	rng := rand.New(rand.NewPCG(seed, 0xc0ffee))
	policy := SyncAlways
	if seed%5 == 4 {
		policy = SyncNever
	}
	cfs := &crashFS{MemFS: NewMemFS(), rng: rng, n: 1 + rng.IntN(120), eager: seed%2 == 1}
	opts := Options{FS: cfs, SegmentSize: int64(110 + rng.IntN(200)), Sync: policy}
	if seed%10 == 9 {
		// Buffered appends: only Sync, Close and reopen make them durable,
		// as the model already assumes for SyncNever. No timer flushes, so
		// the case stays deterministic.
		opts.BufferSize, opts.BufferDelay = 1+rng.IntN(200), time.Hour
	}

	// model: state after completed operations. durable: the last index
	// that must survive. lo/hi bound the first index after recovery; extra
	// is what an in-flight append may add.
	m := logModel{first: 1}
	var durable uint64
	var extra [][]byte
	hiFirst := uint64(1)
	minLast := uint64(0)

	l, err := Open("log", &opts)
	if err != nil && !errors.Is(err, errDead) {
		t.Fatalf("seed %d: Open: %v", seed, err)
	}
	next := uint64(1)
	for op := 0; cfs.snapshot == nil && op < 60; op++ {
		var err error
		hiFirst = m.first
		minLast = min(durable, m.last())
		switch k := rng.IntN(20); {
		case k < 12:
			n := 1 + rng.IntN(3)
			batch := make([][]byte, n)
			for j := range batch {
				batch[j] = fmt.Appendf(nil, "s%d-i%d-%s", seed, next+uint64(j), bytes.Repeat([]byte{'x'}, rng.IntN(50)))
			}
			extra = batch
			if n == 1 {
				_, err = l.Append(batch[0])
			} else {
				_, err = l.AppendBatch(batch)
			}
			if err != nil {
				break
			}
			extra = nil
			m.recs = append(m.recs, batch...)
			next += uint64(n)
			if policy == SyncAlways {
				durable = m.last()
			}
		case k < 15:
			i := m.first + uint64(rng.IntN(len(m.recs)+1))
			hiFirst = i
			if err = l.TruncateFront(i); err != nil {
				break
			}
			m.recs = m.recs[i-m.first:]
			m.first = i
		case k < 18:
			i := m.first - 1 + uint64(rng.IntN(len(m.recs)+1))
			minLast = min(minLast, i)
			if err = l.TruncateBack(i); err != nil {
				break
			}
			m.recs = m.recs[:i+1-m.first]
			next = i + 1
			durable = min(durable, i)
		case k < 19:
			if err = l.Sync(); err != nil {
				break
			}
			durable = m.last()
		default:
			if err = l.Close(); err != nil {
				break
			}
			if l, err = Open("log", &opts); err != nil {
				break
			}
			durable = m.last()
		}
		if err != nil && !errors.Is(err, errDead) {
			t.Fatalf("seed %d op %d: %v", seed, op, err)
		}
	}
	if cfs.snapshot == nil {
		hiFirst, minLast, extra = m.first, min(durable, m.last()), nil
		cfs.crash()
	}

	after := cfs.snapshot
	l2, err := Open("log", &Options{FS: after, SegmentSize: opts.SegmentSize})
	if err != nil {
		t.Fatalf("seed %d: Open after crash: %v", seed, err)
	}
	defer l2.Close()
	rep := l2.Recovery()
	if rep.Repaired != nil {
		t.Fatalf("seed %d: crash recovery needed repair: %v", seed, rep.Repaired)
	}
	if rep.TornSegment != "" {
		stats["torn"]++
	} else {
		stats["clean"]++
	}
	first, last := l2.FirstIndex(), l2.LastIndex()
	if first < m.first || first > hiFirst {
		t.Fatalf("seed %d: first index %d; want in [%d, %d]", seed, first, m.first, hiFirst)
	}
	if last < minLast {
		t.Fatalf("seed %d: last index %d; acknowledged records up to %d must survive (model %d..%d)", seed, last, minLast, m.first, m.last())
	}
	// Every surviving record must equal the model (or the in-flight batch).
	all := append(append([][]byte(nil), m.recs...), extra...)
	base := m.first
	for i := first; i <= last; i++ {
		got, err := l2.Read(i)
		if err != nil {
			t.Fatalf("seed %d: Read(%d): %v", seed, i, err)
		}
		if i < base || i-base >= uint64(len(all)) {
			t.Fatalf("seed %d: recovered index %d outside the model %d..%d", seed, i, base, base+uint64(len(all))-1)
		}
		if want := all[i-base]; !bytes.Equal(got, want) {
			t.Fatalf("seed %d: Read(%d) = %q; want %q", seed, i, got, want)
		}
	}
	if last < m.last() {
		stats["lost-unacked"]++
	}
	// The log accepts appends after recovery, and they survive a reopen.
	i, err := l2.Append([]byte("after crash"))
	if err != nil || i != last+1 {
		t.Fatalf("seed %d: Append after recovery = %d, %v; want %d", seed, i, err, last+1)
	}
	l2.Close()
	l3, err := Open("log", &Options{FS: after, SegmentSize: opts.SegmentSize})
	if err != nil {
		t.Fatalf("seed %d: second reopen: %v", seed, err)
	}
	defer l3.Close()
	if got, err := l3.Read(i); err != nil || string(got) != "after crash" {
		t.Fatalf("seed %d: Read(%d) after reopen = %q, %v", seed, i, got, err)
	}
	if r := l3.Recovery(); r.TornSegment != "" || len(r.Removed) > 0 {
		t.Fatalf("seed %d: second recovery not clean: %+v", seed, r)
	}
}

// TestCrashInjectionConcurrent crashes while many goroutines append with
// group commit: every acknowledged record must survive at its index, and
// everything recovered must be a record someone tried to append.
func TestCrashInjectionConcurrent(t *testing.T) {
	cases := envInt("WAL_CRASH_CASES", 10000) / 25
	total := 0
	for seed := range uint64(cases) {
		rng := rand.New(rand.NewPCG(seed, 0xbeef))
		cfs := &crashFS{MemFS: NewMemFS(), rng: rng, n: 5 + rng.IntN(150), eager: seed%2 == 1}
		opts := Options{FS: cfs, SegmentSize: int64(200 + rng.IntN(400))}
		l, err := Open("log", &opts)
		if err != nil {
			t.Fatalf("seed %d: Open: %v", seed, err)
		}
		var mu sync.Mutex
		acked := map[uint64]string{}
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; ; k++ {
					p := fmt.Sprintf("w%d-k%d", w, k)
					i, err := l.Append([]byte(p))
					if err != nil {
						if !errors.Is(err, ErrFailed) {
							t.Errorf("seed %d: Append: %v", seed, err)
						}
						return
					}
					mu.Lock()
					acked[i] = p
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		l.Close()
		total += len(acked)
		l2, err := Open("log", &Options{FS: cfs.snapshot})
		if err != nil {
			t.Fatalf("seed %d: Open after crash: %v", seed, err)
		}
		for i, p := range acked {
			got, err := l2.Read(i)
			if err != nil || string(got) != p {
				t.Fatalf("seed %d: acknowledged %d = %q: Read = %q, %v", seed, i, p, got, err)
			}
		}
		seen := map[string]bool{}
		for i := l2.FirstIndex(); i <= l2.LastIndex(); i++ {
			got, err := l2.Read(i)
			if err != nil {
				t.Fatalf("seed %d: Read(%d): %v", seed, i, err)
			}
			var w, k int
			if _, err := fmt.Sscanf(string(got), "w%d-k%d", &w, &k); err != nil || seen[string(got)] {
				t.Fatalf("seed %d: Read(%d) = %q: not an attempted record, or a duplicate", seed, i, got)
			}
			seen[string(got)] = true
		}
		l2.Close()
	}
	if total == 0 {
		t.Fatal("no append was ever acknowledged before a crash")
	}
	t.Logf("%d cases, %d acknowledged records checked", cases, total)
}

// TestTruncateFrontInterrupted crashes at every file operation of a
// TruncateFront that rewrites a segment: the log reopens with either the
// old first index or the new one, never a gap, and its records are intact.
func TestTruncateFrontInterrupted(t *testing.T) {
	for _, eager := range []bool{false, true} {
		truncateFrontInterrupted(t, eager)
	}
}

func truncateFrontInterrupted(t *testing.T, eager bool) {
	finished := false
	for n := 1; !finished; n++ {
		cfs := &crashFS{MemFS: NewMemFS(), rng: rand.New(rand.NewPCG(uint64(n), 1)), n: 1 << 30, eager: eager}
		l, err := Open("log", &Options{FS: cfs, SegmentSize: 64})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 9 {
			if _, err := l.Append(fmt.Appendf(nil, "r%d", i+1)); err != nil {
				t.Fatal(err)
			}
		}
		cfs.n = n
		if err := l.TruncateFront(5); err == nil {
			finished = true
			cfs.crash()
		}
		l2, err := Open("log", &Options{FS: cfs.snapshot})
		if err != nil {
			t.Fatalf("crash at step %d (eager %v): reopen: %v", n, eager, err)
		}
		first := l2.FirstIndex()
		if first != 1 && first != 4 && first != 5 || l2.LastIndex() != 9 {
			t.Fatalf("crash at step %d: log holds %d..%d; want 1, 4 or 5 .. 9", n, first, l2.LastIndex())
		}
		if finished && first != 5 {
			t.Fatalf("TruncateFront returned but the log starts at %d", first)
		}
		for i := first; i <= 9; i++ {
			if got, err := l2.Read(i); err != nil || string(got) != fmt.Sprintf("r%d", i) {
				t.Fatalf("crash at step %d: Read(%d) = %q, %v", n, i, got, err)
			}
		}
		l2.Close()
	}
}

// TestLeftoverTempFile: a rewrite interrupted before its rename leaves a
// .tmp file, which Open deletes and reports.
func TestLeftoverTempFile(t *testing.T) {
	fs := NewMemFS()
	l := mustOpen(t, fs, Options{})
	l.Append([]byte("x"))
	l.Close()
	fs.WriteFile("log/"+segmentName(5)+".tmp", []byte("half a segment"))
	l = mustOpen(t, fs, Options{})
	defer l.Close()
	if r := l.Recovery(); len(r.Removed) != 1 || r.Removed[0] != "log/"+segmentName(5)+".tmp" {
		t.Fatalf("Removed = %v; want the .tmp file", r.Removed)
	}
	if names, _ := fs.List("log"); len(names) != 1 {
		t.Fatalf("files after recovery: %v; want one segment", names)
	}
}
