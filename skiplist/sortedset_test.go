package skiplist

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/raceflag"
)

func TestAddErrors(t *testing.T) {
	s, _ := NewSortedSet(Options{})
	tests := []struct {
		opts AddOptions
		e    Entry
		want error
	}{
		{AddOptions{NX: true, XX: true}, Entry{"a", 1}, ErrIncompatibleFlags},
		{AddOptions{GT: true, LT: true}, Entry{"a", 1}, ErrIncompatibleFlags},
		{AddOptions{NX: true, GT: true}, Entry{"a", 1}, ErrIncompatibleFlags},
		{AddOptions{NX: true, LT: true}, Entry{"a", 1}, ErrIncompatibleFlags},
		{AddOptions{}, Entry{"a", math.NaN()}, ErrNaN},
	}
	for _, tt := range tests {
		if _, err := s.Add(tt.opts, tt.e); !errors.Is(err, tt.want) {
			t.Errorf("Add(%+v, %v) error %v; want %v", tt.opts, tt.e, err, tt.want)
		}
		if _, _, err := s.AddIncr(tt.opts, tt.e.Member, tt.e.Score); !errors.Is(err, tt.want) {
			t.Errorf("AddIncr(%+v, %v) error %v; want %v", tt.opts, tt.e, err, tt.want)
		}
	}
	if s.Card() != 0 {
		t.Fatalf("failed Add changed the set: Card = %d", s.Card())
	}
	// A NaN anywhere rejects the whole command, as in Redis.
	if _, err := s.Add(AddOptions{}, Entry{"a", 1}, Entry{"b", math.NaN()}); !errors.Is(err, ErrNaN) || s.Card() != 0 {
		t.Fatalf("partial add: err %v, Card %d", err, s.Card())
	}
	s.Add(AddOptions{}, Entry{"inf", math.Inf(1)})
	if _, err := s.IncrBy("inf", math.Inf(-1)); !errors.Is(err, ErrNaN) {
		t.Fatalf("inf + -inf: %v; want ErrNaN", err)
	}
	if _, err := s.PopMin(-1); !errors.Is(err, ErrNegativeCount) {
		t.Fatalf("PopMin(-1): %v", err)
	}
}

func TestAddFlags(t *testing.T) {
	tests := []struct {
		name  string
		opts  AddOptions
		score float64 // existing member "a" has score 5
		n     int
		final float64
	}{
		{"plain update", AddOptions{}, 7, 0, 7},
		{"CH update", AddOptions{CH: true}, 7, 1, 7},
		{"CH same", AddOptions{CH: true}, 5, 0, 5},
		{"NX", AddOptions{NX: true, CH: true}, 7, 0, 5},
		{"XX", AddOptions{XX: true, CH: true}, 7, 1, 7},
		{"GT up", AddOptions{GT: true, CH: true}, 7, 1, 7},
		{"GT down", AddOptions{GT: true, CH: true}, 3, 0, 5},
		{"LT down", AddOptions{LT: true, CH: true}, 3, 1, 3},
		{"LT up", AddOptions{LT: true, CH: true}, 7, 0, 5},
	}
	for _, tt := range tests {
		s, _ := NewSortedSet(Options{})
		s.Add(AddOptions{}, Entry{"a", 5})
		n, err := s.Add(tt.opts, Entry{"a", tt.score})
		if err != nil || n != tt.n {
			t.Errorf("%s: got %d, %v; want %d", tt.name, n, err, tt.n)
		}
		if got, _ := s.Score("a"); got != tt.final {
			t.Errorf("%s: score %v; want %v", tt.name, got, tt.final)
		}
		// New members: XX refuses, GT/LT still add.
		n, _ = s.Add(tt.opts, Entry{"new", 1})
		want := 1
		if tt.opts.XX {
			want = 0
		}
		if n != want {
			t.Errorf("%s: adding a new member counted %d; want %d", tt.name, n, want)
		}
	}
}

func TestSortedSetOrderAndRanges(t *testing.T) {
	s, _ := NewSortedSet(Options{})
	s.Add(AddOptions{}, Entry{"carol", 20}, Entry{"alice", 10}, Entry{"bob", 10}, Entry{"dave", 30}, Entry{"erin", 30})
	names := func(es []Entry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.Member)
		}
		return out
	}
	tests := []struct {
		name string
		got  []Entry
		want []string
	}{
		{"all", s.RangeByRank(0, -1, false), []string{"alice", "bob", "carol", "dave", "erin"}},
		{"rev", s.RangeByRank(0, 1, true), []string{"erin", "dave"}},
		{"neg", s.RangeByRank(-2, -1, false), []string{"dave", "erin"}},
		{"empty", s.RangeByRank(3, 1, false), nil},
		{"score", s.RangeByScore(Inclusive(10), Exclusive(30), false, Limit{}), []string{"alice", "bob", "carol"}},
		{"score rev limit", s.RangeByScore(NegInf, PosInf, true, Limit{Offset: 1, Count: 2, Set: true}), []string{"dave", "carol"}},
		{"score excl", s.RangeByScore(Exclusive(10), Exclusive(20), false, Limit{}), nil},
	}
	for _, tt := range tests {
		if got := names(tt.got); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %v; want %v", tt.name, got, tt.want)
		}
	}
	if r, sc, ok := s.Rank("bob"); r != 1 || sc != 10 || !ok {
		t.Errorf("Rank(bob) = %d, %v, %v", r, sc, ok)
	}
	if r, _, ok := s.RevRank("erin"); r != 0 || !ok {
		t.Errorf("RevRank(erin) = %d, %v", r, ok)
	}
	if _, _, ok := s.Rank("zed"); ok {
		t.Errorf("Rank(zed) ok")
	}
	if n := s.Count(Inclusive(10), Inclusive(20)); n != 3 {
		t.Errorf("Count = %d; want 3", n)
	}
	if n := s.RemRangeByScore(Inclusive(30), PosInf); n != 2 || s.Card() != 3 {
		t.Errorf("RemRangeByScore = %d, Card %d", n, s.Card())
	}
	if got := names(slices.Collect(s.Backward())); !slices.Equal(got, []string{"carol", "bob", "alice"}) {
		t.Errorf("Backward = %v", got)
	}
	es, _ := s.PopMax(2)
	if got := names(es); !slices.Equal(got, []string{"carol", "bob"}) {
		t.Errorf("PopMax = %v", got)
	}
	checkIndex(t, s)
}

func TestBounds(t *testing.T) {
	for _, in := range []string{"1.5", "(2", "-inf", "+inf", "(-3"} {
		b, err := ParseScoreBound(in)
		if err != nil {
			t.Fatalf("ParseScoreBound(%q): %v", in, err)
		}
		b2, err := ParseScoreBound(b.String())
		if err != nil || b2 != b {
			t.Errorf("round trip %q -> %q -> %+v", in, b.String(), b2)
		}
	}
	for _, in := range []string{"", "(", "nan", "x", "(nan"} {
		if _, err := ParseScoreBound(in); !errors.Is(err, ErrBadBound) {
			t.Errorf("ParseScoreBound(%q) = %v; want ErrBadBound", in, err)
		}
	}
	for _, in := range []string{"-", "+", "[a", "(b", "["} {
		b, err := ParseLexBound(in)
		if err != nil || b.String() != in {
			t.Errorf("ParseLexBound(%q) = %v, %v", in, b, err)
		}
	}
	for _, in := range []string{"", "a", "]"} {
		if _, err := ParseLexBound(in); !errors.Is(err, ErrBadBound) {
			t.Errorf("ParseLexBound(%q) = %v; want ErrBadBound", in, err)
		}
	}
}

// checkIndex verifies the invariants of whichever index s uses and that the
// index, the dictionary and the slab agree.
func checkIndex(t *testing.T, s *SortedSet) {
	t.Helper()
	switch x := s.list.(type) {
	case skipIndex:
		checkInvariants(t, x.m)
	case *btree:
		checkBtree(t, x)
		if len(s.sl.chunks) != 0 {
			t.Fatalf("B+ tree set allocated %d slab chunks; its members live in the leaves", len(s.sl.chunks))
		}
	}
	if s.list.len() != s.dict.n || int(s.sl.next)-len(s.sl.free) != s.dict.n {
		t.Fatalf("index holds %d keys; dictionary %d; slab %d", s.list.len(), s.dict.n, int(s.sl.next)-len(s.sl.free))
	}
	used := 0
	for _, v := range s.dict.slots {
		if v != 0 {
			used++
		}
	}
	if used != s.dict.n || (s.dict.n > 0 && s.dict.n*4 > len(s.dict.slots)*3) {
		t.Fatalf("dictionary: %d slots used of %d; n = %d", used, len(s.dict.slots), s.dict.n)
	}
	seen := 0
	for e := range s.All() {
		seen++
		if sc, ok := s.Score(e.Member); !ok || sc != e.Score {
			t.Fatalf("index has %v; dictionary %v, %v", e, sc, ok)
		}
	}
	if seen != s.dict.n {
		t.Fatalf("iteration saw %d of %d", seen, s.dict.n)
	}
}

// leafOf returns the leaf that the dictionary slot of id (member m) names.
func (t *btree) leafOf(id uint32, m string) *bleaf { return t.leafAtSlot(t.d.slotOf(m, id)) }

// checkBtree verifies sizes, separators, ordering, fill, leaf links, the
// parent and index of every node, the leaf handles, and that every
// member's dictionary slot names the leaf holding it.
func checkBtree(t *testing.T, bt *btree) {
	t.Helper()
	var leaves []*bleaf
	if bt.root.parent != nil || bt.root.idx != 0 {
		t.Fatalf("root has parent %p, index %d", bt.root.parent, bt.root.idx)
	}
	var walk func(x *binner, lo, hi *zkey, root bool) int
	walk = func(x *binner, lo, hi *zkey, root bool) int {
		for i, c := range x.inners {
			if c.parent != x || c.idx != i {
				t.Fatalf("inner child %d of %p has parent %p, index %d", i, x, c.parent, c.idx)
			}
		}
		for i, l := range x.leaves {
			if l.parent != x || int(l.idx) != i {
				t.Fatalf("leaf child %d of %p has parent %p, index %d", i, x, l.parent, l.idx)
			}
			var seen [leafCap]bool
			for _, s := range l.order {
				if int(s) >= leafCap || seen[s] {
					t.Fatalf("leaf order %v is not a permutation of its slots", l.order)
				}
				seen[s] = true
			}
			for j := range int(l.n) {
				id, m := l.id(j), l.member(j)
				at := bt.d.slotOf(m, id)
				if got := bt.leafAtSlot(at); got != l {
					t.Fatalf("member %q (id %d) is in leaf %p; its dictionary slot says %p", m, id, l, got)
				}
				if got := bt.d.aux(at) & slotOfMask; got != uint32(l.order[j]) {
					t.Fatalf("member %q is in slot %d of its leaf; its dictionary slot says %d", m, l.order[j], got)
				}
			}
			for _, s := range l.order[l.n:] {
				if l.ents[s].member != "" {
					t.Fatalf("leaf keeps member %q in free slot %d (n = %d)", l.ents[s].member, s, l.n)
				}
			}
		}
		nk := len(x.leaves) + len(x.inners)
		if (x.leaves != nil) == (x.inners != nil) || nk != len(x.keys) || nk != len(x.sizes) || (!root && nk < innerMin) || (root && x.inners != nil && nk < 2) {
			t.Fatalf("inner node shape: %d leaves, %d inners, %d keys, %d sizes", len(x.leaves), len(x.inners), len(x.keys), len(x.sizes))
		}
		total := 0
		for i := range nk {
			clo, chi := lo, hi
			if i > 0 {
				clo = &x.keys[i]
			}
			if i+1 < nk {
				chi = &x.keys[i+1]
			}
			n := 0
			if x.leaves != nil {
				l := x.leaves[i]
				n = int(l.n)
				if !(root && nk == 1) && n < leafMin {
					t.Fatalf("leaf underfull: %d", n)
				}
				for j := range n {
					k := bt.keyAt(l, j)
					if j > 0 && compareZ(bt.keyAt(l, j-1), k) >= 0 {
						t.Fatalf("leaf keys out of order")
					}
					if (clo != nil && compareZ(k, *clo) < 0) || (chi != nil && compareZ(k, *chi) >= 0) {
						t.Fatalf("key %v outside separator range", k)
					}
				}
				leaves = append(leaves, l)
			} else {
				n = walk(x.inners[i], clo, chi, false)
			}
			if n != x.sizes[i] {
				t.Fatalf("size %d; subtree has %d", x.sizes[i], n)
			}
			total += n
		}
		return total
	}
	if n := walk(bt.root, nil, nil, true); n != bt.n {
		t.Fatalf("tree holds %d; n = %d", n, bt.n)
	}
	for i, l := range leaves {
		if (i > 0 && l.prev != leaves[i-1]) || (i == 0 && l.prev != nil) {
			t.Fatalf("leaf prev link %d broken", i)
		}
		if (i+1 < len(leaves) && l.next != leaves[i+1]) || (i+1 == len(leaves) && l.next != nil) {
			t.Fatalf("leaf next link %d broken", i)
		}
		if l.h >= bt.leafNext || bt.leaf(l.h) != l {
			t.Fatalf("leaf %d: handle %d does not name it", i, l.h)
		}
	}
	free := map[uint32]bool{}
	for _, h := range bt.freeLeaf {
		free[h] = true
	}
	for _, l := range leaves {
		if free[l.h] {
			t.Fatalf("handle %d of a leaf in the tree is on the free list", l.h)
		}
	}
	if len(free) != len(bt.freeLeaf) || len(leaves)+len(free) != int(bt.leafNext) {
		t.Fatalf("leaf handles: %d free (%d distinct), %d handed out; tree has %d leaves", len(bt.freeLeaf), len(free), bt.leafNext, len(leaves))
	}
}

// TestLeafSpot checks that leaf handles map one to one onto the chunk
// slots, chunk sizes doubling from 1 to 64.
// TestLeafSlots drives one leaf's insertAt and removeAt at random positions
// against a slice of entries in key order: the leaf's members in order must
// match the slice (and posOf find each one's position), a member must keep
// its slot while other members come and go, order must stay a permutation
// of the slots, and a freed slot must hold no string. Mutating insertAt or
// removeAt to shift the wrong range, reuse a used slot or leave a string
// behind fails it.
func TestLeafSlots(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	var l bleaf
	l.resetOrder()
	type want struct {
		e    Entry
		id   uint32
		slot uint8
	}
	var model []want
	fullTail := false // posOf met a position past its last full word
	for op := range 5000 {
		if n := len(model); n < leafCap && (n == 0 || r.IntN(2) == 0) {
			i := r.IntN(n + 1)
			w := want{e: Entry{"m" + strconv.Itoa(op), float64(op)}, id: uint32(op)}
			w.slot = l.insertAt(i, zkey{w.e.Score, w.e.Member}, w.id)
			model = slices.Insert(model, i, w)
		} else {
			i := r.IntN(n)
			l.removeAt(i)
			model = slices.Delete(model, i, i+1)
		}
		if int(l.n) != len(model) {
			t.Fatalf("op %d: leaf holds %d, model %d", op, l.n, len(model))
		}
		var seen [leafCap]bool
		for _, s := range l.order {
			if int(s) >= leafCap || seen[s] {
				t.Fatalf("op %d: order %v is not a permutation", op, l.order)
			}
			seen[s] = true
		}
		for k, w := range model {
			if l.order[k] != w.slot || l.entry(k) != w.e || l.id(k) != w.id {
				t.Fatalf("op %d: position %d holds slot %d %v id %d; want slot %d %v id %d", op, k, l.order[k], l.entry(k), l.id(k), w.slot, w.e, w.id)
			}
			if got := l.posOf(w.slot); got != k {
				t.Fatalf("op %d: posOf(%d) = %d; want %d", op, w.slot, got, k)
			}
			if k >= leafCap&^7 {
				fullTail = true
			}
		}
		for _, s := range l.order[l.n:] {
			if l.ents[s] != (zent{}) {
				t.Fatalf("op %d: free slot %d holds %v", op, s, l.ents[s])
			}
		}
	}
	if !fullTail {
		t.Error("the leaf never filled past position 64; posOf's tail is untested")
	}
}

func TestLeafSpot(t *testing.T) {
	k, off := 0, 0
	for h := range uint32(100_000) {
		gk, goff := leafSpot(h)
		if gk != k || goff != off {
			t.Fatalf("leafSpot(%d) = %d, %d; want %d, %d", h, gk, goff, k, off)
		}
		off++
		want := 64
		if k <= 6 {
			want = max(1, 1<<k>>1)
		}
		if leafChunkLen(k) != want {
			t.Fatalf("leafChunkLen(%d) = %d; want %d", k, leafChunkLen(k), want)
		}
		if off == want {
			k, off = k+1, 0
		}
	}
}

// TestSortedSetIndexesAgree drives a skiplist-backed and a B-tree-backed
// set with the same random commands (enough to split and merge many nodes)
// and compares every reply and both structures' invariants.
func TestSortedSetIndexesAgree(t *testing.T) {
	ops := 60000
	if raceflag.Enabled {
		ops = 15000
	}
	a, _ := NewSortedSet(Options{Index: SkiplistIndex})
	b, _ := NewSortedSet(Options{Index: BTreeIndex})
	r := rand.New(rand.NewPCG(5, 5))
	member := func() string { return "m" + strconv.Itoa(r.IntN(3000)) }
	for i := range ops {
		var args []string
		switch r.IntN(10) {
		case 0, 1, 2, 3:
			args = []string{"ZADD", "z", strconv.Itoa(r.IntN(200)), member()}
		case 4, 5:
			args = []string{"ZREM", "z", member(), member()}
		case 6:
			args = []string{"ZRANK", "z", member()}
		case 7:
			args = []string{"ZRANGE", "z", strconv.Itoa(r.IntN(100)), strconv.Itoa(r.IntN(100)), "BYSCORE", "LIMIT", strconv.Itoa(r.IntN(5)), "20"}
		case 8:
			start := r.IntN(3000)
			args = []string{"ZREMRANGEBYRANK", "z", strconv.Itoa(start), strconv.Itoa(start + r.IntN(3))}
		default:
			args = []string{"ZPOPMIN", "z", strconv.Itoa(r.IntN(3))}
			if r.IntN(2) == 0 {
				args[0] = "ZPOPMAX"
			}
		}
		if x, y := norm(exec(a, args)), norm(exec(b, args)); x != y {
			t.Fatalf("op %d %v: skiplist %s; btree %s", i, args, x, y)
		}
		if i%5000 == 0 {
			checkIndex(t, a)
			checkIndex(t, b)
		}
	}
	checkIndex(t, a)
	checkIndex(t, b)
	if a.Card() < 500 {
		t.Fatalf("test too small to exercise splits: %d members", a.Card())
	}
}

// TestSortedSetLarge grows both indexes past several tree levels (leaf
// splits, sibling shifts, inner splits), then updates and deletes most
// members in random order (merges, redistribution, root collapse, slab id
// reuse under separators that name deleted members), checking every
// structure and comparing with a plain map along the way.
func TestSortedSetLarge(t *testing.T) {
	n := 120_000
	if raceflag.Enabled {
		n = 30_000
	}
	for _, index := range []Index{BTreeIndex, SkiplistIndex} {
		s, _ := NewSortedSet(Options{Index: index})
		model := map[string]float64{}
		r := rand.New(rand.NewPCG(9, uint64(index)))
		name := func() string { return "k" + strconv.Itoa(r.IntN(n)) }
		for i := range 3 * n {
			m, sc := name(), float64(r.IntN(n/10))
			switch r.IntN(8) {
			case 0:
				if _, ok := model[m]; ok != (s.Remove(m) == 1) {
					t.Fatalf("Remove(%q) disagrees with model", m)
				}
				delete(model, m)
			case 1:
				got, _ := s.IncrBy(m, sc)
				model[m] += sc
				if got != model[m] {
					t.Fatalf("IncrBy(%q) = %v; model %v", m, got, model[m])
				}
			default:
				s.Add(AddOptions{}, Entry{m, sc})
				model[m] = sc
			}
			if i%(n/2) == 0 {
				checkIndex(t, s)
			}
		}
		checkIndex(t, s)
		if bt, ok := s.list.(*btree); ok && bt.root.inners == nil {
			t.Fatalf("tree of %d members has one level", bt.n)
		}
		if s.Card() != len(model) {
			t.Fatalf("Card = %d; model %d", s.Card(), len(model))
		}
		for m, sc := range model {
			if got, ok := s.Score(m); !ok || got != sc {
				t.Fatalf("Score(%q) = %v, %v; want %v", m, got, ok, sc)
			}
		}
		// Rank must agree with position in the iteration order.
		i := 0
		for e := range s.All() {
			if i%97 == 0 {
				if rk, _, ok := s.Rank(e.Member); !ok || rk != i {
					t.Fatalf("Rank(%q) = %d; iteration position %d", e.Member, rk, i)
				}
			}
			i++
		}
		// Delete nearly everything in random order, re-adding a few members
		// so freed ids are reused.
		keys := make([]string, 0, len(model))
		for m := range model {
			keys = append(keys, m)
		}
		r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		for i, m := range keys[:len(keys)-10] {
			if s.Remove(m) != 1 {
				t.Fatalf("Remove(%q) of a present member", m)
			}
			if i%7 == 0 {
				s.Add(AddOptions{}, Entry{"again" + strconv.Itoa(i), float64(i % 50)})
			}
			if i%(n/4) == 0 {
				checkIndex(t, s)
			}
		}
		checkIndex(t, s)
		s.RemRangeByRank(0, -1)
		checkIndex(t, s)
		if s.Card() != 0 {
			t.Fatalf("Card after removing all = %d", s.Card())
		}
	}
}

// TestSortedSetIterateWhileChanging deletes, adds and rescored members from
// inside All and Backward on both indexes, with enough members to span many
// B+ tree leaves, and checks the documented continuation rule against a
// model: after each change the walk resumes right after the last member
// yielded.
func TestSortedSetIterateWhileChanging(t *testing.T) {
	for _, index := range []Index{BTreeIndex, SkiplistIndex} {
		for _, rev := range []bool{false, true} {
			s, _ := NewSortedSet(Options{Index: index})
			for i := range 2000 {
				s.Add(AddOptions{}, Entry{"m" + strconv.Itoa(i), float64(i)})
			}
			seq := s.All()
			if rev {
				seq = s.Backward()
			}
			var prev *Entry
			n := 0
			for e := range seq {
				if prev != nil && ((!rev && compareZ(zkey{e.Score, e.Member}, zkey{prev.Score, prev.Member}) <= 0) ||
					(rev && compareZ(zkey{e.Score, e.Member}, zkey{prev.Score, prev.Member}) >= 0)) {
					t.Fatalf("index %d rev %v: %v after %v", index, rev, e, *prev)
				}
				p := e
				prev = &p
				n++
				switch n % 3 {
				case 0:
					s.Remove(e.Member) // delete the member just yielded
				case 1:
					s.Add(AddOptions{}, Entry{"x" + strconv.Itoa(n), -1}) // behind the walk when ascending
				default:
					s.IncrBy(e.Member, 0.5) // rescore in place without passing a neighbour
				}
			}
			if n < 2000 {
				t.Fatalf("index %d rev %v: saw %d members; want at least the 2000 originals", index, rev, n)
			}
			checkIndex(t, s)
		}
	}
}

// TestBtreeRescore checks the B+ tree's score change, which shifts a member
// within its leaf when another member of the leaf sorts beyond the new key
// in the direction of the change, and moves it straight into the next or
// previous leaf when the key lies inside that one, against the general path (delete, set the
// score, insert from the root) applied to a second set: same order, same
// ranks, valid trees. Scores
// have many ties (ordered by member), small and large jumps and infinities,
// and both paths must run many times.
func TestBtreeRescore(t *testing.T) {
	fast, slow := newSetOrFail(t), newSetOrFail(t)
	ref := slow.list.(*btree)
	r := rand.New(rand.NewPCG(21, 22))
	const n = 3000
	name := func(i int) string { return "u" + strconv.Itoa(i) }
	for i := range n {
		e := Entry{name(i), float64(r.IntN(300))}
		fast.Add(AddOptions{}, e)
		slow.Add(AddOptions{}, e)
	}
	ops := 20000
	if raceflag.Enabled {
		ops = 6000
	}
	inPlace, moved, nextDoor, edge := 0, 0, 0, 0
	for op := range ops {
		m := name(r.IntN(n))
		if r.IntN(4) == 0 { // the first or last member of some leaf
			id, _, _ := fast.lookup(m)
			l := fast.list.(*btree).leafOf(id, m)
			m = l.member(0)
			if r.IntN(2) == 0 {
				m = l.member(int(l.n) - 1)
			}
		}
		cur, _ := fast.Score(m)
		var v float64
		switch k := r.IntN(20); {
		case k == 0:
			v = math.Inf(1)
		case k == 1:
			v = math.Inf(-1)
		case k < 5:
			v = float64(r.IntN(300))
		case k < 8: // a nudge that passes no other member, also at leaf ends
			v = cur + 0.25*float64(2*r.IntN(2)-1)
			if math.IsInf(cur, 0) {
				v = float64(r.IntN(300))
			}
		default:
			v = cur + float64(r.IntN(7)-3)
			if math.IsInf(cur, 0) {
				v = float64(r.IntN(300))
			}
		}
		if v == cur {
			continue
		}
		// Predict the path from the leaf's contents: in place exactly
		// when another member of the leaf sorts beyond the new key in
		// the direction of the change.
		id, _, _ := fast.lookup(m)
		fb := fast.list.(*btree)
		l := fb.leafOf(id, m)
		below, above := 0, 0
		for j := range int(l.n) {
			if l.id(j) == id {
				continue
			}
			if compareZ(fb.keyAt(l, j), zkey{v, m}) < 0 {
				below++
			} else {
				above++
			}
		}
		leaves := ref.len()
		prev, next := l.prev, l.next
		if _, err := fast.Add(AddOptions{}, Entry{m, v}); err != nil {
			t.Fatal(err)
		}
		if (v > cur && above > 0 && below == 0) || (v < cur && below > 0 && above == 0) {
			edge++
		}
		if (v > cur && above > 0) || (v < cur && below > 0) {
			inPlace++
			if fb.leafOf(id, m) != l {
				t.Fatalf("op %d: %q moved to another leaf though it stays inside its own", op, m)
			}
		} else {
			moved++
			if nl := fb.leafOf(id, m); nl != nil && (nl == prev || nl == next) {
				nextDoor++
			}
		}
		rid, rslot, _ := slow.lookup(m)
		ref.delete(rid, rslot)
		ref.insert(rid, zkey{v, m})
		if ref.len() != leaves {
			t.Fatalf("reference tree size changed")
		}
		if op%500 == 0 || op == ops-1 {
			checkIndex(t, fast)
			checkIndex(t, slow)
			got, want := fast.RangeByRank(0, -1, false), slow.RangeByRank(0, -1, false)
			if !slices.Equal(got, want) {
				t.Fatalf("op %d: orders differ", op)
			}
			for i := 0; i < len(want); i += 37 {
				if rk, _, _ := fast.Rank(want[i].Member); rk != i {
					t.Fatalf("op %d: Rank(%q) = %d; want %d", op, want[i].Member, rk, i)
				}
			}
		}
	}
	t.Logf("%d in place (%d at an end of the leaf), %d moved (%d to a neighbouring leaf)", inPlace, edge, moved, nextDoor)
	if inPlace < ops/10 || edge < 10 || moved < ops/10 || nextDoor < ops/20 {
		t.Fatalf("paths not all exercised: %d in place (%d at a leaf end), %d moved, %d of them next door", inPlace, edge, moved, nextDoor)
	}
}

func newSetOrFail(t *testing.T) *SortedSet {
	t.Helper()
	s, err := NewSortedSet(Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestAppendWindow compares AppendWindow with the two commands it stands
// for (Rank or RevRank, then RangeByRank) on both indexes: members at
// both ends of the set and of B+ tree leaves, windows that stay in one
// leaf, cross into the neighbours or run past several leaves and off the
// ends, sizes from one member up, and a reused dst.
func TestAppendWindow(t *testing.T) {
	sizes := []int{1, 2, 3, 200, 3000}
	spans := []int{0, 1, 4, 81, 83, 250, math.MaxInt}
	for _, index := range []Index{BTreeIndex, SkiplistIndex} {
		for _, n := range sizes {
			s, _ := NewSortedSet(Options{Index: index})
			r := rand.New(rand.NewPCG(uint64(n), uint64(index)))
			for i := range n {
				s.Add(AddOptions{}, Entry{"w" + strconv.Itoa(i), float64(r.IntN(n/3 + 1))})
			}
			all := s.RangeByRank(0, -1, false)
			// Every member of small sets; in the large one a sample plus
			// the first and last member of every B+ tree leaf.
			var picks []string
			for i, e := range all {
				if n <= 200 || i%53 == 0 {
					picks = append(picks, e.Member)
				}
			}
			if bt, ok := s.list.(*btree); ok {
				for l, _ := bt.leafAt(0); l != nil; l = l.next {
					picks = append(picks, l.member(0), l.member(int(l.n)-1))
				}
			}
			buf := make([]Entry, 0, 8)
			for _, m := range picks {
				for _, rev := range []bool{false, true} {
					before, after := spans[r.IntN(len(spans))], spans[r.IntN(len(spans))]
					wantRank, _, _ := s.Rank(m)
					if rev {
						wantRank, _, _ = s.RevRank(m)
					}
					lo, hi := wantRank-min(before, wantRank), wantRank+min(after, n-1-wantRank)
					want := s.RangeByRank(lo, hi, rev)
					got, rank, ok, err := s.AppendWindow(buf[:0], m, before, after, rev)
					if err != nil || !ok || rank != wantRank || !slices.Equal(got, want) {
						t.Fatalf("index %d n %d: AppendWindow(%q, %d, %d, rev=%v) = %v, %d, %v, %v; want %v, %d",
							index, n, m, before, after, rev, got, rank, ok, err, want, wantRank)
					}
					buf = got
				}
			}
		}
		s, _ := NewSortedSet(Options{Index: index})
		s.Add(AddOptions{}, Entry{"a", 1}, Entry{"b", 2})
		prefix := []Entry{{"keep", 0}}
		if got, _, ok, err := s.AppendWindow(prefix, "absent", 1, 1, false); ok || err != nil || !slices.Equal(got, prefix) {
			t.Fatalf("absent member: %v, %v, %v", got, ok, err)
		}
		got, rank, ok, err := s.AppendWindow(prefix, "b", 1, 0, false)
		if want := []Entry{{"keep", 0}, {"a", 1}, {"b", 2}}; !ok || err != nil || rank != 1 || !slices.Equal(got, want) {
			t.Fatalf("append after a prefix: %v, %d, %v, %v; want %v", got, rank, ok, err, want)
		}
		for _, c := range [][2]int{{-1, 0}, {0, -1}} {
			if _, _, ok, err := s.AppendWindow(nil, "a", c[0], c[1], false); ok || !errors.Is(err, ErrNegativeCount) {
				t.Fatalf("AppendWindow(%d, %d): %v, %v; want ErrNegativeCount", c[0], c[1], ok, err)
			}
		}
	}
}
