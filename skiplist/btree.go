package skiplist

import "strings"

// A counted B+ tree of members: the alternative index under a SortedSet
// (Options.Index = BTreeIndex). Leaves hold up to leafCap members as two
// parallel fixed arrays, scores and slab ids (12 bytes a member, no
// pointers for the garbage collector to scan), and are linked both ways.
// Inner nodes hold up to innerMax children, a separator key per child
// (every key of child i is >= keys[i]; keys[0] is a lower bound kept for
// merging) and each child's subtree size, so ranks are found by summing
// sizes on the way down, as in Valkey 8.1's zset B+ tree. Separators are
// (score, member string) pairs rather than ids so that they stay valid
// after their member is deleted and its id reused; inner nodes are about
// one in 5,000 members, so their size does not matter. A full leaf first
// passes a member to a sibling with room (as a B*-tree does) and splits
// only when both neighbours are nearly full, which keeps leaves about 80%
// full under random inserts instead of 69%.

const (
	// leafCap makes a leaf 1016 bytes, just inside the 1024-byte
	// allocation size class.
	leafCap  = 83
	leafMin  = leafCap / 4
	innerMax = 64
	innerMin = innerMax / 4
)

type bleaf struct {
	scores     [leafCap]float64
	ids        [leafCap]uint32
	n          int32
	prev, next *bleaf
}

// binner is an inner node; its children are all leaves or all inner nodes.
type binner struct {
	keys   []zkey
	sizes  []int
	leaves []*bleaf
	inners []*binner
}

type btree struct {
	sl   *slab
	root *binner // never a leaf, so the tree always has at least one level
	n    int
}

func newBtree(sl *slab) *btree {
	return &btree{sl: sl, root: &binner{keys: []zkey{{}}, sizes: []int{0}, leaves: []*bleaf{{}}}}
}

func (t *btree) len() int { return t.n }

func (x *binner) size() int {
	s := 0
	for _, v := range x.sizes {
		s += v
	}
	return s
}

// child returns the index of the child of x whose range holds k.
func (x *binner) child(k zkey) int {
	lo, hi := 1, len(x.keys)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if compareZ(x.keys[m], k) <= 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

// cmpAt compares the member at position i of l with k, reading the member
// bytes only when the scores tie.
func (t *btree) cmpAt(l *bleaf, i int, k zkey) int {
	s := l.scores[i]
	switch {
	case s < k.score:
		return -1
	case s > k.score:
		return 1
	}
	return strings.Compare(t.sl.member(l.ids[i]), k.member)
}

// lowerBound returns the position of the first member of l not below k.
func (t *btree) lowerBound(l *bleaf, k zkey) int {
	lo, hi := 0, int(l.n)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if t.cmpAt(l, m, k) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// indexOf returns the position of id, which must be in l. A linear scan of
// the 332-byte id array runs at the speed of the hardware prefetcher and
// never touches a member string, where a binary search by key would take
// about four cache misses on the scores.
func (l *bleaf) indexOf(id uint32) int {
	for i, x := range l.ids[:l.n] {
		if x == id {
			return i
		}
	}
	panic("skiplist: B+ tree leaf lost a member")
}

func (t *btree) keyAt(l *bleaf, i int) zkey {
	return zkey{l.scores[i], t.sl.member(l.ids[i])}
}

func (l *bleaf) insertAt(i int, score float64, id uint32) {
	n := int(l.n)
	copy(l.scores[i+1:n+1], l.scores[i:n])
	copy(l.ids[i+1:n+1], l.ids[i:n])
	l.scores[i], l.ids[i] = score, id
	l.n++
}

func (l *bleaf) removeAt(i int) {
	n := int(l.n)
	copy(l.scores[i:n-1], l.scores[i+1:n])
	copy(l.ids[i:n-1], l.ids[i+1:n])
	l.n--
}

// moveTail moves the last c members of a to the front of b.
func moveTail(a, b *bleaf, c int) {
	an, bn := int(a.n), int(b.n)
	copy(b.scores[c:bn+c], b.scores[:bn])
	copy(b.ids[c:bn+c], b.ids[:bn])
	copy(b.scores[:c], a.scores[an-c:an])
	copy(b.ids[:c], a.ids[an-c:an])
	a.n -= int32(c)
	b.n += int32(c)
}

// moveHead moves the first c members of b to the end of a.
func moveHead(a, b *bleaf, c int) {
	an, bn := int(a.n), int(b.n)
	copy(a.scores[an:an+c], b.scores[:c])
	copy(a.ids[an:an+c], b.ids[:c])
	copy(b.scores[:bn-c], b.scores[c:bn])
	copy(b.ids[:bn-c], b.ids[c:bn])
	a.n += int32(c)
	b.n -= int32(c)
}

// insert adds id, whose member must be absent.
func (t *btree) insert(id uint32) {
	k := t.sl.key(id)
	if right, sep := t.insertAt(t.root, k, id); right != nil {
		old := t.root
		t.root = &binner{
			keys:   []zkey{old.keys[0], sep},
			sizes:  []int{old.size(), right.size()},
			inners: []*binner{old, right},
		}
	}
	t.n++
}

// insertAt inserts k under x and returns a new right sibling and its
// separator if x split.
func (t *btree) insertAt(x *binner, k zkey, id uint32) (*binner, zkey) {
	c := x.child(k)
	if x.leaves != nil {
		if x.leaves[c].n == leafCap {
			c = t.makeRoom(x, c, k)
		}
		l := x.leaves[c]
		l.insertAt(t.lowerBound(l, k), k.score, id)
		x.sizes[c]++
	} else {
		x.sizes[c]++
		right, sep := t.insertAt(x.inners[c], k, id)
		if right != nil {
			rs := right.size()
			x.sizes[c] -= rs
			x.inners = insertAt(x.inners, c+1, right)
			x.keys = insertAt(x.keys, c+1, sep)
			x.sizes = insertAt(x.sizes, c+1, rs)
		}
	}
	if len(x.keys) <= innerMax {
		return nil, zkey{}
	}
	h := len(x.keys) / 2
	r := &binner{
		keys:  append(make([]zkey, 0, innerMax+1), x.keys[h:]...),
		sizes: append(make([]int, 0, innerMax+1), x.sizes[h:]...),
	}
	if x.leaves != nil {
		r.leaves = append(make([]*bleaf, 0, innerMax+1), x.leaves[h:]...)
		clear(x.leaves[h:])
		x.leaves = x.leaves[:h]
	} else {
		r.inners = append(make([]*binner, 0, innerMax+1), x.inners[h:]...)
		clear(x.inners[h:])
		x.inners = x.inners[:h]
	}
	clear(x.keys[h:])
	x.keys, x.sizes = x.keys[:h], x.sizes[:h]
	return r, r.keys[0]
}

// makeRoom makes room in the full leaf x.leaves[c] for k, by passing one
// member to a sibling with room or else by splitting it, and returns the
// index of the child that k now belongs to.
func (t *btree) makeRoom(x *binner, c int, k zkey) int {
	l := x.leaves[c]
	if c > 0 && x.leaves[c-1].n < leafCap-1 {
		moveHead(x.leaves[c-1], l, 1)
		x.sizes[c-1]++
		x.sizes[c]--
		x.keys[c] = t.keyAt(l, 0)
		if compareZ(k, x.keys[c]) < 0 {
			return c - 1
		}
		return c
	}
	if c+1 < len(x.keys) && x.leaves[c+1].n < leafCap-1 {
		moveTail(l, x.leaves[c+1], 1)
		x.sizes[c]--
		x.sizes[c+1]++
		x.keys[c+1] = t.keyAt(x.leaves[c+1], 0)
		if compareZ(k, x.keys[c+1]) < 0 {
			return c
		}
		return c + 1
	}
	r := &bleaf{prev: l, next: l.next}
	moveTail(l, r, leafCap-leafCap/2)
	if l.next != nil {
		l.next.prev = r
	}
	l.next = r
	sep := t.keyAt(r, 0)
	x.leaves = insertAt(x.leaves, c+1, r)
	x.keys = insertAt(x.keys, c+1, sep)
	x.sizes = insertAt(x.sizes, c+1, int(r.n))
	x.sizes[c] -= int(r.n)
	if compareZ(k, sep) < 0 {
		return c
	}
	return c + 1
}

func insertAt[T any](s []T, i int, v T) []T {
	var zero T
	s = append(s, zero)
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}

func removeAt[T any](s []T, i int) []T {
	copy(s[i:], s[i+1:])
	var zero T
	s[len(s)-1] = zero
	return s[:len(s)-1]
}

// delete removes id, which must be present with its current score.
func (t *btree) delete(id uint32) {
	t.deleteAt(t.root, t.sl.key(id), id)
	t.n--
	for len(t.root.keys) == 1 && t.root.inners != nil {
		t.root = t.root.inners[0]
	}
}

func (t *btree) deleteAt(x *binner, k zkey, id uint32) {
	c := x.child(k)
	x.sizes[c]--
	if x.leaves != nil {
		l := x.leaves[c]
		l.removeAt(l.indexOf(id))
		if l.n >= leafMin || len(x.keys) < 2 {
			return
		}
	} else {
		t.deleteAt(x.inners[c], k, id)
		if len(x.inners[c].keys) >= innerMin || len(x.keys) < 2 {
			return
		}
	}
	l := c
	if c+1 == len(x.keys) {
		l = c - 1
	}
	t.rebalance(x, l)
}

// rebalance merges children l and l+1 of x, or shares their contents
// evenly between them when they do not fit in one node.
func (t *btree) rebalance(x *binner, l int) {
	if x.leaves != nil {
		a, b := x.leaves[l], x.leaves[l+1]
		total := int(a.n + b.n)
		if total <= leafCap {
			moveHead(a, b, int(b.n))
			a.next = b.next
			if b.next != nil {
				b.next.prev = a
			}
			t.dropKid(x, l+1)
			x.sizes[l] = total
			return
		}
		if h := total / 2; int(a.n) < h {
			moveHead(a, b, h-int(a.n))
		} else {
			moveTail(a, b, int(a.n)-h)
		}
		x.keys[l+1] = t.keyAt(b, 0)
		x.sizes[l], x.sizes[l+1] = int(a.n), int(b.n)
		return
	}
	a, b := x.inners[l], x.inners[l+1]
	bkeys := append([]zkey{x.keys[l+1]}, b.keys[1:]...)
	keys := append(a.keys, bkeys...)
	kids := append(a.inners, b.inners...)
	leaves := append(a.leaves, b.leaves...)
	sizes := append(a.sizes, b.sizes...)
	if len(keys) <= innerMax {
		a.keys, a.inners, a.leaves, a.sizes = keys, kids, leaves, sizes
		t.dropKid(x, l+1)
		x.sizes[l] = a.size()
		return
	}
	h := len(keys) / 2
	b.keys = append(make([]zkey, 0, innerMax+1), keys[h:]...)
	b.sizes = append(make([]int, 0, innerMax+1), sizes[h:]...)
	if leaves != nil {
		b.leaves = append(make([]*bleaf, 0, innerMax+1), leaves[h:]...)
		clear(leaves[h:])
		a.leaves = leaves[:h]
	} else {
		b.inners = append(make([]*binner, 0, innerMax+1), kids[h:]...)
		clear(kids[h:])
		a.inners = kids[:h]
	}
	clear(keys[h:])
	a.keys, a.sizes = keys[:h], sizes[:h]
	x.keys[l+1] = b.keys[0]
	x.sizes[l], x.sizes[l+1] = a.size(), b.size()
}

func (t *btree) dropKid(x *binner, i int) {
	if x.leaves != nil {
		x.leaves = removeAt(x.leaves, i)
	} else {
		x.inners = removeAt(x.inners, i)
	}
	x.keys = removeAt(x.keys, i)
	x.sizes = removeAt(x.sizes, i)
}

// countWhile returns how many leading keys satisfy f, which must be true
// for a prefix of the order and false after it. O(log n).
func (t *btree) countWhile(f func(zkey) bool) int {
	x := t.root
	n := 0
	for {
		lo, hi := 1, len(x.keys)
		for lo < hi { // last separator satisfying f
			m := int(uint(lo+hi) >> 1)
			if f(x.keys[m]) {
				lo = m + 1
			} else {
				hi = m
			}
		}
		c := lo - 1
		for _, s := range x.sizes[:c] {
			n += s
		}
		if x.leaves != nil {
			l := x.leaves[c]
			lo, hi := 0, int(l.n)
			for lo < hi {
				m := int(uint(lo+hi) >> 1)
				if f(t.keyAt(l, m)) {
					lo = m + 1
				} else {
					hi = m
				}
			}
			return n + lo
		}
		x = x.inners[c]
	}
}

// rank returns the number of keys less than id's. O(log n).
func (t *btree) rank(id uint32) int {
	k := t.sl.key(id)
	x := t.root
	n := 0
	for {
		c := x.child(k)
		for _, s := range x.sizes[:c] {
			n += s
		}
		if x.leaves != nil {
			return n + x.leaves[c].indexOf(id)
		}
		x = x.inners[c]
	}
}

// leafAt returns the leaf holding rank i and i's position in it.
func (t *btree) leafAt(i int) (*bleaf, int) {
	x := t.root
	for {
		c := 0
		for c < len(x.sizes)-1 && i >= x.sizes[c] {
			i -= x.sizes[c]
			c++
		}
		if x.leaves != nil {
			return x.leaves[c], i
		}
		x = x.inners[c]
	}
}

// ascend yields ids from rank i upwards.
func (t *btree) ascend(i int, yield func(uint32) bool) {
	if i < 0 || i >= t.n {
		return
	}
	l, j := t.leafAt(i)
	for ; l != nil; l, j = l.next, 0 {
		for ; j < int(l.n); j++ {
			if !yield(l.ids[j]) {
				return
			}
		}
	}
}

// descend yields ids from rank i downwards.
func (t *btree) descend(i int, yield func(uint32) bool) {
	if i < 0 || i >= t.n {
		return
	}
	l, j := t.leafAt(i)
	for l != nil {
		for ; j >= 0; j-- {
			if !yield(l.ids[j]) {
				return
			}
		}
		l = l.prev
		if l != nil {
			j = int(l.n) - 1
		}
	}
}

// appendEntries appends up to count entries from rank i on, upwards or
// (rev) downwards, to dst.
func (t *btree) appendEntries(dst []Entry, i, count int, rev bool) []Entry {
	if i < 0 || i >= t.n {
		return dst
	}
	l, j := t.leafAt(i)
	for l != nil && count > 0 {
		if rev {
			for ; j >= 0 && count > 0; j, count = j-1, count-1 {
				dst = append(dst, Entry{t.sl.member(l.ids[j]), l.scores[j]})
			}
			if l = l.prev; l != nil {
				j = int(l.n) - 1
			}
		} else {
			for ; j < int(l.n) && count > 0; j, count = j+1, count-1 {
				dst = append(dst, Entry{t.sl.member(l.ids[j]), l.scores[j]})
			}
			l, j = l.next, 0
		}
	}
	return dst
}
