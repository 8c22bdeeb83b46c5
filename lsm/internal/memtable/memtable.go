// Package memtable is the in-memory write buffer of the lsm package: a
// skiplist ordered by internal key (user key ascending, sequence descending).
//
// One goroutine at a time may call Add (the lsm write path serialises
// writers); any number of goroutines may read concurrently with it without
// locks, because nodes are published with atomic pointer stores bottom-up and
// never change or disappear afterwards.
//
// Keys and values are copied into chunked arenas and nodes come from slabs
// of 256, so an insert allocates nothing but amortised arena growth (and a
// tower slice for the 1 in 16 nodes taller than two levels).
// BenchmarkMemtable_Put in this package compares it with google/btree.
package memtable

import (
	"bytes"
	"sync/atomic"
	"unsafe"

	"github.com/sysdesign-go/sysdesign/lsm/internal/base"
)

const (
	maxHeight = 20
	chunkSize = 64 << 10
)

// node is one skiplist entry: 80 bytes plus its value in an arena chunk.
// Every byte of a node counts against the memtable size, and a flush
// writes about as many table bytes as the memtable holds entries, so a
// smaller node means more entries per flush and fewer, larger level-0
// tables (less compaction work per byte written). An internal key of up to
// inlineKey bytes lives inside the node, next to the tower that a search
// reads just before comparing it; a longer key sits before the value in
// the chunk. Tower levels 0 and 1 are inline; taller nodes (1 in 16) keep
// the rest in a separate slice.
type node struct {
	kv    []byte // value, or key then value when klen > inlineKey
	klen  int
	tower [inlineLevels]atomic.Pointer[node]
	more  *[]atomic.Pointer[node] // levels >= inlineLevels
	inl   [inlineKey]byte
}

const (
	inlineLevels = 2
	inlineKey    = 24
)

// nodeSize is the memory of a node besides its value, a long key and the
// extra tower of a tall node.
const nodeSize = int64(unsafe.Sizeof(node{}))

func (n *node) key() []byte {
	if n.klen <= inlineKey {
		return n.inl[:n.klen:n.klen]
	}
	return n.kv[:n.klen:n.klen]
}

func (n *node) value() []byte {
	if n.klen <= inlineKey {
		return n.kv
	}
	return n.kv[n.klen:]
}

func (n *node) next(level int) *atomic.Pointer[node] {
	if level < inlineLevels {
		return &n.tower[level]
	}
	return &(*n.more)[level-inlineLevels]
}

// Memtable is a skiplist of internal keys. See the package doc for its
// concurrency contract.
type Memtable struct {
	head   *node
	height atomic.Int32
	size   atomic.Int64
	count  atomic.Int64
	rnd    uint64
	chunk  []byte
	nodes  []node // slab of unused nodes
	prev   [maxHeight]*node
	tail   [maxHeight]*node // last node of each level (head when empty)
}

// New returns an empty memtable. seed makes tower heights reproducible.
func New(seed uint64) *Memtable {
	more := make([]atomic.Pointer[node], maxHeight-inlineLevels)
	m := &Memtable{head: &node{more: &more}, rnd: seed | 1}
	m.height.Store(1)
	for i := range m.tail {
		m.tail[i] = m.head
	}
	return m
}

// ApproximateSize returns the bytes held by keys, values and nodes.
func (m *Memtable) ApproximateSize() int64 { return m.size.Load() }

// Len returns the number of entries.
func (m *Memtable) Len() int { return int(m.count.Load()) }

// Empty reports whether the memtable has no entries.
func (m *Memtable) Empty() bool { return m.count.Load() == 0 }

func (m *Memtable) alloc(n int) []byte {
	if n > chunkSize/4 {
		return make([]byte, n)
	}
	if len(m.chunk) < n {
		m.chunk = make([]byte, chunkSize)
	}
	b := m.chunk[:n:n]
	m.chunk = m.chunk[n:]
	return b
}

func (m *Memtable) randomHeight() int {
	// xorshift64; a new level with probability 1/4.
	m.rnd ^= m.rnd << 13
	m.rnd ^= m.rnd >> 7
	m.rnd ^= m.rnd << 17
	h := 1
	for r := m.rnd; h < maxHeight && r&3 == 0; r >>= 2 {
		h++
	}
	return h
}

// findGE returns the first node with key >= ik, filling prev if non-nil.
func (m *Memtable) findGE(ik []byte, prev *[maxHeight]*node) *node {
	x := m.head
	level := int(m.height.Load()) - 1
	var known *node // a node already found to be >= ik
	for {
		next := x.next(level).Load()
		if next != nil && next != known && base.Compare(next.key(), ik) < 0 {
			x = next
			continue
		}
		known = next
		if prev != nil {
			prev[level] = x
		}
		if level == 0 {
			return next
		}
		level--
	}
}

// findLT returns the last node with key < ik, or nil (head) if none.
func (m *Memtable) findLT(ik []byte) *node {
	x := m.head
	level := int(m.height.Load()) - 1
	for {
		next := x.next(level).Load()
		if next != nil && base.Compare(next.key(), ik) < 0 {
			x = next
			continue
		}
		if level == 0 {
			if x == m.head {
				return nil
			}
			return x
		}
		level--
	}
}

func (m *Memtable) findLast() *node {
	x := m.head
	level := int(m.height.Load()) - 1
	for {
		next := x.next(level).Load()
		if next != nil {
			x = next
			continue
		}
		if level == 0 {
			if x == m.head {
				return nil
			}
			return x
		}
		level--
	}
}

// Add inserts (ukey, seq, kind) -> value. Callers serialise Add calls and
// never add the same (ukey, seq) twice.
func (m *Memtable) Add(seq uint64, kind base.Kind, ukey, value []byte) {
	if len(m.nodes) == 0 {
		m.nodes = make([]node, 256)
	}
	n := &m.nodes[0]
	m.nodes = m.nodes[1:]
	klen := len(ukey) + base.TrailerLen
	var kv, ik []byte
	if klen <= inlineKey {
		kv = m.alloc(len(value))
		copy(kv, value)
		ik = base.MakeKey(n.inl[:0], ukey, seq, kind)
	} else {
		kv = m.alloc(klen + len(value))
		copy(kv[klen:], value)
		ik = base.MakeKey(kv[:0], ukey, seq, kind)
	}
	if last := m.tail[0]; last != m.head && base.Compare(ik, last.key()) > 0 {
		// Append (sequential keys): the tails are the predecessors.
		m.prev = m.tail
	} else {
		m.findGE(ik, &m.prev)
	}
	h := m.randomHeight()
	cur := int(m.height.Load())
	if h > cur {
		for i := cur; i < h; i++ {
			m.prev[i] = m.head
		}
		m.height.Store(int32(h))
	}
	n.kv, n.klen = kv, klen
	extra := 0
	if h > inlineLevels {
		more := make([]atomic.Pointer[node], h-inlineLevels)
		n.more = &more
		extra = int(unsafe.Sizeof(more)) + 8*len(more)
	}
	for i := 0; i < h; i++ {
		n.next(i).Store(m.prev[i].next(i).Load())
		m.prev[i].next(i).Store(n)
		if n.next(i).Load() == nil {
			m.tail[i] = n
		}
	}
	m.size.Add(int64(len(kv)+extra) + nodeSize)
	m.count.Add(1)
}

// Get looks up the newest entry for ukey with sequence <= seq. found reports
// whether such an entry exists; kind tells a value from a tombstone. The
// returned value aliases the memtable and must not be modified.
func (m *Memtable) Get(ukey []byte, seq uint64) (value []byte, kind base.Kind, found bool) {
	var buf [64]byte
	ik := base.MakeKey(buf[:0], ukey, seq, base.KindMax)
	n := m.findGE(ik, nil)
	if n == nil || !bytes.Equal(base.UserKey(n.key()), ukey) {
		return nil, 0, false
	}
	return n.value(), base.KindOf(n.key()), true
}

// NewIter returns an iterator over the memtable. It sees entries added after
// its creation if it reaches them; the lsm package filters them by sequence.
func (m *Memtable) NewIter() base.Iterator { return &Iter{m: m} }

// Iter iterates a Memtable. It is not safe for concurrent use.
type Iter struct {
	m *Memtable
	n *node
}

func (it *Iter) set(n *node) bool { it.n = n; return n != nil }

// SeekGE implements base.Iterator.
func (it *Iter) SeekGE(ik []byte) bool { return it.set(it.m.findGE(ik, nil)) }

// SeekLT implements base.Iterator.
func (it *Iter) SeekLT(ik []byte) bool { return it.set(it.m.findLT(ik)) }

// First implements base.Iterator.
func (it *Iter) First() bool { return it.set(it.m.head.next(0).Load()) }

// Last implements base.Iterator.
func (it *Iter) Last() bool { return it.set(it.m.findLast()) }

// Next implements base.Iterator.
func (it *Iter) Next() bool { return it.set(it.n.next(0).Load()) }

// Prev implements base.Iterator.
func (it *Iter) Prev() bool { return it.set(it.m.findLT(it.n.key())) }

// Valid implements base.Iterator.
func (it *Iter) Valid() bool { return it.n != nil }

// Key implements base.Iterator.
func (it *Iter) Key() []byte { return it.n.key() }

// Value implements base.Iterator.
func (it *Iter) Value() []byte { return it.n.value() }

// Error implements base.Iterator; a memtable iterator never fails.
func (it *Iter) Error() error { return nil }

// Close implements base.Iterator.
func (it *Iter) Close() error { it.n = nil; return nil }
