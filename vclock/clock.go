package vclock

import (
	"iter"
	"slices"
	"time"
)

// Entry is one node's component of a [Clock]: how many events the node has
// recorded, and when the last of them happened (Unix seconds; 0 when the
// clock does not track time).
type Entry struct {
	Node    uint64
	Counter uint64
	Time    int64
}

// Clock is a vector clock: for every node that has recorded an event, the
// number of events it recorded. Clock a happened before clock b when every
// component of a is at most the one in b and they are not equal; two clocks
// neither of which happened before the other are concurrent (Lamport,
// "Time, Clocks, and the Ordering of Events in a Distributed System", 1978;
// Fidge and Mattern, 1988).
//
// Nodes are uint64 identifiers: small dense numbers (a replica's index in
// the cluster) encode in one byte. Entries are kept sorted by node, so every
// operation is a linear merge: O(n + m) for clocks of n and m entries, with
// no allocation except when [Clock.Merge] or [Clock.Increment] adds a node.
//
// The zero value is the empty clock, ready to use. Clock is a small value
// that shares its entries: use [Clock.Clone] before modifying a copy that
// another goroutine or data structure still holds. A Clock is not safe for
// concurrent modification.
type Clock struct {
	e []Entry // sorted by Node, Counter >= 1
}

// Order is the causal relation between two clocks, as returned by
// [Clock.Compare].
type Order int

// The four possible relations of [Clock.Compare].
const (
	Equal      Order = iota // same counters for every node
	Before                  // happened before: the other clock descends this one
	After                   // happened after: this clock descends the other
	Concurrent              // neither descends the other: a conflict
)

// String returns "equal", "before", "after" or "concurrent".
func (o Order) String() string {
	switch o {
	case Equal:
		return "equal"
	case Before:
		return "before"
	case After:
		return "after"
	case Concurrent:
		return "concurrent"
	}
	return "Order(?)"
}

// Of returns a clock with the given entries, which may be in any order; for
// a node listed twice the larger counter wins, and entries with a zero
// counter are dropped. It is meant for tests and literals.
func Of(entries ...Entry) Clock {
	var c Clock
	for _, e := range entries {
		if e.Counter == 0 {
			continue
		}
		c.mergeEntry(e)
	}
	return c
}

// Len returns the number of nodes with a nonzero counter.
func (c Clock) Len() int { return len(c.e) }

// Get returns the counter of node, 0 when the clock has no entry for it.
func (c Clock) Get(node uint64) uint64 {
	if i, ok := c.search(node); ok {
		return c.e[i].Counter
	}
	return 0
}

// Entry returns node's entry and reports whether the clock has one.
func (c Clock) Entry(node uint64) (Entry, bool) {
	if i, ok := c.search(node); ok {
		return c.e[i], true
	}
	return Entry{}, false
}

// All returns an iterator over the entries in ascending node order.
func (c Clock) All() iter.Seq[Entry] {
	return func(yield func(Entry) bool) {
		for _, e := range c.e {
			if !yield(e) {
				return
			}
		}
	}
}

// Clone returns a copy of c that shares no memory with it.
func (c Clock) Clone() Clock {
	if len(c.e) == 0 {
		return Clock{}
	}
	return Clock{e: slices.Clone(c.e)}
}

func (c Clock) search(node uint64) (int, bool) {
	// Clocks are short; a linear scan beats binary search up to a few dozen.
	if len(c.e) <= 16 {
		for i, e := range c.e {
			if e.Node >= node {
				return i, e.Node == node
			}
		}
		return len(c.e), false
	}
	return slices.BinarySearchFunc(c.e, node, func(e Entry, n uint64) int {
		switch {
		case e.Node < n:
			return -1
		case e.Node > n:
			return 1
		}
		return 0
	})
}

// Increment records an event at node: its counter goes up by one. The
// entry's time is left as it was (0 for a new entry); use
// [Clock.IncrementAt] when the clock will be pruned by age. It returns
// ErrOverflow, leaving c unchanged, if the counter is already the largest
// uint64.
func (c *Clock) Increment(node uint64) error {
	i, ok := c.search(node)
	if !ok {
		c.e = slices.Insert(c.e, i, Entry{Node: node, Counter: 1})
		return nil
	}
	if c.e[i].Counter == ^uint64(0) {
		return ErrOverflow
	}
	c.e[i].Counter++
	return nil
}

// IncrementAt is [Clock.Increment] that also stamps node's entry with now,
// as Riak does, for [Pruner] to judge its age.
func (c *Clock) IncrementAt(node uint64, now time.Time) error {
	if err := c.Increment(node); err != nil {
		return err
	}
	i, _ := c.search(node)
	c.e[i].Time = now.Unix()
	return nil
}

// mergeEntry merges one entry into c.
func (c *Clock) mergeEntry(e Entry) {
	i, ok := c.search(e.Node)
	if !ok {
		c.e = slices.Insert(c.e, i, e)
		return
	}
	c.e[i] = maxEntry(c.e[i], e)
}

// maxEntry returns the entry with the larger counter, and for equal counters
// the later time (Riak's rule).
func maxEntry(a, b Entry) Entry {
	switch {
	case a.Counter > b.Counter:
		return a
	case a.Counter < b.Counter:
		return b
	}
	a.Time = max(a.Time, b.Time)
	return a
}

// Merge sets c to the least upper bound of c and o: for every node the
// larger counter (with its time). The result descends both. Merge does not
// allocate when o adds no node that c lacks, or when c has the spare
// capacity for the new ones.
func (c *Clock) Merge(o Clock) {
	// Fast path: o has no node that c lacks, so c is updated in place.
	ce, oe := c.e, o.e
	i := 0
	for j := range oe {
		b := &oe[j]
		for i < len(ce) && ce[i].Node < b.Node {
			i++
		}
		if i == len(ce) || ce[i].Node != b.Node {
			c.mergeGrow(o)
			return
		}
		a := &ce[i]
		if b.Counter > a.Counter {
			*a = *b
		} else if b.Counter == a.Counter && b.Time > a.Time {
			a.Time = b.Time
		}
		i++
	}
}

// mergeGrow merges o into c when o has nodes that c lacks: it counts the
// result's length, grows c once and merges from the back in place.
func (c *Clock) mergeGrow(o Clock) {
	n := 0
	i, j := 0, 0
	for i < len(c.e) && j < len(o.e) {
		switch a, b := c.e[i].Node, o.e[j].Node; {
		case a < b:
			i++
		case a > b:
			j++
		default:
			i++
			j++
		}
		n++
	}
	n += len(c.e) - i + len(o.e) - j
	old := len(c.e)
	c.e = slices.Grow(c.e, n-old)[:n]
	i, j = old-1, len(o.e)-1
	for k := n - 1; k >= 0; k-- {
		switch {
		case j < 0:
			c.e[k] = c.e[i]
			i--
		case i < 0 || c.e[i].Node < o.e[j].Node:
			c.e[k] = o.e[j]
			j--
		case c.e[i].Node > o.e[j].Node:
			c.e[k] = c.e[i]
			i--
		default:
			c.e[k] = maxEntry(c.e[i], o.e[j])
			i--
			j--
		}
	}
}

// Merged returns the least upper bound of the clocks as a new clock,
// leaving them unchanged.
func Merged(clocks ...Clock) Clock {
	var out Clock
	for _, c := range clocks {
		out.Merge(c)
	}
	return out
}

// Compare returns the causal relation of c to o: Before when o descends c
// and they differ, After when c descends o and they differ, Equal or
// Concurrent. Entry times are ignored. It does not allocate.
func (c Clock) Compare(o Clock) Order {
	less, greater := false, false // some component of c is below / above o's
	i, j := 0, 0
	for i < len(c.e) && j < len(o.e) {
		a, b := &c.e[i], &o.e[j]
		switch {
		case a.Node < b.Node:
			greater = true
			i++
		case a.Node > b.Node:
			less = true
			j++
		default:
			if a.Counter < b.Counter {
				less = true
			} else if a.Counter > b.Counter {
				greater = true
			}
			i++
			j++
		}
		if less && greater {
			return Concurrent
		}
	}
	if i < len(c.e) {
		greater = true
	}
	if j < len(o.e) {
		less = true
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

// Descends reports whether c descends o: every counter of o is at most the
// one in c, so c has seen every event o has (c is After or Equal to o).
func (c Clock) Descends(o Clock) bool {
	r := c.Compare(o)
	return r == After || r == Equal
}

// Equal reports whether c and o have the same counters (times are ignored).
func (c Clock) Equal(o Clock) bool {
	if len(c.e) != len(o.e) {
		return false
	}
	for i := range c.e {
		if c.e[i].Node != o.e[i].Node || c.e[i].Counter != o.e[i].Counter {
			return false
		}
	}
	return true
}

// Covers reports whether c includes the event d: c's counter for d.Node is
// at least d.Counter.
func (c Clock) Covers(d Dot) bool { return c.Get(d.Node) >= d.Counter }
