package vclock

import (
	"errors"
	"testing"
	"time"
)

func TestNewPrunerDefaults(t *testing.T) {
	p, err := NewPruner(PruneOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := PruneOptions{Small: 50, Big: 50, Young: 20 * time.Second, Old: 24 * time.Hour}
	if p.Options() != want {
		t.Fatalf("defaults %+v; want %+v", p.Options(), want)
	}
	for _, o := range []PruneOptions{{Small: -1}, {Big: -1}, {Young: -1}, {Old: -1}} {
		if _, err := NewPruner(o); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("NewPruner(%+v) = %v; want ErrInvalidOptions", o, err)
		}
	}
}

// clockAged returns a clock of n entries, node i stamped ages[i] seconds
// before now.
func clockAged(now time.Time, ages ...int) Clock {
	var c Clock
	for i, a := range ages {
		c.IncrementAt(uint64(i), now.Add(-time.Duration(a)*time.Second))
	}
	return c
}

func TestPruneRiakRules(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	opts := PruneOptions{Small: 2, Big: 4, Young: 10 * time.Second, Old: 100 * time.Second}
	p, _ := NewPruner(opts)
	cases := []struct {
		name    string
		ages    []int
		removed int
		kept    string // nodes left
	}{
		{"small clocks are never pruned", []int{1000, 1000}, 0, "0,1"},
		{"young entries are never pruned", []int{5, 6, 7, 8, 9, 1}, 0, "0,1,2,3,4,5"},
		{"old entries go down to small", []int{500, 400, 300}, 1, "1,2"},
		{"between young and old, only a big clock shrinks", []int{50, 60, 70}, 0, "0,1,2"},
		{"big clock sheds oldest down to big", []int{50, 60, 70, 80, 90, 11}, 2, "0,1,2,5"},
		{"old entries go down to small wherever they are", []int{5, 500, 500, 500, 500, 500}, 4, "0,5"},
		{"stops at the first young entry", []int{5, 500, 6, 7}, 1, "0,2,3"},
	}
	for _, c := range cases {
		clk := clockAged(now, c.ages...)
		got := p.Prune(&clk, now)
		nodes := ""
		for e := range clk.All() {
			if nodes != "" {
				nodes += ","
			}
			nodes += string(rune('0' + e.Node))
		}
		if got != c.removed || nodes != c.kept {
			t.Errorf("%s: removed %d, kept %s; want %d, %s", c.name, got, nodes, c.removed, c.kept)
		}
	}
}

// TestPruneRisk demonstrates the documented risk: pruning turns a descendant
// into a concurrent clock (a false conflict), and can make a clock that
// carried an unseen write look older than a concurrent one (a lost write).
func TestPruneRisk(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	old := now.Add(-48 * time.Hour)
	p, _ := NewPruner(PruneOptions{Small: 1, Big: 10})

	// False conflict: b descends a through node 1's entry, which is pruned.
	var a Clock
	a.IncrementAt(1, old)
	b := a.Clone()
	b.IncrementAt(2, now)
	if b.Compare(a) != After {
		t.Fatal("set-up: b should descend a")
	}
	p.Prune(&b, now)
	if got := b.Compare(a); got != Concurrent {
		t.Fatalf("after pruning, b vs a = %v; want concurrent (a false conflict)", got)
	}

	// Lost write: x carries an old write at node 1 that y never saw.
	var x, y Clock
	x.IncrementAt(1, old)
	x.IncrementAt(2, now)
	y.IncrementAt(2, now)
	y.IncrementAt(2, now)
	if x.Compare(y) != Concurrent {
		t.Fatal("set-up: x and y should be concurrent")
	}
	p.Prune(&x, now)
	if got := x.Compare(y); got != Before {
		t.Fatalf("after pruning, x vs y = %v; want before (y would replace x's write)", got)
	}
}
