package hashring

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
)

func TestRingErrors(t *testing.T) {
	if _, err := New(Options{VNodes: -1}); !errors.Is(err, ErrConfig) {
		t.Errorf("VNodes -1: %v", err)
	}
	if _, err := New(Options{}, Node{ID: ""}); !errors.Is(err, ErrConfig) {
		t.Errorf("empty ID: %v", err)
	}
	if _, err := New(Options{}, Node{ID: "a", Weight: -1}); !errors.Is(err, ErrConfig) {
		t.Errorf("negative weight: %v", err)
	}
	if _, err := New(Options{}, Node{ID: "a"}, Node{ID: "a"}); !errors.Is(err, ErrDuplicateNode) {
		t.Errorf("duplicate: %v", err)
	}
	r, _ := New(Options{VNodes: 8}, Node{ID: "a"})
	if err := r.Remove("zz"); !errors.Is(err, ErrUnknownNode) {
		t.Errorf("Remove unknown: %v", err)
	}
	// A failed change leaves the ring as it was.
	if err := r.Add(Node{ID: "b"}, Node{ID: "a"}); !errors.Is(err, ErrDuplicateNode) || r.Len() != 1 {
		t.Errorf("failed Add: err %v, len %d", err, r.Len())
	}
	if err := r.Remove("a"); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Get("k"); ok {
		t.Error("Get on empty ring: ok")
	}
	if got := r.GetN("k", 3); len(got) != 0 {
		t.Errorf("GetN on empty ring = %v", got)
	}
}

func TestRingSmallAgainstModel(t *testing.T) {
	// A brute-force model: the owner is the node with the smallest point
	// >= hash (48-bit), wrapping to the smallest point overall.
	r, _ := New(Options{VNodes: 5}, Node{ID: "a"}, Node{ID: "b", Weight: 2}, Node{ID: "c"})
	st := r.state.Load()
	if len(st.points) != 20 {
		t.Fatalf("%d points; want 20", len(st.points))
	}
	for i := range 5000 {
		h := HashString(fmt.Sprint(i))
		best, bestOK := uint64(0), false
		for _, p := range st.points {
			if p&^ownerMask >= h&^ownerMask && (!bestOK || p < best) {
				best, bestOK = p, true
			}
		}
		if !bestOK {
			best = slices.Min(st.points)
		}
		want := st.nodes[best&ownerMask].ID
		if got, _ := r.Get(fmt.Sprint(i)); got != want {
			t.Fatalf("Get(%d) = %s; want %s", i, got, want)
		}
	}
}

func TestRingWeights(t *testing.T) {
	r, _ := New(Options{}, Node{ID: "small"}, Node{ID: "big", Weight: 3}, Node{ID: "mid", Weight: 2})
	loads, _ := loadsOf(r, keyHashes(300_000))
	for id, w := range map[string]float64{"small": 1, "mid": 2, "big": 3} {
		share := float64(loads[id]) / 300_000
		if want := w / 6; share < want*0.9 || share > want*1.1 {
			t.Errorf("%s: share %.3f; want %.3f +-10%%", id, share, want)
		}
	}
}

// TestRingCollisions forces virtual-node collisions with a hash that has
// only 64 distinct values: the result must not depend on insertion order,
// and removing a node must move only its keys.
func TestRingCollisions(t *testing.T) {
	weak := func(s string) uint64 { return HashString(s) % 64 << 58 }
	ids := []string{"n0", "n1", "n2", "n3", "n4", "n5"}
	nodes := func(order []string) []Node {
		var ns []Node
		for _, id := range order {
			ns = append(ns, Node{ID: id})
		}
		return ns
	}
	a, _ := New(Options{VNodes: 40, Hash: weak}, nodes(ids)...)
	rev := slices.Clone(ids)
	slices.Reverse(rev)
	b, _ := New(Options{VNodes: 40, Hash: weak})
	for _, n := range nodes(rev) {
		if err := b.Add(n); err != nil {
			t.Fatal(err)
		}
	}
	keys := make([]string, 2000)
	for i := range keys {
		keys[i] = fmt.Sprint("k", i)
	}
	for _, k := range keys {
		ga, _ := a.Get(k)
		gb, _ := b.Get(k)
		if ga != gb {
			t.Fatalf("Get(%q): %s vs %s depending on insertion order", k, ga, gb)
		}
		la, lb := a.GetN(k, 3), b.GetN(k, 3)
		if !slices.Equal(la, lb) {
			t.Fatalf("GetN(%q): %v vs %v", k, la, lb)
		}
	}
	before := map[string]string{}
	for _, k := range keys {
		before[k], _ = a.Get(k)
	}
	if err := a.Remove("n2"); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		got, _ := a.Get(k)
		if got == "n2" || before[k] != "n2" && got != before[k] {
			t.Fatalf("after removing n2, %q moved %s -> %s", k, before[k], got)
		}
	}
}

func TestRingZonesFallback(t *testing.T) {
	r, _ := New(Options{VNodes: 64},
		Node{ID: "a1", Zone: "a"}, Node{ID: "a2", Zone: "a"}, Node{ID: "a3", Zone: "a"},
		Node{ID: "b1", Zone: "b"}, Node{ID: "b2", Zone: "b"})
	zone := func(id string) byte { return id[0] }
	for i := range 2000 {
		k := fmt.Sprint(i)
		got := r.AppendNZones(nil, k, 4)
		if len(got) != 4 {
			t.Fatalf("AppendNZones(%q, 4) = %v", k, got)
		}
		if zone(got[0]) == zone(got[1]) {
			t.Fatalf("first two replicas share a zone: %v", got)
		}
		seen := map[string]bool{}
		for _, g := range got {
			if seen[g] {
				t.Fatalf("repeated node: %v", got)
			}
			seen[g] = true
		}
		if all := r.GetN(k, 10); len(all) != 5 {
			t.Fatalf("GetN(%q, 10) = %v; want all 5 nodes", k, all)
		}
	}
}

func TestRingAddRemoveMatchesFreshBuild(t *testing.T) {
	r, _ := New(Options{VNodes: 50}, nodeList(10, "n")...)
	if err := r.Remove("n-003", "n-007"); err != nil {
		t.Fatal(err)
	}
	if err := r.Add(Node{ID: "x", Weight: 2}, Node{ID: "a"}); err != nil {
		t.Fatal(err)
	}
	var want []Node
	for _, n := range nodeList(10, "n") {
		if n.ID != "n-003" && n.ID != "n-007" {
			want = append(want, n)
		}
	}
	fresh, _ := New(Options{VNodes: 50}, append(want, Node{ID: "x", Weight: 2}, Node{ID: "a"})...)
	if !slices.Equal(r.state.Load().points, fresh.state.Load().points) {
		t.Fatal("incremental ring differs from a fresh build")
	}
	if r.Len() != 10 || r.VirtualNodes() != 550 {
		t.Errorf("Len %d VirtualNodes %d", r.Len(), r.VirtualNodes())
	}
	if n, ok := r.Node("x"); !ok || n.Weight != 2 {
		t.Errorf("Node(x) = %v, %v", n, ok)
	}
	if ids := r.Nodes(); ids[0].ID != "a" {
		t.Errorf("Nodes not sorted: %v", ids)
	}
}

func TestLookupsDoNotAllocate(t *testing.T) {
	var zoned []Node
	for i := range 30 {
		zoned = append(zoned, Node{ID: fmt.Sprint("n", i), Zone: fmt.Sprint("z", i%3)})
	}
	r, _ := New(Options{}, zoned...)
	an, _ := NewAnchor(64, "a", "b", "c")
	j, _ := NewJump("a", "b", "c")
	rv, _ := NewRendezvous(Node{ID: "a"}, Node{ID: "b", Weight: 2})
	dst := make([]string, 0, 8)
	for name, fn := range map[string]func(){
		"Ring.Get":          func() { r.Get("some-key") },
		"Ring.AppendN":      func() { dst = r.AppendN(dst[:0], "some-key", 3) },
		"Ring.AppendNZones": func() { dst = r.AppendNZones(dst[:0], "some-key", 3) },
		"Anchor.Get":        func() { an.Get("some-key") },
		"Jump.Get":          func() { j.Get("some-key") },
		"Rendezvous.Get":    func() { rv.Get("some-key") },
		"Rendezvous.AppendN": func() {
			dst = rv.AppendN(dst[:0], "some-key", 2)
		},
	} {
		if a := testing.AllocsPerRun(100, fn); a != 0 {
			t.Errorf("%s: %v allocs; want 0", name, a)
		}
	}
}

// TestConcurrentLookups runs lookups while membership changes; under -race
// this checks the copy-on-write swap.
func TestConcurrentLookups(t *testing.T) {
	r, _ := New(Options{VNodes: 64}, nodeList(8, "n")...)
	an, _ := NewAnchor(32, "a0", "a1", "a2")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var dst []string
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := fmt.Sprint(g, "-", i)
				if id, ok := r.Get(k); !ok || id == "" {
					t.Errorf("Get(%q) = %q, %v", k, id, ok)
					return
				}
				dst = r.AppendNZones(dst[:0], k, 3)
				if id, ok := an.Get(k); !ok || id == "" {
					t.Errorf("Anchor.Get(%q) = %q, %v", k, id, ok)
					return
				}
			}
		}()
	}
	for i := range 50 {
		id := fmt.Sprint("extra-", i)
		if err := r.Add(Node{ID: id}); err != nil {
			t.Fatal(err)
		}
		if err := an.Add(id); err != nil {
			t.Fatal(err)
		}
		if err := r.Remove(id); err != nil {
			t.Fatal(err)
		}
		if err := an.Remove(id); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}
