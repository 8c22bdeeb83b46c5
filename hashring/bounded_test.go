package hashring

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/raceflag"
)

// checkBound asserts the bounded-loads invariant: every node at most
// ceil(C * m * w / W), loads sum to m, and every key sits on a member.
func checkBound(t *testing.T, b *Bounded, c float64, when string) {
	t.Helper()
	nodes := b.Nodes()
	m := b.Keys()
	w := 0
	for _, n := range nodes {
		w += n.weight()
	}
	sum := 0
	for _, n := range nodes {
		l := b.Load(n.ID)
		sum += l
		if limit := int(math.Ceil(c * float64(m) * float64(n.weight()) / float64(w))); l > limit {
			t.Fatalf("%s: node %s holds %d keys, bound %d (m=%d)", when, n.ID, l, limit, m)
		}
	}
	if sum != m {
		t.Fatalf("%s: loads sum to %d; %d keys", when, sum, m)
	}
}

func TestBoundedChurn(t *testing.T) {
	b, err := NewBounded(BoundedOptions{C: 1.1, Ring: Options{VNodes: 16}}, nodeList(10, "n")...)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	live := map[string]bool{}
	extra := 0
	for step := range 3000 {
		switch op := rng.IntN(100); {
		case op < 60:
			k := fmt.Sprint("k", rng.IntN(2000))
			id, err := b.Assign(k)
			if err != nil {
				t.Fatal(err)
			}
			if again, _ := b.Assign(k); again != id {
				t.Fatalf("Assign not idempotent: %s then %s", id, again)
			}
			live[k] = true
		case op < 90:
			k := fmt.Sprint("k", rng.IntN(2000))
			if got := b.Release(k); got != live[k] {
				t.Fatalf("Release(%s) = %v; live %v", k, got, live[k])
			}
			delete(live, k)
		case op < 95:
			if _, err := b.Add(Node{ID: fmt.Sprint("x", extra), Weight: 1 + rng.IntN(3)}); err != nil {
				t.Fatal(err)
			}
			extra++
		default:
			ns := b.Nodes()
			if len(ns) > 2 {
				if _, err := b.Remove(ns[rng.IntN(len(ns))].ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		if step%50 == 0 {
			checkBound(t, b, 1.1, fmt.Sprint("step ", step))
		}
	}
	checkBound(t, b, 1.1, "end")
	if b.Keys() != len(live) {
		t.Fatalf("Keys = %d; want %d", b.Keys(), len(live))
	}
	for k := range live {
		if _, ok := b.Owner(k); !ok {
			t.Fatalf("key %s lost", k)
		}
	}
}

func TestMeasuredBounded(t *testing.T) {
	const nodes = 100
	nkeys := 1_000_000
	if raceflag.Enabled {
		nkeys = 100_000
	}
	b, _ := NewBounded(BoundedOptions{}, nodeList(nodes, "node")...)
	r, _ := New(Options{}, nodeList(nodes, "node")...)
	displaced := 0
	keys := make([]string, nkeys)
	for i := range keys {
		keys[i] = fmt.Sprint("key-", i)
		got, err := b.Assign(keys[i])
		if err != nil {
			t.Fatal(err)
		}
		if plain, _ := r.Get(keys[i]); plain != got {
			displaced++
		}
	}
	checkBound(t, b, 1.25, "after assign")
	maxL := 0
	for _, n := range b.Nodes() {
		maxL = max(maxL, b.Load(n.ID))
	}
	moved, err := b.Remove("node-050")
	if err != nil {
		t.Fatal(err)
	}
	checkBound(t, b, 1.25, "after remove")
	added, err := b.Add(Node{ID: "node-new"})
	if err != nil {
		t.Fatal(err)
	}
	checkBound(t, b, 1.25, "after add")
	t.Logf("bounded C=1.25, %d nodes, %d keys: max load %.3fx mean (bound %d), %.2f%% of keys off their plain-ring node; removing a node moved %d keys (%.2fx its share), adding one moved %d",
		nodes, nkeys, float64(maxL)/(float64(nkeys)/nodes), int(math.Ceil(1.25*float64(nkeys)/nodes)), 100*float64(displaced)/float64(nkeys), moved, float64(moved)/(float64(nkeys)/nodes), added)
	for _, k := range keys[:nkeys/2] {
		b.Release(k)
	}
	checkBound(t, b, 1.25, "after releasing half")
	if _, err := b.Remove(nodeIDs(b)...); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Assign("k"); !errors.Is(err, ErrEmpty) {
		t.Errorf("Assign with no nodes = %v; want ErrEmpty", err)
	}
	if _, err := NewBounded(BoundedOptions{C: 0.5}); !errors.Is(err, ErrConfig) {
		t.Errorf("C=0.5: %v", err)
	}
}

func nodeIDs(b *Bounded) []string {
	var ids []string
	for _, n := range b.Nodes() {
		ids = append(ids, n.ID)
	}
	return ids
}
