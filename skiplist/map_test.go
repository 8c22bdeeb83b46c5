package skiplist

import (
	"cmp"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/raceflag"
)

// checkInvariants verifies order, back links, tail, length and every span.
func checkInvariants[K, V any](t *testing.T, m *Map[K, V]) {
	t.Helper()
	// rank of every node along level 0
	rank := map[*node[K, V]]int{m.head: 0}
	var prev *node[K, V]
	n := 0
	for x := m.head.next[0].next; x != nil; x = x.next[0].next {
		n++
		rank[x] = n
		if x.prev != prev {
			t.Fatalf("prev link of element %d broken", n)
		}
		if prev != nil && m.cmp(prev.key, x.key) >= 0 {
			t.Fatalf("order broken at element %d", n)
		}
		prev = x
	}
	if n != m.length {
		t.Fatalf("length %d; want %d", m.length, n)
	}
	if m.tail != prev {
		t.Fatalf("tail broken")
	}
	for l := 0; l < m.level; l++ {
		for x := m.head; x.next[l].next != nil; x = x.next[l].next {
			nx := x.next[l].next
			r, ok := rank[nx]
			if !ok {
				t.Fatalf("level %d points to an unlinked node", l)
			}
			if got, want := x.next[l].span, r-rank[x]; got != want {
				t.Fatalf("level %d span %d; want %d", l, got, want)
			}
		}
	}
	if m.level > 1 && m.head.next[m.level-1].next == nil {
		t.Fatalf("empty top level %d", m.level)
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New[int, int](nil, Options{}); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("nil cmp: got %v; want ErrInvalidOptions", err)
	}
	for _, lvl := range []int{-1, 65} {
		if _, err := NewOrdered[int, int](Options{MaxLevel: lvl}); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("MaxLevel %d: got %v; want ErrInvalidOptions", lvl, err)
		}
	}
	if _, err := NewOrdered[int, int](Options{MaxLevel: 1}); err != nil {
		t.Errorf("MaxLevel 1: %v", err)
	}
}

// TestMapModel runs random operations on a Map and on a sorted slice and
// compares every answer.
func TestMapModel(t *testing.T) {
	ops := 20000
	if raceflag.Enabled {
		ops = 5000
	}
	for _, maxLevel := range []int{1, 2, 0} {
		rng := rand.New(rand.NewPCG(1, uint64(maxLevel)))
		m, err := NewOrdered[int, int](Options{MaxLevel: maxLevel, Seed: uint64(maxLevel) + 7})
		if err != nil {
			t.Fatal(err)
		}
		var model []int // sorted keys; value is key*10
		for i := 0; i < ops; i++ {
			k := rng.IntN(500)
			pos, found := slices.BinarySearch(model, k)
			switch op := rng.IntN(10); {
			case op < 4:
				_, replaced := m.Set(k, k*10)
				if replaced != found {
					t.Fatalf("Set(%d) replaced=%v; want %v", k, replaced, found)
				}
				if !found {
					model = slices.Insert(model, pos, k)
				}
			case op < 6:
				v, ok := m.Delete(k)
				if ok != found || (ok && v != k*10) {
					t.Fatalf("Delete(%d) = %d, %v; want found=%v", k, v, ok, found)
				}
				if found {
					model = slices.Delete(model, pos, pos+1)
				}
			case op < 7:
				r, ok := m.Rank(k)
				if ok != found || (ok && r != pos) {
					t.Fatalf("Rank(%d) = %d, %v; want %d, %v", k, r, ok, pos, found)
				}
			case op < 8:
				i := rng.IntN(len(model)+2) - 1
				key, v, ok := m.At(i)
				wantOK := i >= 0 && i < len(model)
				if ok != wantOK || (ok && (key != model[i] || v != key*10)) {
					t.Fatalf("At(%d) = %d, %v", i, key, ok)
				}
			case op < 9:
				hi := k + rng.IntN(50)
				var got, want []int
				for key := range m.Range(k, hi) {
					got = append(got, key)
				}
				for _, key := range model {
					if key >= k && key < hi {
						want = append(want, key)
					}
				}
				if !slices.Equal(got, want) {
					t.Fatalf("Range(%d, %d) = %v; want %v", k, hi, got, want)
				}
				got = got[:0]
				for key := range m.RangeBackward(k, hi) {
					got = append(got, key)
				}
				slices.Reverse(want)
				if !slices.Equal(got, want) {
					t.Fatalf("RangeBackward(%d, %d) = %v; want %v", k, hi, got, want)
				}
			default:
				a := rng.IntN(len(model)+10) - 5
				b := a + rng.IntN(20)
				var got []int
				for key := range m.RangeByRank(a, b) {
					got = append(got, key)
				}
				ca, cb := clampRanks(a, b, len(model))
				want := slices.Clone(model[ca:cb])
				if !slices.Equal(got, want) {
					t.Fatalf("RangeByRank(%d, %d) = %v; want %v", a, b, got, want)
				}
				got = got[:0]
				for key := range m.RangeByRankBackward(a, b) {
					got = append(got, key)
				}
				slices.Reverse(want)
				if !slices.Equal(got, want) {
					t.Fatalf("RangeByRankBackward(%d, %d) = %v; want %v", a, b, got, want)
				}
			}
			if m.Len() != len(model) {
				t.Fatalf("Len = %d; want %d", m.Len(), len(model))
			}
			if i%1000 == 0 {
				checkInvariants(t, m)
			}
		}
		checkInvariants(t, m)
		if got := slices.Collect(m.Keys()); !slices.Equal(got, model) {
			t.Fatalf("Keys differ from model")
		}
		back := slices.Collect(func(yield func(int) bool) {
			for k := range m.Backward() {
				if !yield(k) {
					return
				}
			}
		})
		slices.Reverse(back)
		if !slices.Equal(back, model) {
			t.Fatalf("Backward differs from model")
		}
	}
}

func TestFloorCeilMinMax(t *testing.T) {
	m, _ := NewOrdered[int, string](Options{})
	if _, _, ok := m.Min(); ok {
		t.Fatal("Min of empty map ok")
	}
	if _, _, ok := m.Max(); ok {
		t.Fatal("Max of empty map ok")
	}
	for _, k := range []int{10, 20, 30} {
		m.Set(k, "v")
	}
	tests := []struct {
		key             int
		floor, ceil     int
		floorOK, ceilOK bool
	}{
		{5, 0, 10, false, true},
		{10, 10, 10, true, true},
		{15, 10, 20, true, true},
		{30, 30, 30, true, true},
		{31, 30, 0, true, false},
	}
	for _, tt := range tests {
		f, _, ok := m.Floor(tt.key)
		if ok != tt.floorOK || (ok && f != tt.floor) {
			t.Errorf("Floor(%d) = %d, %v; want %d, %v", tt.key, f, ok, tt.floor, tt.floorOK)
		}
		c, _, ok := m.Ceil(tt.key)
		if ok != tt.ceilOK || (ok && c != tt.ceil) {
			t.Errorf("Ceil(%d) = %d, %v; want %d, %v", tt.key, c, ok, tt.ceil, tt.ceilOK)
		}
	}
	if k, _, _ := m.Min(); k != 10 {
		t.Errorf("Min = %d; want 10", k)
	}
	if k, _, _ := m.Max(); k != 30 {
		t.Errorf("Max = %d; want 30", k)
	}
	m.Clear()
	if m.Len() != 0 || m.Has(10) {
		t.Errorf("Clear left elements")
	}
	m.Set(1, "x")
	checkInvariants(t, m)
}

func TestCursor(t *testing.T) {
	m, _ := New[string, int](cmp.Compare[string], Options{})
	for i, k := range []string{"b", "d", "f"} {
		m.Set(k, i)
	}
	c := m.Cursor()
	if c.Valid() {
		t.Fatal("new cursor valid")
	}
	var got []string
	for ok := c.Seek("c"); ok; ok = c.Next() {
		got = append(got, c.Key())
	}
	if !slices.Equal(got, []string{"d", "f"}) {
		t.Fatalf("Seek(c)+Next = %v", got)
	}
	got = got[:0]
	for ok := c.Last(); ok; ok = c.Prev() {
		got = append(got, c.Key())
	}
	if !slices.Equal(got, []string{"f", "d", "b"}) {
		t.Fatalf("Last+Prev = %v", got)
	}
	if !c.First() || c.Key() != "b" || c.Value() != 0 {
		t.Fatalf("First = %q", c.Key())
	}
	if c.Seek("g") {
		t.Fatal("Seek past end valid")
	}
}

func TestDeleteDuringIteration(t *testing.T) {
	m, _ := NewOrdered[int, int](Options{})
	for i := range 100 {
		m.Set(i, i)
	}
	for k := range m.All() {
		if k%2 == 0 {
			m.Delete(k)
		}
	}
	if m.Len() != 50 {
		t.Fatalf("Len = %d; want 50", m.Len())
	}
	for k := range m.All() {
		if k%2 == 0 {
			t.Fatalf("even key %d survived", k)
		}
	}
	checkInvariants(t, m)
}

func TestIteratorsStopEarly(t *testing.T) {
	m, _ := NewOrdered[int, int](Options{})
	for i := range 10 {
		m.Set(i, i)
	}
	iters := map[string]func(func(int, int) bool){
		"All": m.All(), "Backward": m.Backward(), "Range": m.Range(0, 10),
		"RangeBackward": m.RangeBackward(0, 10), "RangeByRank": m.RangeByRank(0, 10),
		"RangeByRankBackward": m.RangeByRankBackward(0, 10),
	}
	for name, it := range iters {
		n := 0
		for range it {
			n++
			if n == 3 {
				break
			}
		}
		if n != 3 {
			t.Errorf("%s: %d", name, n)
		}
	}
}
