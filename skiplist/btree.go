package skiplist

// A counted B+ tree of zkeys: the alternative index under a SortedSet
// (Options.Index = BTreeIndex). Leaves hold up to btMax sorted keys and are
// linked both ways; inner nodes hold up to btMax children, a separator key
// per child (every key of kids[i] is >= keys[i]; keys[0] is a lower bound
// kept for merging) and the size of each child's subtree, so ranks are found
// by summing sizes on the way down, as in Valkey 8.1's zset B+ tree. Keys
// are stored inline in contiguous arrays: a member costs its 24-byte key
// plus a share of mostly full nodes, instead of a skiplist node, and a
// search touches O(log_64 n) cache-friendly nodes instead of O(log n)
// scattered ones.

const (
	btMax = 64
	btMin = btMax / 4
)

type bnode struct {
	leaf       bool
	keys       []zkey   // leaf: the items; inner: separators
	kids       []*bnode // inner only
	sizes      []int    // inner only: subtree sizes
	prev, next *bnode   // leaf only
}

type btree struct {
	root *bnode
	n    int
}

func newBtree() *btree {
	return &btree{root: &bnode{leaf: true}}
}

func (t *btree) len() int { return t.n }

// child returns the index of the child of inner node x whose range holds k.
func (x *bnode) child(k zkey) int {
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

func (x *bnode) size() int {
	if x.leaf {
		return len(x.keys)
	}
	s := 0
	for _, v := range x.sizes {
		s += v
	}
	return s
}

// insert adds k, which must be absent.
func (t *btree) insert(k zkey) {
	if right, sep := t.insertAt(t.root, k); right != nil {
		old := t.root
		t.root = &bnode{
			keys:  []zkey{old.keys[0], sep},
			kids:  []*bnode{old, right},
			sizes: []int{old.size(), right.size()},
		}
	}
	t.n++
}

// insertAt inserts k under x and returns a new right sibling and its
// separator if x split.
func (t *btree) insertAt(x *bnode, k zkey) (*bnode, zkey) {
	if x.leaf {
		i := lowerBound(x.keys, k)
		x.keys = append(x.keys, zkey{})
		copy(x.keys[i+1:], x.keys[i:])
		x.keys[i] = k
		if len(x.keys) <= btMax {
			return nil, zkey{}
		}
		h := len(x.keys) / 2
		r := &bnode{leaf: true, keys: make([]zkey, len(x.keys)-h, btMax+1), prev: x, next: x.next}
		copy(r.keys, x.keys[h:])
		clear(x.keys[h:])
		x.keys = x.keys[:h]
		if x.next != nil {
			x.next.prev = r
		}
		x.next = r
		return r, r.keys[0]
	}
	c := x.child(k)
	x.sizes[c]++
	right, sep := t.insertAt(x.kids[c], k)
	if right == nil {
		return nil, zkey{}
	}
	x.sizes[c] -= right.size()
	x.kids = insertAt(x.kids, c+1, right)
	x.keys = insertAt(x.keys, c+1, sep)
	x.sizes = insertAt(x.sizes, c+1, right.size())
	if len(x.kids) <= btMax {
		return nil, zkey{}
	}
	h := len(x.kids) / 2
	r := &bnode{
		keys:  append(make([]zkey, 0, btMax+1), x.keys[h:]...),
		kids:  append(make([]*bnode, 0, btMax+1), x.kids[h:]...),
		sizes: append(make([]int, 0, btMax+1), x.sizes[h:]...),
	}
	clear(x.kids[h:])
	x.keys, x.kids, x.sizes = x.keys[:h], x.kids[:h], x.sizes[:h]
	return r, r.keys[0]
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

func lowerBound(keys []zkey, k zkey) int {
	lo, hi := 0, len(keys)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if compareZ(keys[m], k) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// delete removes k, which must be present.
func (t *btree) delete(k zkey) {
	t.deleteAt(t.root, k)
	t.n--
	for !t.root.leaf && len(t.root.kids) == 1 {
		t.root = t.root.kids[0]
	}
}

func (t *btree) deleteAt(x *bnode, k zkey) {
	if x.leaf {
		i := lowerBound(x.keys, k)
		x.keys = removeAt(x.keys, i)
		return
	}
	c := x.child(k)
	x.sizes[c]--
	t.deleteAt(x.kids[c], k)
	kid := x.kids[c]
	if (kid.leaf && len(kid.keys) >= btMin) || (!kid.leaf && len(kid.kids) >= btMin) || len(x.kids) < 2 {
		return
	}
	l := c
	if c+1 == len(x.kids) {
		l = c - 1
	}
	t.rebalance(x, l)
}

// rebalance merges x.kids[l] and x.kids[l+1], or splits their contents
// evenly between them when they do not fit in one node.
func (t *btree) rebalance(x *bnode, l int) {
	a, b := x.kids[l], x.kids[l+1]
	if a.leaf {
		all := append(a.keys, b.keys...)
		if len(all) <= btMax {
			a.keys = all
			a.next = b.next
			if b.next != nil {
				b.next.prev = a
			}
			t.dropKid(x, l+1)
			x.sizes[l] = len(all)
			return
		}
		h := len(all) / 2
		nb := append(make([]zkey, 0, btMax+1), all[h:]...)
		clear(all[h:])
		a.keys, b.keys = all[:h], nb
		x.keys[l+1] = b.keys[0]
		x.sizes[l], x.sizes[l+1] = len(a.keys), len(b.keys)
		return
	}
	bkeys := append([]zkey{x.keys[l+1]}, b.keys[1:]...)
	keys := append(a.keys, bkeys...)
	kids := append(a.kids, b.kids...)
	sizes := append(a.sizes, b.sizes...)
	if len(kids) <= btMax {
		a.keys, a.kids, a.sizes = keys, kids, sizes
		t.dropKid(x, l+1)
		x.sizes[l] = a.size()
		return
	}
	h := len(kids) / 2
	b.keys = append(make([]zkey, 0, btMax+1), keys[h:]...)
	b.kids = append(make([]*bnode, 0, btMax+1), kids[h:]...)
	b.sizes = append(make([]int, 0, btMax+1), sizes[h:]...)
	clear(kids[h:])
	a.keys, a.kids, a.sizes = keys[:h], kids[:h], sizes[:h]
	x.keys[l+1] = b.keys[0]
	x.sizes[l], x.sizes[l+1] = a.size(), b.size()
}

func (t *btree) dropKid(x *bnode, i int) {
	x.kids = removeAt(x.kids, i)
	x.keys = removeAt(x.keys, i)
	x.sizes = removeAt(x.sizes, i)
}

// countWhile returns how many leading keys satisfy f, which must be true
// for a prefix of the order and false after it. O(log n).
func (t *btree) countWhile(f func(zkey) bool) int {
	x := t.root
	n := 0
	for !x.leaf {
		c := 0
		lo, hi := 1, len(x.keys)
		for lo < hi { // last separator satisfying f
			m := int(uint(lo+hi) >> 1)
			if f(x.keys[m]) {
				lo = m + 1
			} else {
				hi = m
			}
		}
		c = lo - 1
		for _, s := range x.sizes[:c] {
			n += s
		}
		x = x.kids[c]
	}
	lo, hi := 0, len(x.keys)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if f(x.keys[m]) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return n + lo
}

// rank returns the number of keys less than k. O(log n).
func (t *btree) rank(k zkey) int {
	x := t.root
	n := 0
	for !x.leaf {
		c := x.child(k)
		for _, s := range x.sizes[:c] {
			n += s
		}
		x = x.kids[c]
	}
	return n + lowerBound(x.keys, k)
}

// leafAt returns the leaf holding rank i and i's index in it.
func (t *btree) leafAt(i int) (*bnode, int) {
	x := t.root
	for !x.leaf {
		c := 0
		for c < len(x.sizes)-1 && i >= x.sizes[c] {
			i -= x.sizes[c]
			c++
		}
		x = x.kids[c]
	}
	return x, i
}

// ascend yields keys from rank i upwards.
func (t *btree) ascend(i int, yield func(zkey) bool) {
	if i < 0 || i >= t.n {
		return
	}
	x, j := t.leafAt(i)
	for ; x != nil; x, j = x.next, 0 {
		for ; j < len(x.keys); j++ {
			if !yield(x.keys[j]) {
				return
			}
		}
	}
}

// descend yields keys from rank i downwards.
func (t *btree) descend(i int, yield func(zkey) bool) {
	if i < 0 || i >= t.n {
		return
	}
	x, j := t.leafAt(i)
	for x != nil {
		for ; j >= 0; j-- {
			if !yield(x.keys[j]) {
				return
			}
		}
		x = x.prev
		if x != nil {
			j = len(x.keys) - 1
		}
	}
}
