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
					t.Fatalf("find owner(%#x) = %d; want %d", h, got, want)
				}
				if got, want := st.owner(h), st.points[want]&ownerMask; got != want {
					t.Fatalf("table owner(%#x) = %d; want %d", h, got, want)
				}
			}
			// The probes must reach both ways to the exact path: a key
			// whose frag equals a point's, and (when crowded) a slot too
			// full for the table.
			fullSlots, ties := tableStats(st, probes)
			if ties == 0 {
				t.Errorf("no probe shares a frag with a point in its slot")
			}
			if tc.name == "crowded" && fullSlots == 0 {
				t.Errorf("crowded ring has no overfull slot")
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
			want := modelLocate(st.points, h)
			if got := st.locate(h); got != want {
				t.Fatalf("step %d: locate(%#x) = %d; want %d", step, h, got, want)
			}
			if got, want := st.owner(h), st.points[want]&ownerMask; got != want {
				t.Fatalf("step %d: table owner(%#x) = %d; want %d", step, h, got, want)
			}
		}
	}
}

// tableStats counts the slots of st's owner table holding more points than
// it can answer for, and the probes whose frag equals that of a point in
// their slot.
func tableStats(st *ringState, probes []uint64) (fullSlots, ties int) {
	nb := uint64(len(st.table))
	perSlot := map[uint64]map[uint64]bool{}
	for _, p := range st.points {
		s, f := slotOf(p&^ownerMask, nb)
		if perSlot[s] == nil {
			perSlot[s] = map[uint64]bool{}
		}
		perSlot[s][f] = true
	}
	counts := map[uint64]int{}
	for _, p := range st.points {
		s, _ := slotOf(p&^ownerMask, nb)
		counts[s]++
	}
	for _, c := range counts {
		if c >= slotWidth {
			fullSlots++
		}
	}
	for _, h := range probes {
		if s, f := slotOf(h&^ownerMask, nb); perSlot[s][f] {
			ties++
		}
	}
	return fullSlots, ties
}

// TestOwnerTableLayout checks the table against the points it encodes: a
// slot's real frags are sorted, padding follows with fragMax and the owner
// of the next point, and the slots cover every point once.
func TestOwnerTableLayout(t *testing.T) {
	r, err := New(Options{VNodes: 50}, nodeList(40, "n")...)
	if err != nil {
		t.Fatal(err)
	}
	st := r.state.Load()
	nb := uint64(len(st.table))
	if want := (len(st.points) + slotLoad - 1) / slotLoad; int(nb) != want {
		t.Fatalf("%d slots for %d points; want %d", nb, len(st.points), want)
	}
	j := 0
	for s := range st.table {
		sl := &st.table[s]
		var frags [slotWidth]uint64
		for i := range frags {
			frags[i] = sl.frags[i/4] >> (16 * (i % 4)) & 0xffff
		}
		n := 0
		for j+n < len(st.points) {
			if ps, _ := slotOf(st.points[j+n]&^ownerMask, nb); ps != uint64(s) {
				break
			}
			n++
		}
		if n >= slotWidth {
			j += n
			continue
		}
		for i := range slotWidth {
			if i < n {
				_, f := slotOf(st.points[j+i]&^ownerMask, nb)
				if frags[i] != f || uint64(sl.owners[i]) != st.points[j+i]&ownerMask {
					t.Fatalf("slot %d lane %d = (%#x, %d); want (%#x, %d)", s, i, frags[i], sl.owners[i], f, st.points[j+i]&ownerMask)
				}
				continue
			}
			next := st.points[(j+n)%len(st.points)] & ownerMask
			if frags[i] != fragMax || uint64(sl.owners[i]) != next {
				t.Fatalf("slot %d padding lane %d = (%#x, %d); want (%#x, %d)", s, i, frags[i], sl.owners[i], fragMax, next)
			}
		}
		j += n
	}
	if j != len(st.points) {
		t.Fatalf("slots cover %d points; want %d", j, len(st.points))
	}
}
