package hashring

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestJumpHashMonotone checks the defining property of jump hash: growing
// from n to n+1 buckets keeps a key or moves it to bucket n.
func TestJumpHashMonotone(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for range 2000 {
		k := rng.Uint64()
		prev := JumpHash(k, 1)
		if prev != 0 {
			t.Fatalf("JumpHash(%d, 1) = %d", k, prev)
		}
		for n := 2; n <= 300; n++ {
			b := JumpHash(k, n)
			if b != prev && b != n-1 {
				t.Fatalf("JumpHash(%d, %d) = %d, was %d at n-1", k, n, b, prev)
			}
			prev = b
		}
	}
	if JumpHash(1, 0) != -1 || JumpHash(1, -5) != -1 {
		t.Error("JumpHash with no buckets should be -1")
	}
}

func TestJumpRemoveOnlyLast(t *testing.T) {
	j, _ := NewJump("a", "b", "c")
	if err := j.Remove("a"); !errors.Is(err, ErrNotLast) {
		t.Errorf("Remove(a) = %v; want ErrNotLast", err)
	}
	if err := j.Remove("x"); !errors.Is(err, ErrUnknownNode) {
		t.Errorf("Remove(x) = %v", err)
	}
	if err := j.Add("b"); !errors.Is(err, ErrDuplicateNode) {
		t.Errorf("Add(b) = %v", err)
	}
	if err := j.Remove("c"); err != nil || j.Len() != 2 {
		t.Errorf("Remove(c) = %v, len %d", err, j.Len())
	}
	var empty Jump
	if _, ok := empty.Get("k"); ok {
		t.Error("zero Jump Get: ok")
	}
}

func TestAnchorAgainstModel(t *testing.T) {
	// Random adds and removes; after each, every key maps to a member, and
	// keys whose owner survived did not move.
	an, _ := NewAnchor(40)
	rng := rand.New(rand.NewPCG(7, 7))
	members := map[string]bool{}
	keys := keyHashes(5000)
	prev := make([]string, len(keys))
	next := 0
	for step := range 300 {
		var removed string
		if len(members) > 0 && (len(members) == 40 || rng.IntN(2) == 0) {
			for id := range members {
				removed = id
				break
			}
			if err := an.Remove(removed); err != nil {
				t.Fatal(err)
			}
			delete(members, removed)
		} else {
			id := fmt.Sprint("n", next)
			next++
			if err := an.Add(id); err != nil {
				t.Fatal(err)
			}
			members[id] = true
		}
		if an.Len() != len(members) {
			t.Fatalf("Len %d; want %d", an.Len(), len(members))
		}
		for i, h := range keys {
			got, ok := an.GetHash(h)
			if len(members) == 0 {
				if ok {
					t.Fatal("Get on empty anchor: ok")
				}
				continue
			}
			if !members[got] {
				t.Fatalf("step %d: key on non-member %q", step, got)
			}
			if removed != "" && prev[i] != "" && prev[i] != removed && got != prev[i] {
				t.Fatalf("step %d: removing %s moved a key from %s to %s", step, removed, prev[i], got)
			}
			prev[i] = got
		}
	}
	full, _ := NewAnchor(2, "a", "b")
	if err := full.Add("c"); !errors.Is(err, ErrTooManyNodes) {
		t.Errorf("Add beyond capacity = %v", err)
	}
	if _, err := NewAnchor(0); !errors.Is(err, ErrConfig) {
		t.Errorf("NewAnchor(0) = %v", err)
	}
}

func TestRendezvousWeightsAndTopN(t *testing.T) {
	rv, _ := NewRendezvous(Node{ID: "a"}, Node{ID: "b", Weight: 2}, Node{ID: "c", Weight: 5})
	loads, _ := loadsOf(rv, keyHashes(160_000))
	for id, w := range map[string]float64{"a": 1, "b": 2, "c": 5} {
		share := float64(loads[id]) / 160_000
		if want := w / 8; share < want*0.95 || share > want*1.05 {
			t.Errorf("%s: share %.3f; want %.3f", id, share, want)
		}
	}
	for i := range 1000 {
		k := fmt.Sprint(i)
		top := rv.AppendN(nil, k, 3)
		first, _ := rv.Get(k)
		if len(top) != 3 || top[0] != first || top[0] == top[1] || top[1] == top[2] || top[0] == top[2] {
			t.Fatalf("AppendN(%q) = %v, Get = %s", k, top, first)
		}
	}
	if err := rv.Remove("zz"); !errors.Is(err, ErrUnknownNode) {
		t.Errorf("Remove unknown = %v", err)
	}
}
