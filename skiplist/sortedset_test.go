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

// checkIndex verifies the invariants of whichever index s uses.
func checkIndex(t *testing.T, s *SortedSet) {
	t.Helper()
	switch x := s.list.(type) {
	case skipIndex:
		checkInvariants(t, x.m)
	case *btree:
		checkBtree(t, x)
	}
	if s.list.len() != len(s.scores) {
		t.Fatalf("index holds %d keys; map %d", s.list.len(), len(s.scores))
	}
	for e := range s.All() {
		if sc, ok := s.scores[e.Member]; !ok || sc != e.Score {
			t.Fatalf("index has %v; map %v, %v", e, sc, ok)
		}
	}
}

// checkBtree verifies sizes, separators, ordering, fill and leaf links.
func checkBtree(t *testing.T, bt *btree) {
	t.Helper()
	var leaves []*bnode
	var walk func(x *bnode, lo, hi *zkey, root bool) int
	walk = func(x *bnode, lo, hi *zkey, root bool) int {
		for i, k := range x.keys {
			if x.leaf && i > 0 && compareZ(x.keys[i-1], k) >= 0 {
				t.Fatalf("leaf keys out of order")
			}
			if x.leaf && ((lo != nil && compareZ(k, *lo) < 0) || (hi != nil && compareZ(k, *hi) >= 0)) {
				t.Fatalf("key %v outside separator range", k)
			}
		}
		if x.leaf {
			if !root && len(x.keys) < btMin {
				t.Fatalf("leaf underfull: %d", len(x.keys))
			}
			leaves = append(leaves, x)
			return len(x.keys)
		}
		if len(x.kids) != len(x.keys) || len(x.kids) != len(x.sizes) || (!root && len(x.kids) < btMin) || (root && len(x.kids) < 2) {
			t.Fatalf("inner node shape: %d kids, %d keys, %d sizes", len(x.kids), len(x.keys), len(x.sizes))
		}
		total := 0
		for i, c := range x.kids {
			clo, chi := lo, hi
			if i > 0 {
				clo = &x.keys[i]
			}
			if i+1 < len(x.kids) {
				chi = &x.keys[i+1]
			}
			n := walk(c, clo, chi, false)
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
	a, _ := NewSortedSet(Options{})
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
