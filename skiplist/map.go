package skiplist

import (
	"cmp"
	"fmt"
	"math/bits"

	"github.com/sysdesign-go/sysdesign/internal/mix"
)

// DefaultMaxLevel is the number of levels a [Map] uses when
// [Options.MaxLevel] is zero. With a promotion probability of 1/4, 32 levels
// are enough for 2^64 elements.
const DefaultMaxLevel = 32

// Options configures a [Map]. The zero value gives the documented defaults.
type Options struct {
	// MaxLevel is the highest tower a node may get, 1..64. Zero means
	// DefaultMaxLevel (32).
	MaxLevel int
	// Index chooses the ordered index under a SortedSet made by
	// NewSortedSet: BTreeIndex (the default) or SkiplistIndex. A Map is
	// always a skiplist and ignores it.
	Index Index
	// Seed seeds the level generator, so the shape of the list (and so the
	// cost of each operation, never its result) is reproducible. Zero picks a
	// fixed default seed.
	Seed uint64
}

// Validate reports whether o is usable, returning an error wrapping
// ErrInvalidOptions if not.
func (o Options) Validate() error {
	if o.MaxLevel < 0 || o.MaxLevel > 64 {
		return fmt.Errorf("%w: MaxLevel %d out of range 0..64", ErrInvalidOptions, o.MaxLevel)
	}
	if o.Index != SkiplistIndex && o.Index != BTreeIndex {
		return fmt.Errorf("%w: unknown Index %d", ErrInvalidOptions, o.Index)
	}
	return nil
}

// Index selects the ordered index under a [SortedSet].
type Index int

const (
	// BTreeIndex, the default, keeps a SortedSet in a counted B+ tree (82
	// members per leaf in parallel score and id arrays, subtree sizes in
	// inner nodes, a leaf pointer per member), as Valkey 8.1 does: at a
	// million members it takes about half the memory of the skiplist and
	// answers ZRANK, ZINCRBY and ranges several times faster. See the
	// package documentation.
	BTreeIndex Index = iota
	// SkiplistIndex keeps a SortedSet in a [Map] (a skiplist with spans),
	// as Redis does.
	SkiplistIndex
)

// link is one level of a node's tower: the next node on that level and the
// number of level-0 steps it skips (the span), which makes ranks O(log n).
type link[K, V any] struct {
	next *node[K, V]
	span int
}

type node[K, V any] struct {
	key  K
	val  V
	prev *node[K, V]
	next []link[K, V]
}

// Nodes of up to four levels (all but 1 in 256) are allocated together with
// their links, so a node and its tower are one allocation and usually one
// cache line or two: the search loop touches half as many lines.
type (
	node1[K, V any] struct {
		n node[K, V]
		l [1]link[K, V]
	}
	node2[K, V any] struct {
		n node[K, V]
		l [2]link[K, V]
	}
	node3[K, V any] struct {
		n node[K, V]
		l [3]link[K, V]
	}
	node4[K, V any] struct {
		n node[K, V]
		l [4]link[K, V]
	}
)

func newNode[K, V any](lvl int) *node[K, V] {
	switch lvl {
	case 1:
		x := &node1[K, V]{}
		x.n.next = x.l[:]
		return &x.n
	case 2:
		x := &node2[K, V]{}
		x.n.next = x.l[:]
		return &x.n
	case 3:
		x := &node3[K, V]{}
		x.n.next = x.l[:]
		return &x.n
	case 4:
		x := &node4[K, V]{}
		x.n.next = x.l[:]
		return &x.n
	}
	return &node[K, V]{next: make([]link[K, V], lvl)}
}

// Map is an ordered map from K to V kept in a skiplist whose links count the
// elements they skip (Pugh 1990, with the span counts Redis adds), so that
// besides O(log n) expected Get, Set and Delete it answers the rank of a key
// and the key at a rank in O(log n) expected time.
//
// Create a Map with [New] or [NewOrdered]; the zero value is not usable.
// A Map is not safe for concurrent use: guard it with a lock if several
// goroutines use it and at least one of them writes.
type Map[K, V any] struct {
	cmp      func(a, b K) int
	head     *node[K, V]
	tail     *node[K, V]
	level    int
	maxLevel int
	length   int
	rng      uint64
}

// New returns an empty Map ordered by cmp, which must return a negative
// number, zero or a positive number when a < b, a == b or a > b (the shape of
// [cmp.Compare] and [slices.SortFunc]) and define a strict weak order.
func New[K, V any](cmp func(a, b K) int, opts Options) (*Map[K, V], error) {
	if cmp == nil {
		return nil, fmt.Errorf("%w: nil compare function", ErrInvalidOptions)
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	m := &Map[K, V]{cmp: cmp, maxLevel: opts.MaxLevel, rng: opts.Seed}
	if m.maxLevel == 0 {
		m.maxLevel = DefaultMaxLevel
	}
	if m.rng == 0 {
		m.rng = 0x9e3779b97f4a7c15
	}
	m.head = &node[K, V]{next: make([]link[K, V], m.maxLevel)}
	m.level = 1
	return m, nil
}

// NewOrdered returns an empty Map ordered by [cmp.Compare] on K.
func NewOrdered[K cmp.Ordered, V any](opts Options) (*Map[K, V], error) {
	return New[K, V](cmp.Compare[K], opts)
}

// Len returns the number of elements. O(1).
func (m *Map[K, V]) Len() int { return m.length }

// randomLevel returns a tower height with P(h > l) = 4^-l, from a
// splitmix64 stream.
func (m *Map[K, V]) randomLevel() int {
	m.rng += 0x9e3779b97f4a7c15
	l := bits.TrailingZeros64(mix.SplitMix64(m.rng))/2 + 1
	if l > m.maxLevel {
		l = m.maxLevel
	}
	return l
}

// findPath fills update with the last node before key on each level and rank
// with the rank of that node (head is rank 0), and returns the first node
// whose key is >= key (nil if none).
func (m *Map[K, V]) findPath(key K, update []*node[K, V], rank []int) *node[K, V] {
	x := m.head
	r := 0
	for i := m.level - 1; i >= 0; i-- {
		for nx := x.next[i].next; nx != nil && m.cmp(nx.key, key) < 0; nx = x.next[i].next {
			r += x.next[i].span
			x = nx
		}
		update[i] = x
		rank[i] = r
	}
	return x.next[0].next
}

// Set sets the value of key, returning the previous value and true if key was
// already present. O(log n) expected.
func (m *Map[K, V]) Set(key K, val V) (old V, replaced bool) {
	var updateBuf [64]*node[K, V]
	var rankBuf [64]int
	update, rank := updateBuf[:m.maxLevel], rankBuf[:m.maxLevel]
	if x := m.findPath(key, update, rank); x != nil && m.cmp(x.key, key) == 0 {
		old, x.val = x.val, val
		return old, true
	}
	m.insertAfter(key, val, update, rank)
	return old, false
}

func (m *Map[K, V]) insertAfter(key K, val V, update []*node[K, V], rank []int) *node[K, V] {
	lvl := m.randomLevel()
	if lvl > m.level {
		for i := m.level; i < lvl; i++ {
			rank[i] = 0
			update[i] = m.head
			m.head.next[i].span = m.length
		}
		m.level = lvl
	}
	n := newNode[K, V](lvl)
	n.key, n.val = key, val
	for i := 0; i < lvl; i++ {
		u := &update[i].next[i]
		n.next[i].next = u.next
		u.next = n
		n.next[i].span = u.span - (rank[0] - rank[i])
		u.span = rank[0] - rank[i] + 1
	}
	for i := lvl; i < m.level; i++ {
		update[i].next[i].span++
	}
	if update[0] != m.head {
		n.prev = update[0]
	}
	if n.next[0].next != nil {
		n.next[0].next.prev = n
	} else {
		m.tail = n
	}
	m.length++
	return n
}

// Get returns the value of key and whether it is present. O(log n) expected.
func (m *Map[K, V]) Get(key K) (V, bool) {
	if x := m.seekGE(key); x != nil && m.cmp(x.key, key) == 0 {
		return x.val, true
	}
	var zero V
	return zero, false
}

// Has reports whether key is present. O(log n) expected.
func (m *Map[K, V]) Has(key K) bool {
	_, ok := m.Get(key)
	return ok
}

// Delete removes key, returning its value and true if it was present.
// O(log n) expected.
func (m *Map[K, V]) Delete(key K) (V, bool) {
	var updateBuf [64]*node[K, V]
	var rankBuf [64]int
	update, rank := updateBuf[:m.maxLevel], rankBuf[:m.maxLevel]
	x := m.findPath(key, update, rank)
	if x == nil || m.cmp(x.key, key) != 0 {
		var zero V
		return zero, false
	}
	m.unlink(x, update)
	return x.val, true
}

func (m *Map[K, V]) unlink(x *node[K, V], update []*node[K, V]) {
	for i := 0; i < m.level; i++ {
		u := &update[i].next[i]
		if u.next == x {
			u.span += x.next[i].span - 1
			u.next = x.next[i].next
		} else {
			u.span--
		}
	}
	if x.next[0].next != nil {
		x.next[0].next.prev = x.prev
	} else {
		m.tail = x.prev
	}
	for m.level > 1 && m.head.next[m.level-1].next == nil {
		m.level--
	}
	m.length--
}

// seekGE returns the first node with key >= key, or nil.
func (m *Map[K, V]) seekGE(key K) *node[K, V] {
	x := m.head
	for i := m.level - 1; i >= 0; i-- {
		for nx := x.next[i].next; nx != nil && m.cmp(nx.key, key) < 0; nx = x.next[i].next {
			x = nx
		}
	}
	return x.next[0].next
}

// firstWhere returns the first node for which f is true, and its 0-based
// rank, assuming f is false for a prefix of the list and true after it. It
// returns nil, Len() when f is never true.
func (m *Map[K, V]) firstWhere(f func(K) bool) (*node[K, V], int) {
	x := m.head
	r := 0
	for i := m.level - 1; i >= 0; i-- {
		for nx := x.next[i].next; nx != nil && !f(nx.key); nx = x.next[i].next {
			r += x.next[i].span
			x = nx
		}
	}
	return x.next[0].next, r
}

// lastWhere returns the last node for which f is true, and its 0-based rank,
// assuming f is true for a prefix of the list and false after it. It returns
// nil, -1 when f is never true.
func (m *Map[K, V]) lastWhere(f func(K) bool) (*node[K, V], int) {
	x := m.head
	r := 0
	for i := m.level - 1; i >= 0; i-- {
		for nx := x.next[i].next; nx != nil && f(nx.key); nx = x.next[i].next {
			r += x.next[i].span
			x = nx
		}
	}
	if x == m.head {
		return nil, -1
	}
	return x, r - 1
}

// nodeAt returns the node at 0-based rank i, or nil if i is out of range.
func (m *Map[K, V]) nodeAt(i int) *node[K, V] {
	if i < 0 || i >= m.length {
		return nil
	}
	want := i + 1
	x := m.head
	r := 0
	for l := m.level - 1; l >= 0; l-- {
		for x.next[l].next != nil && r+x.next[l].span <= want {
			r += x.next[l].span
			x = x.next[l].next
		}
		if r == want {
			return x
		}
	}
	return nil
}

// Rank returns the 0-based position of key in ascending order and whether
// key is present. O(log n) expected.
func (m *Map[K, V]) Rank(key K) (int, bool) {
	x := m.head
	r := 0
	for i := m.level - 1; i >= 0; i-- {
		for nx := x.next[i].next; nx != nil && m.cmp(nx.key, key) <= 0; nx = x.next[i].next {
			r += x.next[i].span
			x = nx
		}
		if x != m.head && m.cmp(x.key, key) == 0 {
			return r - 1, true
		}
	}
	return 0, false
}

// At returns the element at 0-based rank i in ascending order; ok is false if
// i is outside [0, Len()). O(log n) expected.
func (m *Map[K, V]) At(i int) (key K, val V, ok bool) {
	if x := m.nodeAt(i); x != nil {
		return x.key, x.val, true
	}
	return key, val, false
}

// Min returns the smallest key and its value; ok is false if m is empty. O(1).
func (m *Map[K, V]) Min() (key K, val V, ok bool) {
	if x := m.head.next[0].next; x != nil {
		return x.key, x.val, true
	}
	return key, val, false
}

// Max returns the largest key and its value; ok is false if m is empty. O(1).
func (m *Map[K, V]) Max() (key K, val V, ok bool) {
	if x := m.tail; x != nil {
		return x.key, x.val, true
	}
	return key, val, false
}

// Ceil returns the smallest key >= key and its value; ok is false if there is
// none. O(log n) expected.
func (m *Map[K, V]) Ceil(key K) (k K, v V, ok bool) {
	if x := m.seekGE(key); x != nil {
		return x.key, x.val, true
	}
	return k, v, false
}

// Floor returns the largest key <= key and its value; ok is false if there
// is none. O(log n) expected.
func (m *Map[K, V]) Floor(key K) (k K, v V, ok bool) {
	if x, _ := m.lastWhere(func(a K) bool { return m.cmp(a, key) <= 0 }); x != nil {
		return x.key, x.val, true
	}
	return k, v, false
}

// Clear removes every element. O(1); the old nodes are left to the GC.
func (m *Map[K, V]) Clear() {
	clear(m.head.next)
	m.tail = nil
	m.level = 1
	m.length = 0
}
