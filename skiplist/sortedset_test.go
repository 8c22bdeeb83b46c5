package skiplist

import (
	"errors"
	"math"
	"slices"
	"testing"
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
	checkInvariants(t, s.list)
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
