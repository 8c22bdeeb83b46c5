package skiplist

import "iter"

// Iteration
//
// The iterators below walk the list lazily. Changing the value of an existing
// key (Set on a present key) during iteration is safe and visible. Deleting
// the element just yielded is safe: iteration continues with its successor.
// Other insertions and deletions during iteration are memory safe but may or
// may not be seen by the running iterator.

// All returns an iterator over all elements in ascending key order.
func (m *Map[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for x := m.head.next[0].next; x != nil; {
			nx := x.next[0].next
			if !yield(x.key, x.val) {
				return
			}
			x = nx
		}
	}
}

// Backward returns an iterator over all elements in descending key order.
func (m *Map[K, V]) Backward() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for x := m.tail; x != nil; {
			px := x.prev
			if !yield(x.key, x.val) {
				return
			}
			x = px
		}
	}
}

// Keys returns an iterator over the keys in ascending order.
func (m *Map[K, V]) Keys() iter.Seq[K] {
	return func(yield func(K) bool) {
		for k := range m.All() {
			if !yield(k) {
				return
			}
		}
	}
}

// Values returns an iterator over the values in ascending key order.
func (m *Map[K, V]) Values() iter.Seq[V] {
	return func(yield func(V) bool) {
		for _, v := range m.All() {
			if !yield(v) {
				return
			}
		}
	}
}

// Range returns an iterator over the elements with lo <= key < hi in
// ascending order. Finding the start costs O(log n) expected, each step O(1).
func (m *Map[K, V]) Range(lo, hi K) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for x := m.seekGE(lo); x != nil && m.cmp(x.key, hi) < 0; {
			nx := x.next[0].next
			if !yield(x.key, x.val) {
				return
			}
			x = nx
		}
	}
}

// RangeBackward returns an iterator over the elements with lo <= key < hi in
// descending order.
func (m *Map[K, V]) RangeBackward(lo, hi K) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		x, _ := m.lastWhere(func(k K) bool { return m.cmp(k, hi) < 0 })
		for x != nil && m.cmp(x.key, lo) >= 0 {
			px := x.prev
			if !yield(x.key, x.val) {
				return
			}
			x = px
		}
	}
}

// RangeByRank returns an iterator over the elements with ranks in
// [start, stop) in ascending order; ranks are 0-based and clamped to
// [0, Len()). Finding the start costs O(log n) expected.
func (m *Map[K, V]) RangeByRank(start, stop int) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		start, stop := clampRanks(start, stop, m.length)
		x := m.nodeAt(start)
		for i := start; i < stop && x != nil; i++ {
			nx := x.next[0].next
			if !yield(x.key, x.val) {
				return
			}
			x = nx
		}
	}
}

// RangeByRankBackward returns an iterator over the elements with ranks in
// [start, stop) in descending order (rank stop-1 first).
func (m *Map[K, V]) RangeByRankBackward(start, stop int) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		start, stop := clampRanks(start, stop, m.length)
		x := m.nodeAt(stop - 1)
		for i := stop - 1; i >= start && x != nil; i-- {
			px := x.prev
			if !yield(x.key, x.val) {
				return
			}
			x = px
		}
	}
}

func clampRanks(start, stop, n int) (int, int) {
	start = max(start, 0)
	stop = max(min(stop, n), 0)
	if start > stop {
		start = stop
	}
	return start, stop
}

// Cursor is a position in a [Map] that moves in both directions. It is
// obtained from [Map.Cursor] and is not safe for concurrent use. A cursor on
// an element that is later deleted still reads that element's key and value
// and can step forward to elements that followed it, but its results after
// other mutations are unspecified; call Seek again after changing the map.
type Cursor[K, V any] struct {
	m *Map[K, V]
	x *node[K, V]
}

// Cursor returns a cursor positioned before the first element; call
// [Cursor.First], [Cursor.Last] or [Cursor.Seek] to position it.
func (m *Map[K, V]) Cursor() *Cursor[K, V] { return &Cursor[K, V]{m: m} }

// Valid reports whether the cursor is on an element.
func (c *Cursor[K, V]) Valid() bool { return c.x != nil }

// Key returns the key under the cursor; it panics if !Valid().
func (c *Cursor[K, V]) Key() K { return c.x.key }

// Value returns the value under the cursor; it panics if !Valid().
func (c *Cursor[K, V]) Value() V { return c.x.val }

// First moves to the smallest element and reports whether there is one.
func (c *Cursor[K, V]) First() bool { c.x = c.m.head.next[0].next; return c.x != nil }

// Last moves to the largest element and reports whether there is one.
func (c *Cursor[K, V]) Last() bool { c.x = c.m.tail; return c.x != nil }

// Seek moves to the first element with key >= key and reports whether there
// is one. O(log n) expected.
func (c *Cursor[K, V]) Seek(key K) bool { c.x = c.m.seekGE(key); return c.x != nil }

// Next moves to the following element and reports whether there is one.
func (c *Cursor[K, V]) Next() bool {
	if c.x != nil {
		c.x = c.x.next[0].next
	}
	return c.x != nil
}

// Prev moves to the preceding element and reports whether there is one.
func (c *Cursor[K, V]) Prev() bool {
	if c.x != nil {
		c.x = c.x.prev
	}
	return c.x != nil
}
