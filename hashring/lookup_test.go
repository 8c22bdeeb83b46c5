package hashring

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
)

// modelLocate is the position of the first point at or after h by binary
// search, wrapping to 0.
func modelLocate(points []uint64, h uint64) int {
	t := h &^ ownerMask
	i := sort.Search(len(points), func(i int) bool { return points[i] >= t })
	if i == len(points) {
		i = 0
	}
	return i
}

// TestLookupIndexAgainstBinarySearch checks the bucket index and the
// branch-free scan against binary search, for uniform points and for hashes
// that crowd many points into one bucket (more than lookWidth), with
// probe hashes at, just below and just above every point.
func TestLookupIndexAgainstBinarySearch(t *testing.T) {
	crowd := func(key string) uint64 {
		// Most points in a narrow arc: buckets overflow the scan width.
		h := HashString(key)
		if h%4 != 0 {
			return 0x7000_0000_0000_0000 | h>>40
		}
		return h
	}
	for _, tc := range []struct {
		name  string
		opts  Options
		nodes int
	}{
		{"one node one point", Options{VNodes: 1}, 1},
		{"small", Options{VNodes: 3}, 5},
		{"default", Options{}, 20},
		{"crowded", Options{VNodes: 64, Hash: crowd}, 30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := New(tc.opts, nodeList(tc.nodes, "n")...)
			if err != nil {
				t.Fatal(err)
			}
			st := r.state.Load()
			rng := rand.New(rand.NewPCG(1, 2))
			var probes []uint64
			for range 20000 {
				probes = append(probes, rng.Uint64())
			}
			for _, p := range st.points {
				probes = append(probes, p, p&^ownerMask, p&^ownerMask-1, p|ownerMask, p|ownerMask+1)
			}
			probes = append(probes, 0, ^uint64(0))
			for _, h := range probes {
				want := modelLocate(st.points, h)
				if got := st.locate(h); got != want {
					t.Fatalf("locate(%#x) = %d; want %d", h, got, want)
				}
				if got, want := st.ext[st.find(h)]&ownerMask, st.points[want]&ownerMask; got != want {
					t.Fatalf("owner(%#x) = %d; want %d", h, got, want)
				}
			}
		})
	}
}

func TestLookupIndexAfterChanges(t *testing.T) {
	r, _ := New(Options{VNodes: 16}, nodeList(10, "n")...)
	rng := rand.New(rand.NewPCG(3, 4))
	for step := range 30 {
		if step%3 == 2 {
			if err := r.Remove(r.Nodes()[rng.IntN(r.Len())].ID); err != nil {
				t.Fatal(err)
			}
		} else if err := r.Add(Node{ID: fmt.Sprint("x", step), Weight: 1 + rng.IntN(3)}); err != nil {
			t.Fatal(err)
		}
		st := r.state.Load()
		if len(st.ext) != len(st.points)+lookWidth {
			t.Fatalf("ext has %d entries for %d points", len(st.ext), len(st.points))
		}
		for range 2000 {
			h := rng.Uint64()
			if got, want := st.locate(h), modelLocate(st.points, h); got != want {
				t.Fatalf("step %d: locate(%#x) = %d; want %d", step, h, got, want)
			}
		}
	}
}
