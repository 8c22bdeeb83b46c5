package merkle

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// mapSource is an EntrySource over a map, as a store would provide.
func mapSource(m map[string]uint64, s **Summary) EntrySource {
	return func(ctx context.Context, buckets []int) ([]Entry, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var out []Entry
		for k, v := range m {
			if _, ok := slices.BinarySearch(buckets, (*s).Bucket(k)); ok {
				out = append(out, Entry{Key: k, ValueHash: v})
			}
		}
		return out, nil
	}
}

// newMapSummary returns a Summary whose source is m.
func newMapSummary(t testing.TB, o Options, m map[string]uint64) *Summary {
	t.Helper()
	var s *Summary
	s, err := NewSummary(o, mapSource(m, &s))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sameNodes fails unless s and tr have the same hash at every node.
func sameNodes(t *testing.T, s *Summary, tr *Tree) {
	t.Helper()
	if s.Options() != tr.Options() || s.Buckets() != tr.Buckets() {
		t.Fatalf("shapes differ: %+v %d vs %+v %d", s.Options(), s.Buckets(), tr.Options(), tr.Buckets())
	}
	for l := 0; l <= tr.depth; l++ {
		for i := range tr.width(l) {
			a, _ := s.NodeHash(l, i)
			b, _ := tr.NodeHash(l, i)
			if a != b {
				t.Fatalf("node %d/%d: summary %x, tree %x", l, i, a, b)
			}
		}
	}
}

// TestSummaryAgainstRebuild drives a Tree with Put/Delete and a Summary with
// Insert/Update/Remove through the same random history and checks both
// against a tree rebuilt from the final contents.
func TestSummaryAgainstRebuild(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, o := range []Options{{Fanout: 2, Depth: 3}, {Fanout: 3, Depth: 2}, {Fanout: 4, Depth: 2}, {Fanout: 64, Depth: 2}, {}} {
		tr := mustNew(t, o)
		model := map[string]uint64{}
		s := newMapSummary(t, o, model)
		for range 6000 {
			k := "k" + strconv.Itoa(rng.IntN(700))
			old, had := model[k]
			if rng.IntN(4) == 0 {
				tr.Delete(k)
				if had {
					s.Remove(k, old)
					delete(model, k)
				}
				continue
			}
			v := rng.Uint64() % 5
			tr.Put(k, v)
			if had {
				s.Update(k, old, v)
			} else {
				s.Insert(k, v)
			}
			model[k] = v
		}
		rebuilt := mustNew(t, o)
		for k, v := range model {
			rebuilt.Put(k, v)
		}
		sameNodes(t, s, rebuilt)
		sameNodes(t, s, tr)
		if s.Len() != len(model) {
			t.Fatalf("%+v: Len() = %d; want %d", o, s.Len(), len(model))
		}
		for _, k := range []string{"k1", "k350", "zzz"} {
			if s.Bucket(k) != tr.Bucket(k) {
				t.Fatalf("Bucket(%q) = %d; tree says %d", k, s.Bucket(k), tr.Bucket(k))
			}
		}
		for b := range s.Buckets() {
			lo, hi, ok := s.BucketRange(b)
			tlo, thi, tok := tr.BucketRange(b)
			if lo != tlo || hi != thi || ok != tok {
				t.Fatalf("BucketRange(%d) differs from the tree's", b)
			}
		}
		for k, v := range model {
			s.Remove(k, v)
		}
		if s.Root() != 0 || s.Len() != 0 {
			t.Fatalf("emptied summary: root %x, len %d; want 0, 0", s.Root(), s.Len())
		}
	}
}

// summaryPair mirrors pair with Summaries over maps.
func summaryPair(t *testing.T, o Options, n int, changed, onlyLocal, onlyRemote []int) (local, remote *Summary, lm, rm map[string]uint64) {
	lm, rm = map[string]uint64{}, map[string]uint64{}
	local, remote = newMapSummary(t, o, lm), newMapSummary(t, o, rm)
	for i := range n {
		k := "key:" + strconv.Itoa(i)
		vh := uint64(i) * 0x9e3779b97f4a7c15
		lm[k], rm[k] = vh, vh
		local.Insert(k, vh)
		remote.Insert(k, vh)
	}
	for _, i := range changed {
		k := "key:" + strconv.Itoa(i)
		remote.Update(k, rm[k], lm[k]+1)
		rm[k] = lm[k] + 1
	}
	for _, i := range onlyLocal {
		k := "key:" + strconv.Itoa(i)
		remote.Remove(k, rm[k])
		delete(rm, k)
	}
	for _, i := range onlyRemote {
		k := "new:" + strconv.Itoa(i)
		remote.Insert(k, 7)
		rm[k] = 7
	}
	return local, remote, lm, rm
}

// TestSummaryDiffMatchesTree checks that Summaries find the same
// differences with the same exchange as Trees, in process, over the wire,
// and against a Tree on the other side.
func TestSummaryDiffMatchesTree(t *testing.T) {
	ctx := context.Background()
	for _, o := range []Options{{Fanout: 2, Depth: 5}, {Fanout: 16, Depth: 2}, {Fanout: 64, Depth: 3}, {Fanout: 5, Depth: 3}} {
		changed, onlyLocal, onlyRemote := []int{5, 900, 4000}, []int{17}, []int{4, 8}
		tl, tr, want := pair(t, o, 5000, changed, onlyLocal, onlyRemote)
		sl, sr, _, _ := summaryPair(t, o, 5000, changed, onlyLocal, onlyRemote)
		sameNodes(t, sl, tl)
		sameNodes(t, sr, tr)
		wantDiff, wantSt, err := tl.Diff(ctx, tr)
		if err != nil || !slices.Equal(wantDiff, want) {
			t.Fatalf("%+v: tree diff %v, %v; want %v", o, wantDiff, err, want)
		}
		wire := func(serve func([]byte) ([]byte, error)) Remote {
			return RoundTripFunc(func(_ context.Context, req []byte) ([]byte, error) { return serve(req) })
		}
		sServe := func(s *Summary) func([]byte) ([]byte, error) {
			return func(req []byte) ([]byte, error) { return s.Serve(ctx, req) }
		}
		cases := []struct {
			name  string
			diff  func() ([]Difference, Stats, error)
			wantD []Difference
		}{
			{"summary vs summary", func() ([]Difference, Stats, error) { return sl.Diff(ctx, sr) }, want},
			{"summary vs summary over wire", func() ([]Difference, Stats, error) { return sl.Diff(ctx, wire(sServe(sr))) }, want},
			{"summary vs tree", func() ([]Difference, Stats, error) { return sl.Diff(ctx, tr) }, want},
			{"tree vs summary", func() ([]Difference, Stats, error) { return tl.Diff(ctx, sr) }, want},
			{"tree vs summary over wire", func() ([]Difference, Stats, error) { return tl.Diff(ctx, wire(sServe(sr))) }, want},
		}
		for _, c := range cases {
			got, st, err := c.diff()
			if err != nil {
				t.Fatalf("%+v %s: %v", o, c.name, err)
			}
			if !slices.Equal(got, c.wantD) || st != wantSt {
				t.Fatalf("%+v %s: %v, %+v;\nwant %v, %+v", o, c.name, got, st, c.wantD, wantSt)
			}
		}
		gotB, _, err := sl.DiffBuckets(ctx, sr)
		wantB, _, _ := tl.DiffBuckets(ctx, tr)
		if err != nil || !slices.Equal(gotB, wantB) {
			t.Fatalf("%+v: DiffBuckets %v, %v; want %v", o, gotB, err, wantB)
		}
		// Both serve the same answers; entries may come in any order.
		hreq := []byte{kindHashes, byte(o.Fanout), byte(o.Depth), 1, 2, 0, 0}
		a, aerr := tr.Serve(hreq)
		b, berr := sr.Serve(ctx, hreq)
		if aerr != nil || berr != nil || !slices.Equal(a, b) {
			t.Fatalf("%+v: Serve(%v): tree %x, %v; summary %x, %v", o, hreq, a, aerr, b, berr)
		}
		asked := []int{tr.Bucket("key:1"), tr.Bucket("key:2")}
		slices.Sort(asked)
		ereq, err := appendIndexes(appendShape([]byte{kindEntries}, o), slices.Compact(asked))
		if err != nil {
			t.Fatal(err)
		}
		a, aerr = tr.Serve(ereq)
		b, berr = sr.Serve(ctx, ereq)
		ae, _ := decodeEntriesResponse(a)
		be, _ := decodeEntriesResponse(b)
		byKey := func(x, y Entry) int { return cmpString(x.Key, y.Key) }
		slices.SortFunc(ae, byKey)
		slices.SortFunc(be, byKey)
		if aerr != nil || berr != nil || len(ae) == 0 || !slices.Equal(ae, be) {
			t.Fatalf("%+v: Serve(%v): tree %d entries, %v; summary %d entries, %v", o, ereq, len(ae), aerr, len(be), berr)
		}
	}
}

func TestSummaryStaleAndRehash(t *testing.T) {
	ctx := context.Background()
	o := Options{Fanout: 4, Depth: 2}
	local, remote, lm, rm := summaryPair(t, o, 500, []int{10}, nil, nil)
	// The local store changes key:20 without telling its summary, and the
	// remote changes it too (reported), so the stale bucket differs.
	orig := lm["key:20"]
	lm["key:20"] = orig + 1
	remote.Update("key:20", orig, 99)
	rm["key:20"] = 99
	b := local.Bucket("key:20")
	if _, _, err := local.Diff(ctx, remote); !errors.Is(err, ErrStale) {
		t.Fatalf("Diff with an unreported change: %v; want ErrStale", err)
	}
	changed, err := local.Rehash(ctx, []int{b})
	if err != nil || !slices.Equal(changed, []int{b}) {
		t.Fatalf("Rehash = %v, %v; want [%d]", changed, err, b)
	}
	rebuilt := mustNew(t, o)
	for k, v := range lm {
		rebuilt.Put(k, v)
	}
	sameNodes(t, local, rebuilt)
	if changed, err := local.Rehash(ctx, []int{0, 1, b}); err != nil || len(changed) != 0 {
		t.Fatalf("second Rehash = %v, %v; want nothing to change", changed, err)
	}
	diffs, _, err := local.Diff(ctx, remote)
	if err != nil || len(diffs) != 2 {
		t.Fatalf("Diff after Rehash = %v, %v; want key:10 and key:20", diffs, err)
	}
	if _, err := local.Rehash(ctx, []int{3, 1}); !errors.Is(err, ErrBadRequest) {
		t.Fatalf("Rehash of unsorted buckets: %v; want ErrBadRequest", err)
	}
	local.Reset()
	if local.Root() != 0 || local.Len() != 0 {
		t.Fatal("Reset left hashes or a count")
	}
}

func TestSummaryErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := NewSummary(Options{Fanout: 1}, nil); !errors.Is(err, ErrInvalidOptions) {
		t.Fatalf("NewSummary(fanout 1): %v; want ErrInvalidOptions", err)
	}
	o := Options{Fanout: 4, Depth: 2}
	bare, err := NewSummary(o, nil)
	if err != nil {
		t.Fatal(err)
	}
	bare.Insert("a", 1)
	other := mustNew(t, o)
	other.Put("a", 2)
	if _, _, err := bare.Diff(ctx, other); !errors.Is(err, ErrNoSource) {
		t.Errorf("Diff without a source: %v; want ErrNoSource", err)
	}
	if bs, _, err := bare.DiffBuckets(ctx, other); err != nil || len(bs) != 1 {
		t.Errorf("DiffBuckets without a source: %v, %v; want one bucket", bs, err)
	}
	if _, err := bare.Serve(ctx, []byte{kindEntries, 4, 2, 1, 0}); !errors.Is(err, ErrNoSource) {
		t.Errorf("Serve entries without a source: %v; want ErrNoSource", err)
	}
	if _, err := bare.Hashes(ctx, Options{Fanout: 8, Depth: 2}, 1, []int{0}); !errors.Is(err, ErrShapeMismatch) {
		t.Errorf("Hashes with another shape: %v; want ErrShapeMismatch", err)
	}
	if _, _, err := other.Diff(ctx, bare); !errors.Is(err, ErrNoSource) {
		t.Errorf("Diff against a summary without a source: %v; want ErrNoSource", err)
	}
	for _, req := range [][]byte{nil, {9, 4, 2}, {kindHashes, 4, 2, 0, 0}, {kindHashes, 4, 2, 3, 0}, {kindEntries, 4, 2, 1, 16}, {kindEntries, 8, 2, 0}} {
		if _, err := bare.Serve(ctx, req); err == nil {
			t.Errorf("Serve(%v) succeeded; want an error", req)
		}
	}
	if _, ok := bare.NodeHash(3, 0); ok {
		t.Error("NodeHash(3, 0) ok on a depth-2 summary")
	}
	// Sources that break their contract.
	bad := []EntrySource{
		func(context.Context, []int) ([]Entry, error) {
			return []Entry{{Key: "not-in-bucket-" + strconv.Itoa(0)}}, nil
		},
		func(_ context.Context, bs []int) ([]Entry, error) {
			return []Entry{{Key: "a", ValueHash: 1}, {Key: "a", ValueHash: 1}}, nil
		},
		func(context.Context, []int) ([]Entry, error) { return nil, context.DeadlineExceeded },
	}
	wantErr := []error{ErrBadSource, ErrBadSource, context.DeadlineExceeded}
	for i, src := range bad {
		s, _ := NewSummary(o, src)
		s.Insert("a", 1)
		if i == 0 && s.Bucket("not-in-bucket-0") == s.Bucket("a") {
			t.Fatal("test keys share a bucket; pick another")
		}
		if _, _, err := s.Diff(ctx, other); !errors.Is(err, wantErr[i]) {
			t.Errorf("source %d: Diff error %v; want %v", i, err, wantErr[i])
		}
		if _, err := s.Entries(ctx, o, []int{s.Bucket("a")}); !errors.Is(err, wantErr[i]) {
			t.Errorf("source %d: Entries error %v; want %v", i, err, wantErr[i])
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := bare.Entries(cancelled, o, []int{0}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Entries: %v; want context.Canceled", err)
	}
}
