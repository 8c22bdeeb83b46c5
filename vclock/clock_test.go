package vclock

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// model is the naive reference: a map from node to counter.
type model map[uint64]uint64

func toModel(c Clock) model {
	m := model{}
	for e := range c.All() {
		m[e.Node] = e.Counter
	}
	return m
}

func modelCompare(a, b model) Order {
	less, greater := false, false
	for n, x := range a {
		if x > b[n] {
			greater = true
		} else if x < b[n] {
			less = true
		}
	}
	for n, y := range b {
		if a[n] < y {
			less = true
		}
	}
	switch {
	case less && greater:
		return Concurrent
	case less:
		return Before
	case greater:
		return After
	}
	return Equal
}

func randClock(rng *rand.Rand, nodes, maxCtr int) Clock {
	var c Clock
	for n := range nodes {
		if k := rng.IntN(maxCtr + 1); k > 0 && rng.IntN(3) > 0 {
			for range k {
				c.Increment(uint64(n * 3))
			}
		}
	}
	return c
}

func TestCompareTable(t *testing.T) {
	cases := []struct {
		a, b string
		want Order
	}{
		{"{}", "{}", Equal},
		{"{1:1}", "{}", After},
		{"{}", "{1:1}", Before},
		{"{1:1,2:2}", "{1:1,2:2}", Equal},
		{"{1:1,2:2}", "{1:1,2:3}", Before},
		{"{1:2,2:2}", "{1:1,2:3}", Concurrent},
		{"{1:1}", "{2:1}", Concurrent},
		{"{1:1,3:1}", "{1:1,2:1,3:1}", Before},
		{"{1:1,2:1,3:1}", "{1:1,3:1}", After},
		{"{2:5}", "{1:1,2:4}", Concurrent},
		{"{1:5,9:1}", "{1:4}", After},
	}
	for _, c := range cases {
		a, b := mustParse(t, c.a), mustParse(t, c.b)
		if got := a.Compare(b); got != c.want {
			t.Errorf("%s.Compare(%s) = %v; want %v", c.a, c.b, got, c.want)
		}
		if got, want := a.Descends(b), c.want == After || c.want == Equal; got != want {
			t.Errorf("%s.Descends(%s) = %v; want %v", c.a, c.b, got, want)
		}
	}
}

func mustParse(t testing.TB, s string) Clock {
	t.Helper()
	c, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestClockAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 3000 {
		a, b := randClock(rng, 6, 3), randClock(rng, 6, 3)
		ma, mb := toModel(a), toModel(b)
		if got, want := a.Compare(b), modelCompare(ma, mb); got != want {
			t.Fatalf("%v.Compare(%v) = %v; model says %v", a, b, got, want)
		}
		if a.Equal(b) != (modelCompare(ma, mb) == Equal) {
			t.Fatalf("%v.Equal(%v) = %v", a, b, a.Equal(b))
		}
		m := a.Clone()
		m.Merge(b)
		if !m.Descends(a) || !m.Descends(b) {
			t.Fatalf("merge %v of %v and %v descends neither", m, a, b)
		}
		for n, x := range toModel(m) {
			if want := max(ma[n], mb[n]); x != want {
				t.Fatalf("merge %v: node %d = %d; want %d", m, n, x, want)
			}
		}
		if m.Len() != len(union(ma, mb)) {
			t.Fatalf("merge %v has %d entries; want %d", m, m.Len(), len(union(ma, mb)))
		}
		if got := Merged(a, b); !got.Equal(m) {
			t.Fatalf("Merged = %v; want %v", got, m)
		}
		// Merge must not have changed b, and must leave a sorted clock.
		if modelCompare(toModel(b), mb) != Equal {
			t.Fatal("Merge modified its argument")
		}
		checkSorted(t, m)
		// Incrementing makes a clock strictly after.
		inc := a.Clone()
		node := uint64(rng.IntN(20))
		if err := inc.Increment(node); err != nil {
			t.Fatal(err)
		}
		if inc.Compare(a) != After || inc.Get(node) != a.Get(node)+1 {
			t.Fatalf("%v incremented at %d = %v", a, node, inc)
		}
		checkSorted(t, inc)
	}
}

func union(a, b model) model {
	u := model{}
	for n, x := range a {
		u[n] = x
	}
	for n, x := range b {
		u[n] = max(u[n], x)
	}
	return u
}

func checkSorted(t *testing.T, c Clock) {
	t.Helper()
	for i := 1; i < len(c.e); i++ {
		if c.e[i-1].Node >= c.e[i].Node {
			t.Fatalf("%v not sorted", c)
		}
	}
	for _, e := range c.e {
		if e.Counter == 0 {
			t.Fatalf("%v has a zero counter", c)
		}
	}
}

func TestMergeTimes(t *testing.T) {
	a := Of(Entry{Node: 1, Counter: 2, Time: 10}, Entry{Node: 2, Counter: 1, Time: 50})
	b := Of(Entry{Node: 1, Counter: 2, Time: 30}, Entry{Node: 2, Counter: 3, Time: 5}, Entry{Node: 0, Counter: 1, Time: 7})
	a.Merge(b)
	if got, want := a.String(), "{0:1@7,1:2@30,2:3@5}"; got != want {
		t.Fatalf("merge = %s; want %s", got, want)
	}
}

func TestNoAllocs(t *testing.T) {
	var a, b Clock
	for n := range uint64(16) {
		for range n + 1 {
			a.Increment(n)
			b.Increment(n)
		}
	}
	b.Increment(3)
	a.Increment(4)
	if n := testing.AllocsPerRun(100, func() { _ = a.Compare(b) }); n != 0 {
		t.Errorf("Compare allocates %v times; want 0", n)
	}
	m := a.Clone()
	if n := testing.AllocsPerRun(100, func() { m.Merge(b) }); n != 0 {
		t.Errorf("Merge allocates %v times; want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { m.Increment(7) }); n != 0 {
		t.Errorf("Increment of an existing node allocates %v times; want 0", n)
	}
}

func TestIncrementOverflow(t *testing.T) {
	c := Of(Entry{Node: 1, Counter: ^uint64(0)})
	if err := c.Increment(1); !errors.Is(err, ErrOverflow) {
		t.Fatalf("Increment at max = %v; want ErrOverflow", err)
	}
	if c.Get(1) != ^uint64(0) {
		t.Fatal("failed increment changed the counter")
	}
}

func TestOfAndAccessors(t *testing.T) {
	c := Of(Entry{Node: 5, Counter: 1}, Entry{Node: 2, Counter: 3}, Entry{Node: 5, Counter: 4}, Entry{Node: 9})
	if got := c.String(); got != "{2:3,5:4}" {
		t.Fatalf("Of = %s; want {2:3,5:4}", got)
	}
	if e, ok := c.Entry(5); !ok || e.Counter != 4 {
		t.Fatalf("Entry(5) = %+v, %v", e, ok)
	}
	if _, ok := c.Entry(9); ok {
		t.Fatal("Entry(9) reports present for a zero counter")
	}
	if !c.Covers(Dot{2, 3}) || c.Covers(Dot{2, 4}) || c.Covers(Dot{7, 1}) {
		t.Fatal("Covers wrong")
	}
	for _, o := range []Order{Equal, Before, After, Concurrent, Order(9)} {
		if o.String() == "" {
			t.Fatal("empty Order string")
		}
	}
}
