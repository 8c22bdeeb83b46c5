package lsm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/raceflag"
)

// smallOptions make flushes and compactions happen with little data.
func smallOptions() *Options {
	return &Options{
		MemtableSize:         8 << 10,
		BlockSize:            256,
		BlockRestartInterval: 4,
		TargetFileSize:       8 << 10,
		LevelBaseSize:        32 << 10,
		LevelMultiplier:      4,
		L0CompactionTrigger:  2,
		L0SlowdownWrites:     4,
		L0StopWrites:         6,
		CacheSize:            64 << 10,
	}
}

// model is the reference: a map plus sorted keys.
type model map[string]string

func (m model) sortedKeys() []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func (m model) clone() model {
	c := make(model, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// checkDB compares every read path of db (or snapshot s) with want.
func checkDB(t *testing.T, r *rand.Rand, get func([]byte) ([]byte, error), newIter func(*IterOptions) *Iterator, want model, keyspace int, step int) {
	t.Helper()
	for i := 0; i < 40; i++ {
		k := keyName(r.IntN(keyspace))
		v, err := get([]byte(k))
		wv, ok := want[k]
		if ok && (err != nil || string(v) != wv) {
			t.Fatalf("step %d: Get(%s) = %q, %v; want %q", step, k, v, err, wv)
		}
		if !ok && !errors.Is(err, ErrNotFound) {
			t.Fatalf("step %d: Get(%s) = %q, %v; want ErrNotFound", step, k, v, err)
		}
	}
	keys := want.sortedKeys()
	it := newIter(nil)
	var got []string
	for k, v := range it.All() {
		if want[string(k)] != string(v) {
			t.Fatalf("step %d: scan %s = %q; want %q", step, k, v, want[string(k)])
		}
		got = append(got, string(k))
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, keys) {
		t.Fatalf("step %d: forward scan has %d keys; want %d\n got %v\nwant %v", step, len(got), len(keys), got, keys)
	}
	it = newIter(nil)
	got = got[:0]
	for k := range it.Backward() {
		got = append(got, string(k))
	}
	it.Close()
	slices.Reverse(got)
	if !slices.Equal(got, keys) {
		t.Fatalf("step %d: backward scan differs: got %v want %v", step, got, keys)
	}
	// A bounded iterator with mixed directions.
	lo, hi := keyName(r.IntN(keyspace)), keyName(r.IntN(keyspace))
	if lo > hi {
		lo, hi = hi, lo
	}
	var inRange []string
	for _, k := range keys {
		if k >= lo && k < hi {
			inRange = append(inRange, k)
		}
	}
	it = newIter(&IterOptions{LowerBound: []byte(lo), UpperBound: []byte(hi)})
	defer it.Close()
	pos := -1
	ok := it.First()
	if ok {
		pos = 0
	}
	for j := 0; j < 30; j++ {
		if (pos >= 0 && pos < len(inRange)) != ok {
			t.Fatalf("step %d: range [%s,%s) pos %d: valid=%v", step, lo, hi, pos, ok)
		}
		if ok && string(it.Key()) != inRange[pos] {
			t.Fatalf("step %d: range pos %d: key %s; want %s", step, pos, it.Key(), inRange[pos])
		}
		if !ok {
			break
		}
		if r.IntN(3) == 0 {
			ok = it.Prev()
			pos--
		} else {
			ok = it.Next()
			pos++
		}
	}
	if it.Error() != nil {
		t.Fatal(it.Error())
	}
	// SeekGE and SeekLT land where the sorted keys say.
	target := keyName(r.IntN(keyspace))
	i, _ := slices.BinarySearch(keys, target)
	if ok := it.SeekGE([]byte(target)); ok {
		_ = ok
	}
	it2 := newIter(nil)
	defer it2.Close()
	if ok := it2.SeekGE([]byte(target)); ok != (i < len(keys)) || (ok && string(it2.Key()) != keys[i]) {
		t.Fatalf("step %d: SeekGE(%s) ok=%v", step, target, ok)
	}
	if ok := it2.SeekLT([]byte(target)); ok != (i > 0) || (ok && string(it2.Key()) != keys[i-1]) {
		t.Fatalf("step %d: SeekLT(%s) ok=%v key=%s; want %d", step, target, ok, it2.Key(), i-1)
	}
}

func keyName(i int) string { return fmt.Sprintf("key%05d", i) }

// TestModel runs random puts, deletes, batches, snapshots, flushes,
// compactions and reopens, checking the DB against a map after every step.
// LSM_MODEL_STEPS sets the number of steps.
func TestModel(t *testing.T) {
	steps := 3000
	if raceflag.Enabled {
		steps = 1000
	}
	if s, err := strconv.Atoi(os.Getenv("LSM_MODEL_STEPS")); err == nil {
		steps = s
	}
	for _, seed := range []uint64{1, 2} {
		// Seed 2 runs with the defaults (mapped tables, a log buffer, here
		// small); seed 1 with both off (pread and block cache, every write
		// to the log at once).
		mmap := seed == 2
		t.Run(fmt.Sprint("seed=", seed, "/mmap+walbuffer=", mmap), func(t *testing.T) { runModel(t, seed, steps, mmap) })
	}
}

func runModel(t *testing.T, seed uint64, steps int, mmap bool) {
	r := rand.New(rand.NewPCG(seed, 77))
	dir := t.TempDir()
	opts := smallOptions()
	opts.DisableMmap = !mmap
	opts.WALBufferSize = -1
	if mmap {
		opts.WALBufferSize = 1 << 10
	}
	db, err := openSmallManifest(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { db.Close() }()
	want := model{}
	const keyspace = 600
	type snap struct {
		s    *Snapshot
		want model
	}
	var snaps []snap
	var flushes, compactions int64
	ctx := context.Background()
	val := func(step int) []byte {
		return bytes.Repeat([]byte(fmt.Sprintf("v%d-", step)), 1+r.IntN(12))
	}
	for step := 0; step < steps; step++ {
		switch op := r.IntN(100); {
		case op < 50:
			k, v := keyName(r.IntN(keyspace)), val(step)
			if err := db.Put([]byte(k), v, nil); err != nil {
				t.Fatal(err)
			}
			want[k] = string(v)
		case op < 65:
			k := keyName(r.IntN(keyspace))
			if err := db.Delete([]byte(k), nil); err != nil {
				t.Fatal(err)
			}
			delete(want, k)
		case op < 80:
			var b Batch
			for n := r.IntN(20); n >= 0; n-- {
				k := keyName(r.IntN(keyspace))
				if r.IntN(4) == 0 {
					b.Delete([]byte(k))
					delete(want, k)
				} else {
					v := val(step)
					b.Put([]byte(k), v)
					want[k] = string(v)
				}
			}
			if err := db.Apply(&b, nil); err != nil {
				t.Fatal(err)
			}
		case op < 84:
			snaps = append(snaps, snap{db.NewSnapshot(), want.clone()})
		case op < 87 && len(snaps) > 0:
			i := r.IntN(len(snaps))
			snaps[i].s.Close()
			snaps = slices.Delete(snaps, i, i+1)
		case op < 89:
			if err := db.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		case op < 90:
			if err := db.Compact(ctx); err != nil {
				t.Fatal(err)
			}
		case op < 92:
			for _, s := range snaps {
				s.s.Close()
			}
			snaps = nil
			st := db.Stats()
			flushes += st.Flushes
			compactions += st.Compactions
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if db, err = openSmallManifest(dir, opts); err != nil {
				t.Fatal(err)
			}
		}
		if step%10 == 0 || step == steps-1 {
			checkDB(t, r, db.Get, db.NewIter, want, keyspace, step)
			for _, s := range snaps {
				checkDB(t, r, s.s.Get, s.s.NewIter, s.want, keyspace, step)
			}
		}
	}
	st := db.Stats()
	if flushes+st.Flushes == 0 || compactions+st.Compactions == 0 {
		t.Fatalf("model run did no flush or compaction: %+v", st)
	}
	t.Logf("stats: %+v", st)
}

// openSmallManifest opens a DB whose MANIFEST is rewritten every few
// edits, so tests exercise the rotation too.
func openSmallManifest(dir string, o *Options) (*DB, error) {
	db, err := Open(dir, o)
	if err != nil {
		return nil, err
	}
	db.manifestMu.Lock()
	db.maxManifest = 2048
	db.manifestMu.Unlock()
	return db, nil
}
