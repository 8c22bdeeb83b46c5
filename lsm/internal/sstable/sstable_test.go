package sstable

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/sysdesign-go/sysdesign/lsm/internal/base"
)

type kv struct{ k, v []byte }

func genEntries(r *rand.Rand, n int) []kv {
	seen := map[string]bool{}
	var out []kv
	for len(out) < n {
		uk := fmt.Appendf(nil, "key%06d", r.IntN(n*3))
		seq := uint64(r.IntN(1000) + 1)
		ik := base.MakeKey(nil, uk, seq, base.Kind(r.IntN(2)))
		if seen[string(base.UserKey(ik))+fmt.Sprint(seq)] {
			continue
		}
		seen[string(base.UserKey(ik))+fmt.Sprint(seq)] = true
		out = append(out, kv{ik, bytes.Repeat([]byte{byte(len(out))}, r.IntN(40))})
	}
	slices.SortFunc(out, func(a, b kv) int { return base.Compare(a.k, b.k) })
	return out
}

func writeTable(t testing.TB, path string, es []kv, opts WriterOptions) int64 {
	t.Helper()
	w, err := NewWriter(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if err := w.Add(e.k, e.v); err != nil {
			t.Fatal(err)
		}
	}
	n, err := w.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return int64(n)
}

func openTable(t testing.TB, path string, cache *Cache) *Reader {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	r, err := NewReader(f, st.Size(), path, 1, cache, BloomPolicy{10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestTableModel(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		opts WriterOptions
	}{
		{"one", 1, WriterOptions{}},
		{"small-blocks", 2000, WriterOptions{BlockSize: 128, RestartInterval: 3, Filter: BloomPolicy{10}}},
		{"default", 5000, WriterOptions{Filter: BloomPolicy{10}}},
		{"restart1", 700, WriterOptions{BlockSize: 300, RestartInterval: 1}},
	} {
		for _, mapped := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/mapped=%v", tc.name, mapped), func(t *testing.T) { testTableModel(t, tc.n, tc.opts, mapped) })
		}
	}
}

// mapWhole gives r the file's bytes as its mapping (a copy in memory
// stands in for mmap here, so the test runs everywhere).
func mapWhole(t testing.TB, r *Reader, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r.SetMapped(data, nil)
}

// testTableModel checks a table against the sorted entries it was built
// from, read through the block cache or, with mapped, from memory (where
// the second read of a block skips its checksum: the queries revisit
// blocks many times, so both paths are compared with the model).
func testTableModel(t *testing.T, n int, opts WriterOptions, mapped bool) {
	r := rand.New(rand.NewPCG(uint64(n), 9))
	es := genEntries(r, n)
	path := filepath.Join(t.TempDir(), "t.sst")
	writeTable(t, path, es, opts)
	rd := openTable(t, path, NewCache(1<<20))
	if mapped {
		mapWhole(t, rd, path)
	}
	it := rd.NewIter(true)
	i := 0
	for ok := it.First(); ok; ok = it.Next() {
		if !bytes.Equal(it.Key(), es[i].k) || !bytes.Equal(it.Value(), es[i].v) {
			t.Fatalf("forward %d: got %q; want %q", i, it.Key(), es[i].k)
		}
		i++
	}
	if i != len(es) || it.Error() != nil {
		t.Fatalf("forward saw %d of %d, err %v", i, len(es), it.Error())
	}
	for ok := it.Last(); ok; ok = it.Prev() {
		i--
		if !bytes.Equal(it.Key(), es[i].k) {
			t.Fatalf("reverse %d: got %q; want %q", i, it.Key(), es[i].k)
		}
	}
	if i != 0 {
		t.Fatalf("reverse stopped at %d", i)
	}
	for q := 0; q < 500; q++ {
		target := base.MakeKey(nil, fmt.Appendf(nil, "key%06d", r.IntN(n*3+2)), uint64(r.IntN(1100)), base.KindSet)
		j := sort.Search(len(es), func(j int) bool { return base.Compare(es[j].k, target) >= 0 })
		ok := it.SeekGE(target)
		if ok != (j < len(es)) || (ok && !bytes.Equal(it.Key(), es[j].k)) {
			t.Fatalf("SeekGE(%q): ok=%v key=%q; want index %d", target, ok, it.Key(), j)
		}
		ok = it.SeekLT(target)
		if ok != (j > 0) || (ok && !bytes.Equal(it.Key(), es[j-1].k)) {
			t.Fatalf("SeekLT(%q): ok=%v; want index %d", target, ok, j-1)
		}
		v, kind, found, err := rd.Get(target)
		wantFound := j < len(es) && bytes.Equal(base.UserKey(es[j].k), base.UserKey(target))
		if err != nil || found != wantFound || (found && (!bytes.Equal(v, es[j].v) || kind != base.KindOf(es[j].k))) {
			t.Fatalf("Get(%q) = %q,%v,%v; want found %v", target, v, found, err, wantFound)
		}
	}
}

func TestBloomFalsePositiveRate(t *testing.T) {
	p := BloomPolicy{10}
	var hs []uint64
	r := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 10000; i++ {
		hs = append(hs, r.Uint64())
	}
	f, err := p.Open(p.Build(hs))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		if !f.MayContain(h) {
			t.Fatal("false negative")
		}
	}
	fp := 0
	for i := 0; i < 100000; i++ {
		if f.MayContain(r.Uint64()) {
			fp++
		}
	}
	t.Logf("false positive rate at 10 bits/key: %.4f", float64(fp)/100000)
	if rate := float64(fp) / 100000; rate > 0.03 {
		t.Fatalf("false positive rate %.4f; want <= 0.03 at 10 bits/key", rate)
	}
}

func TestCorruptTables(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	es := genEntries(r, 300)
	path := filepath.Join(t.TempDir(), "t.sst")
	writeTable(t, path, es, WriterOptions{BlockSize: 256, Filter: BloomPolicy{10}})
	good, _ := os.ReadFile(path)
	for off := 0; off < len(good); off += 7 {
		bad := bytes.Clone(good)
		bad[off] ^= 0x5a
		os.WriteFile(path, bad, 0o644)
		for _, mapped := range []bool{false, true} {
			err := readWhole(path, mapped)
			if err == nil {
				// Flipping a byte inside the filter may go unnoticed only if
				// the filter is not checked; every block is, so all must fail.
				t.Fatalf("flip at %d, mapped %v: no error", off, mapped)
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("flip at %d, mapped %v: err %v does not wrap ErrCorrupt", off, mapped, err)
			}
		}
	}
}

// TestMappedCorruptBlockStaysBad checks that a mapped data block whose
// checksum fails is never marked verified: every Get of it fails.
func TestMappedCorruptBlockStaysBad(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	es := genEntries(r, 300)
	path := filepath.Join(t.TempDir(), "t.sst")
	writeTable(t, path, es, WriterOptions{BlockSize: 256})
	rd := openTable(t, path, nil)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[10] ^= 0x5a // inside the first data block
	rd.SetMapped(data, nil)
	for i := range 3 {
		if _, _, _, err := rd.Get(es[0].k); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Get %d of a key in the damaged block: %v; want ErrCorrupt", i, err)
		}
	}
	if v, _, found, err := rd.Get(es[len(es)-1].k); err != nil || !found || !bytes.Equal(v, es[len(es)-1].v) {
		t.Fatalf("Get of a key in an intact block = %q, %v, %v", v, found, err)
	}
}

// readWhole opens a table and reads all of it, returning the first error;
// with mapped, from a copy of the file given as its mapping.
func readWhole(path string, mapped bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, _ := f.Stat()
	rd, err := NewReader(f, st.Size(), path, 1, nil, BloomPolicy{10})
	if err != nil {
		return err
	}
	if mapped {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rd.SetMapped(data, nil)
	}
	it := rd.NewIter(true)
	for ok := it.First(); ok; ok = it.Next() {
	}
	return it.Error()
}

func FuzzBlock(f *testing.F) {
	var w blockWriter
	w.restartInterval = 2
	for i := 0; i < 5; i++ {
		w.add(base.MakeKey(nil, fmt.Appendf(nil, "k%d", i), 1, base.KindSet), []byte("v"))
	}
	f.Add(bytes.Clone(w.finish()))
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var it blockIter
		if it.init(b) != nil {
			return
		}
		n := 0
		var prev []byte
		for ok := it.First(); ok && n < 10000; ok = it.Next() {
			prev = append(prev[:0], it.Key()...)
			n++
		}
		for ok := it.Last(); ok && n > -10000; ok = it.Prev() {
			n--
		}
		it.SeekGE(base.MakeKey(nil, []byte("k2"), 1, base.KindSet))
		it.SeekLT(base.MakeKey(nil, []byte("k2"), 1, base.KindSet))
	})
}

func FuzzTable(f *testing.F) {
	dir := f.TempDir()
	path := filepath.Join(dir, "seed.sst")
	r := rand.New(rand.NewPCG(1, 1))
	writeTable(f, path, genEntries(r, 50), WriterOptions{BlockSize: 128, Filter: BloomPolicy{10}})
	seed, _ := os.ReadFile(path)
	f.Add(seed)
	f.Add(seed[len(seed)-footerLen:])
	f.Fuzz(func(t *testing.T, b []byte) {
		p := filepath.Join(t.TempDir(), "f.sst")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		fl, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer fl.Close()
		rd, err := NewReader(fl, int64(len(b)), p, 1, nil, BloomPolicy{10})
		if err != nil {
			return
		}
		it := rd.NewIter(true)
		var last []byte
		for ok := it.First(); ok; ok = it.Next() {
			last = append(last[:0], it.Key()...)
		}
		for ok := it.Last(); ok; ok = it.Prev() {
		}
		rd.Get(base.MakeKey(nil, []byte("key000001"), base.MaxSeq, base.KindMax))
		_ = last
	})
}

func BenchmarkTable_Get(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	es := genEntries(r, 20000)
	path := filepath.Join(b.TempDir(), "t.sst")
	writeTable(b, path, es, WriterOptions{Filter: BloomPolicy{10}})
	rd := openTable(b, path, NewCache(64<<20))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		rd.Get(es[i%len(es)].k)
		i++
	}
}
