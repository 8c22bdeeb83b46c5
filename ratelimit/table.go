package ratelimit

import "math/bits"

// table is a compact open-addressing hash table from a 64-bit key hash to
// one or two int64 words of state: 16 or 24 bytes per slot, filled to at
// most 80% and rebuilt at half full, so a key costs about 20-40 bytes. It
// is the per-shard store of every algorithm but SlidingLog; the shard lock
// guards it. Keys are never deleted one by one: a sweep rebuilds the table
// from the surviving keys, which also returns memory after a burst of keys.
type table struct {
	keys  []uint64 // 0 marks an empty slot; hash 0 is stored as 1
	vals  []int64  // width words per slot
	width int      // 1 (GCRA, LeakyQueue) or 2
	n     int
}

func newTable(width, capacity int) table {
	capacity = max(capacity, 8)
	return table{keys: make([]uint64, capacity), vals: make([]int64, capacity*width), width: width}
}

func fixKey(h uint64) uint64 {
	if h == 0 {
		return 1
	}
	return h
}

// find returns the slot of h, or the empty slot where it belongs, and
// whether h is present. h must be fixed (non-zero).
func (t *table) find(h uint64) (int, bool) {
	c := len(t.keys)
	hi, _ := bits.Mul64(h, uint64(c))
	i := int(hi)
	for {
		k := t.keys[i]
		if k == h {
			return i, true
		}
		if k == 0 {
			return i, false
		}
		i++
		if i == c {
			i = 0
		}
	}
}

func (t *table) get(i int) state {
	if t.width == 1 {
		return state{a: t.vals[i]}
	}
	return state{a: t.vals[2*i], b: t.vals[2*i+1]}
}

func (t *table) set(i int, s state) {
	if t.width == 1 {
		t.vals[i] = s.a
		return
	}
	t.vals[2*i], t.vals[2*i+1] = s.a, s.b
}

// put stores s for h at slot i as returned by find; when h was absent it
// may grow the table first.
func (t *table) put(i int, found bool, h uint64, s state) {
	if found {
		t.set(i, s)
		return
	}
	if (t.n+1)*5 > len(t.keys)*4 {
		t.rebuild(2*(t.n+1), nil)
		i, _ = t.find(h)
	}
	t.keys[i] = h
	t.set(i, s)
	t.n++
}

// rebuild moves every entry that keep accepts (all when keep is nil) into a
// new table of the given capacity (at least 8, and at least 1.25 × the
// entries kept).
func (t *table) rebuild(capacity int, keep func(state) bool) {
	old := *t
	n := 0
	if keep == nil {
		n = old.n
	} else {
		for i, k := range old.keys {
			if k != 0 && keep(old.get(i)) {
				n++
			}
		}
	}
	*t = newTable(old.width, max(capacity, n*5/4+1))
	for i, k := range old.keys {
		if k == 0 {
			continue
		}
		s := old.get(i)
		if keep != nil && !keep(s) {
			continue
		}
		j, _ := t.find(k)
		t.keys[j] = k
		t.set(j, s)
		t.n++
	}
}

// sweep drops the entries idle reports, rebuilding to twice the survivors
// when any were dropped.
func (t *table) sweep(idle func(state) bool) {
	dropped := 0
	for i, k := range t.keys {
		if k != 0 && idle(t.get(i)) {
			dropped++
		}
	}
	if dropped == 0 {
		return
	}
	t.rebuild(2*(t.n-dropped), func(s state) bool { return !idle(s) })
}
