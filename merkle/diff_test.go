package merkle

import (
	"context"
	"errors"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/raceflag"
)

// diffKeys is the size of the large diff test: 1M keys, 100k under -race,
// or MERKLE_DIFF_KEYS.
func diffKeys(t *testing.T) int {
	if s := os.Getenv("MERKLE_DIFF_KEYS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 100 {
			t.Fatalf("MERKLE_DIFF_KEYS=%q: want an integer >= 100", s)
		}
		return n
	}
	if raceflag.Enabled {
		return 100_000
	}
	return 1_000_000
}

// pair builds two trees with n common keys and returns them with the
// expected differences: changed values, keys only local, keys only remote.
func pair(t testing.TB, o Options, n int, changed, onlyLocal, onlyRemote []int) (local, remote *Tree, want []Difference) {
	local, remote = mustNew(t, o), mustNew(t, o)
	for i := range n {
		k := "key:" + strconv.Itoa(i)
		vh := uint64(i) * 0x9e3779b97f4a7c15
		local.Put(k, vh)
		remote.Put(k, vh)
	}
	for _, i := range changed {
		k := "key:" + strconv.Itoa(i)
		lv, _ := local.Get(k)
		remote.Put(k, lv+1)
		want = append(want, Difference{Key: k, Local: lv, Remote: lv + 1, InLocal: true, InRemote: true})
	}
	for _, i := range onlyLocal {
		k := "key:" + strconv.Itoa(i)
		lv, _ := remote.Get(k)
		remote.Delete(k)
		want = append(want, Difference{Key: k, Local: lv, InLocal: true})
	}
	for _, i := range onlyRemote {
		k := "new:" + strconv.Itoa(i)
		remote.Put(k, 7)
		want = append(want, Difference{Key: k, Remote: 7, InRemote: true})
	}
	slices.SortFunc(want, func(a, b Difference) int { return cmpString(a.Key, b.Key) })
	return local, remote, want
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestDiffLarge(t *testing.T) {
	n := diffKeys(t)
	local, remote, want := pair(t, Options{}, n, []int{3, n / 2, n - 1, 12345 % n}, []int{7, n / 3, n / 5}, []int{1, 2, 3})
	if len(want) != 10 {
		t.Fatalf("set up %d differences; want 10", len(want))
	}
	ctx := context.Background()
	got, st, err := local.Diff(ctx, remote)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Diff = %+v;\nwant %+v", got, want)
	}
	totalHashes := len(local.buckets)
	for _, l := range local.levels[1:] {
		totalHashes += len(l)
	}
	t.Logf("%d keys, 10 differences: %d round trips, %d of %d hashes (%.3f%%), %d candidate entries, %d buckets, %d bytes",
		n, st.RoundTrips, st.Hashes, totalHashes, 100*float64(st.Hashes)/float64(totalHashes), st.Entries, st.Buckets, st.Bytes)
	if st.RoundTrips != local.depth+1 {
		t.Errorf("round trips = %d; want %d", st.RoundTrips, local.depth+1)
	}
	// At most fanout hashes per differing node per level.
	if maxHashes := local.fanout * (1 + 10*(local.depth-1)); st.Hashes > maxHashes {
		t.Errorf("exchanged %d hashes; want at most %d", st.Hashes, maxHashes)
	}
	if st.Hashes*100 > totalHashes {
		t.Errorf("exchanged %d of %d hashes; want under 1%%", st.Hashes, totalHashes)
	}
	if st.Buckets > 10 || st.Buckets < 1 {
		t.Errorf("%d differing buckets; want 1..10", st.Buckets)
	}
	// Candidates are the entries of the differing buckets only.
	if per := n / local.Buckets(); st.Entries > 10*(per+1)*4+20 {
		t.Errorf("%d candidate entries; want about %d", st.Entries, 10*per)
	}
	if st.Entries*100 > n {
		t.Errorf("%d candidate entries of %d keys; want under 1%%", st.Entries, n)
	}
	// Repairing the differences makes the trees equal.
	for _, d := range got {
		if d.InRemote {
			local.Put(d.Key, d.Remote)
		} else {
			local.Delete(d.Key)
		}
	}
	if local.Root() != remote.Root() {
		t.Fatal("roots differ after repair")
	}
	got, st, err = local.Diff(ctx, remote)
	if err != nil || len(got) != 0 || st.RoundTrips != 1 || st.Hashes != local.fanout {
		t.Fatalf("after repair: %v, %+v, %v; want no differences after one round trip", got, st, err)
	}
}

// countingTransport carries the wire protocol to a remote tree, counting
// the bytes as a network would.
type countingTransport struct {
	remote *Tree
	bytes  int
	calls  int
}

func (c *countingTransport) roundTrip(_ context.Context, req []byte) ([]byte, error) {
	c.calls++
	resp, err := c.remote.Serve(req)
	c.bytes += len(req) + len(resp)
	return resp, err
}

func TestDiffOverWire(t *testing.T) {
	for _, o := range []Options{{Fanout: 2, Depth: 5}, {Fanout: 16, Depth: 2}, {Fanout: 64, Depth: 3}, {}} {
		local, remote, want := pair(t, o, 20000, []int{5, 900}, []int{17}, []int{4, 8})
		tr := &countingTransport{remote: remote}
		got, st, err := local.Diff(context.Background(), RoundTripFunc(tr.roundTrip))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%+v: Diff = %+v; want %+v", o, got, want)
		}
		direct, dst, err := local.Diff(context.Background(), remote)
		if err != nil || !slices.Equal(direct, want) || dst != st {
			t.Fatalf("%+v: in-process diff %+v %+v %v differs from wire diff %+v", o, direct, dst, err, st)
		}
		if st.Bytes != tr.bytes || st.RoundTrips != tr.calls {
			t.Fatalf("%+v: stats say %d bytes in %d trips; transport carried %d in %d", o, st.Bytes, st.RoundTrips, tr.bytes, tr.calls)
		}
	}
}

func TestDiffBuckets(t *testing.T) {
	local, remote, want := pair(t, Options{Fanout: 4, Depth: 3}, 1000, []int{10}, nil, []int{1})
	buckets, st, err := local.DiffBuckets(context.Background(), remote)
	if err != nil {
		t.Fatal(err)
	}
	var wantB []int
	for _, d := range want {
		wantB = append(wantB, local.Bucket(d.Key))
	}
	slices.Sort(wantB)
	wantB = slices.Compact(wantB)
	if !slices.Equal(buckets, wantB) || st.Buckets != len(wantB) || st.Entries != 0 {
		t.Fatalf("DiffBuckets = %v, %+v; want %v", buckets, st, wantB)
	}
}

func TestDiffErrors(t *testing.T) {
	ctx := context.Background()
	a := mustNew(t, Options{Fanout: 4, Depth: 2})
	b := mustNew(t, Options{Fanout: 8, Depth: 2})
	a.Put("x", 1)
	b.Put("y", 1)
	if _, _, err := a.Diff(ctx, b); !errors.Is(err, ErrShapeMismatch) {
		t.Errorf("diff of different fanouts: %v; want ErrShapeMismatch", err)
	}
	if _, _, err := b.Diff(ctx, a); !errors.Is(err, ErrShapeMismatch) {
		t.Errorf("diff against smaller tree: %v; want ErrShapeMismatch", err)
	}
	if _, _, err := a.Diff(ctx, RoundTripFunc(func(_ context.Context, req []byte) ([]byte, error) { return b.Serve(req) })); !errors.Is(err, ErrShapeMismatch) {
		t.Errorf("wire diff of different fanouts: %v; want ErrShapeMismatch", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, _, err := a.Diff(cancelled, a); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled diff: %v; want context.Canceled", err)
	}
	// A remote that sends entries from buckets not asked for.
	liar := RoundTripFunc(func(_ context.Context, req []byte) ([]byte, error) {
		if req[0] == kindEntries {
			return []byte{kindEntries, 2, 1, 'q', 0, 0, 0, 0, 0, 0, 0, 0, 1, 'q', 0, 0, 0, 0, 0, 0, 0, 0}, nil
		}
		return mustNew(t, Options{Fanout: 4, Depth: 2}).Serve(req)
	})
	a2 := mustNew(t, Options{Fanout: 4, Depth: 2})
	for i := range 50 {
		a2.Put(strconv.Itoa(i), 1)
	}
	// The liar sends "q" twice, or from a bucket not asked for.
	if _, _, err := a2.Diff(ctx, liar); !errors.Is(err, ErrBadResponse) {
		t.Errorf("lying remote: %v; want ErrBadResponse", err)
	}
	for _, req := range [][]byte{nil, {9, 4, 2}, {kindHashes, 4, 2, 0, 0}, {kindHashes, 4, 2, 3, 0}, {kindHashes, 4, 2, 1, 2, 1, 3}, {kindHashes, 4, 2, 1, 1, 4},
		{kindHashes, 4, 3, 1, 0}, {kindEntries, 4, 2, 1, 16}, {kindEntries, 4, 2, 1}, {kindEntries, 4, 2, 0, 0}, {kindEntries, 4}} {
		if _, err := a.Serve(req); err == nil {
			t.Errorf("Serve(%v) succeeded; want an error", req)
		}
	}
	if _, err := (RoundTripFunc(nil)).Hashes(ctx, Options{}, 1, []int{2, 1}); !errors.Is(err, ErrBadRequest) {
		t.Errorf("descending nodes: %v; want ErrBadRequest", err)
	}
}
