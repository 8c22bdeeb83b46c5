package skiplist

import (
	"encoding/binary"
	"math/bits"
	"strings"
)

// A counted B+ tree of members: the default index under a SortedSet
// (Options.Index = BTreeIndex), which also stores the members. Leaves hold
// up to leafCap members in fixed slots (string header and score side by
// side, 24 bytes, and the 4-byte id) with a byte array listing the slots in
// key order, and are linked both ways. A member's data stays in its slot
// while it stays in the leaf: inserts, deletes and score changes inside a
// leaf move order bytes, not members, and the dictionary slot of every
// member names its leaf and its slot (see auxOf), so a lookup reads the
// member's string header and score from the leaf directly. The previous
// layout kept members in a separate slab and only ids in leaves; the
// ±4 window then read eight more scattered slab entries, and a member
// found through a scan of the leaf's ids (rather than by slot) cost one
// more dependent cache miss per lookup.
// Inner nodes hold up to innerMax children, a separator key per child
// (every key of child i is >= keys[i]; keys[0] is a lower bound kept for
// merging) and each child's subtree size, so a rank is a sum of sizes
// along one root-to-leaf path, as in Valkey 8.1's zset B+ tree. Separators are
// (score, member string) pairs rather than ids so that they stay valid
// after their member is deleted and its id reused; inner nodes are about
// one in 5,000 members, so their size does not matter. A full leaf first
// passes a member to a sibling with room (as a B*-tree does) and splits
// only when both neighbours are nearly full, which keeps leaves about 80%
// full under random inserts instead of 69%.
//
// Every node also knows its parent and its index among the parent's
// children, and every member's dictionary slot holds the handle of the leaf
// that holds it (see leafSpot) and its slot there.
// ZRANK therefore needs no search at all: it goes straight to the leaf,
// finds the member's position in the order bytes, and climbs to the root
// adding the sizes of the
// siblings on the left. Top-down, the same rank cost a binary search over
// (score, member) separators at every level, a few dependent cache misses
// each at a million members. Delete climbs the same way, and a score change
// that keeps a member inside its leaf (the common case for small
// increments) is a shift within the order bytes. The price is 4 bytes a
// dictionary slot for the handle, rewriting the handles of members that
// move between leaves (one member for a hand-over to a sibling, half a leaf
// for a split), each found by hashing the member again, and re-indexing a
// node's children when it gains or loses one, which happens once per leaf
// split or merge.

const (
	// leafCap makes a leaf about 2 KB (leaves live in chunks of up to 64,
	// so no allocator size class applies); a slot number fits in
	// slotBits bits.
	leafCap  = 71
	leafMin  = leafCap / 4
	innerMax = 64
	innerMin = innerMax / 4
)

// bleaf starts with what a rank climbs through (count, index in the
// parent, parent) and then the order bytes, so that finding a member's
// position (a scan of the order bytes) and the first step up read the
// leaf's first two cache lines.
type bleaf struct {
	n      int16  // at most leafCap
	idx    int16  // index among parent's children, at most innerMax
	h      uint32 // handle: t.leaf(h) is this leaf
	parent *binner
	// order[k] is the slot of the member at position k (in key order)
	// for k < n; order[n:] are the free slots. A member keeps its slot
	// while it stays in the leaf, so its dictionary slot can name it.
	order      [leafCap]uint8
	ids        [leafCap]uint32
	ents       [leafCap]zent // member and score, side by side as in the slab
	prev, next *bleaf
}

// binner is an inner node; its children are all leaves or all inner nodes.
type binner struct {
	parent *binner // nil at the root
	idx    int     // index among parent's children
	keys   []zkey
	sizes  []int
	leaves []*bleaf
	inners []*binner
}

// adopt sets the parent and index of x's children from position i on; it
// runs whenever children are added to x, removed from it or moved.
func (x *binner) adopt(i int) {
	if x.leaves != nil {
		for ; i < len(x.leaves); i++ {
			x.leaves[i].parent, x.leaves[i].idx = x, int16(i)
		}
		return
	}
	for ; i < len(x.inners); i++ {
		x.inners[i].parent, x.inners[i].idx = x, i
	}
}

type btree struct {
	d    *dict   // each member's slot holds the handle of its leaf
	root *binner // never a leaf, so the tree always has at least one level
	n    int
	// Leaves live in chunks, so that a handle turns into a leaf's
	// address with arithmetic and one read from leafChunks (a few KB
	// at a million members, which stays in cache), not a read from a
	// table of one pointer per leaf (118 KB at a million members, which
	// the cache misses of the rest of a lookup keep evicting). Chunks
	// double from one leaf up to 64, so a small set does not pay for 64
	// leaves. Freed handles are reused.
	leafChunks [][]bleaf
	leafNext   uint32 // handles below leafNext have been handed out
	freeLeaf   []uint32
}

const (
	leafChunkBits = 6
	leafChunkMax  = 1 << leafChunkBits
)

// leafSpot returns the chunk and the position in it of leaf handle h:
// chunk 0 holds handle 0, chunk k in 1..6 holds handles [2^(k-1), 2^k),
// and from handle 64 on every chunk holds 64.
func leafSpot(h uint32) (k, off int) {
	if h >= leafChunkMax {
		h -= leafChunkMax
		return leafChunkBits + 1 + int(h>>leafChunkBits), int(h & (leafChunkMax - 1))
	}
	k = bits.Len32(h)
	return k, int(h) - 1<<k>>1
}

// leafChunkLen returns the number of leaves chunk k holds.
func leafChunkLen(k int) int {
	switch {
	case k == 0:
		return 1
	case k > leafChunkBits:
		return leafChunkMax
	}
	return 1 << (k - 1)
}

// leaf returns the leaf with handle h.
func (t *btree) leaf(h uint32) *bleaf {
	k, off := leafSpot(h)
	return &t.leafChunks[k][off]
}

func newBtree(d *dict) *btree {
	t := &btree{d: d}
	d.bt = t
	root := &binner{keys: []zkey{{}}, sizes: []int{0}, leaves: []*bleaf{t.newLeaf()}}
	root.adopt(0)
	t.root = root
	return t
}

// newLeaf returns an empty leaf with a handle of its own.
func (t *btree) newLeaf() *bleaf {
	var h uint32
	if n := len(t.freeLeaf); n > 0 {
		h = t.freeLeaf[n-1]
		t.freeLeaf = t.freeLeaf[:n-1]
	} else {
		h = t.leafNext
		t.leafNext++
		if k, _ := leafSpot(h); k == len(t.leafChunks) {
			t.leafChunks = append(t.leafChunks, make([]bleaf, leafChunkLen(k)))
		}
	}
	if h >= maxLeaves {
		panic("skiplist: B+ tree index out of leaf handles (2^25 leaves, at least 570 million members)")
	}
	l := t.leaf(h)
	*l = bleaf{h: h}
	l.resetOrder()
	return l
}

// dropLeaf frees the handle of a leaf leaving the tree, clearing the leaf
// so that it holds on to no other node.
func (t *btree) dropLeaf(l *bleaf) {
	h := l.h
	*l = bleaf{h: h}
	t.freeLeaf = append(t.freeLeaf, h)
}

// A dictionary slot's index bits hold the member's leaf handle and its
// slot in that leaf: aux = handle<<slotBits | slot.
const (
	slotBits   = 7
	maxLeaves  = 1 << (32 - slotBits)
	slotOfMask = 1<<slotBits - 1
)

func auxOf(l *bleaf, slot uint8) uint32 { return l.h<<slotBits | uint32(slot) }

// leafAtSlot returns the leaf of the member in dictionary slot at.
func (t *btree) leafAtSlot(at int) *bleaf { return t.leaf(t.d.aux(at) >> slotBits) }

// locate returns the leaf of the member in dictionary slot at, its slot in
// the leaf and its position (rank within the leaf). The leaf slot comes
// from the dictionary, so the member's data is read at once; only its
// position takes a scan, of the order bytes.
func (t *btree) locate(at int) (l *bleaf, slot uint8, pos int) {
	aux := t.d.aux(at)
	l = t.leaf(aux >> slotBits)
	slot = uint8(aux & slotOfMask)
	return l, slot, l.posOf(slot)
}

// posOf returns the position of the member in slot s. It compares eight
// order bytes at a time, where a byte scan took one iteration per position
// and a mispredicted exit; every rank, window and score change calls it.
// Slots are distinct, so the only byte equal to s is at its position below
// n, and the lowest byte the zero-byte test flags is exact.
func (l *bleaf) posOf(s uint8) int {
	const ones, highs = 0x0101_0101_0101_0101, 0x8080_8080_8080_8080
	pat := uint64(s) * ones
	for k := 0; k+8 <= leafCap; k += 8 {
		v := binary.LittleEndian.Uint64(l.order[k:]) ^ pat
		if z := (v - ones) &^ v & highs; z != 0 {
			return k + bits.TrailingZeros64(z)/8
		}
	}
	for k := leafCap &^ 7; k < int(l.n); k++ {
		if l.order[k] == s {
			return k
		}
	}
	panic("skiplist: B+ tree leaf lost a member")
}

func (l *bleaf) score(k int) float64 { return l.ents[l.order[k]].score }
func (l *bleaf) member(k int) string { return l.ents[l.order[k]].member }
func (l *bleaf) id(k int) uint32     { return l.ids[l.order[k]] }
func (l *bleaf) entry(k int) Entry   { e := &l.ents[l.order[k]]; return Entry{e.member, e.score} }
func (l *bleaf) resetOrder() {
	for i := range l.order {
		l.order[i] = uint8(i)
	}
}

// setLeaf records in the dictionary slot of the member at position k of l
// that l holds it, in which slot. It hashes the member again to find the
// dictionary slot (one more read of the member bytes and of the
// dictionary slot for each member that changes leaves).
func (t *btree) setLeaf(l *bleaf, k int) {
	s := l.order[k]
	t.d.setAux(t.d.slotOf(l.ents[s].member, l.ids[s]), auxOf(l, s))
}

// own records that l holds its members at positions [i, j). For more than
// one member it works in two passes, hashing every member first and only
// then probing the dictionary: each member costs a few dependent cache
// misses (its bytes, its dictionary slot) but the members are
// independent of one another, and with the probe loop's branches out of
// the first pass the processor overlaps the misses of many members instead
// of waiting out each member's chain in turn.
func (t *btree) own(l *bleaf, i, j int) {
	if j-i == 1 {
		t.setLeaf(l, i)
		return
	}
	var hs [leafCap]uint64
	for k, s := range l.order[i:j] {
		hs[k] = t.d.hash(l.ents[s].member)
	}
	for k, s := range l.order[i:j] {
		t.d.setAux(t.d.slotHashed(hs[k], l.ids[s]), auxOf(l, s))
	}
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
	o := l.order[i]
	s := l.ents[o].score
	switch {
	case s < k.score:
		return -1
	case s > k.score:
		return 1
	}
	return strings.Compare(l.ents[o].member, k.member)
}

// lowerBound returns the position of the first member of l not below k.
func (t *btree) lowerBound(l *bleaf, k zkey) int { return t.lowerBoundIn(l, k, 0, int(l.n)) }

// lowerBoundIn is lowerBound within positions [lo, hi) of l, every member
// before lo being below k and every member from hi on not.
func (t *btree) lowerBoundIn(l *bleaf, k zkey, lo, hi int) int {
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

func (t *btree) keyAt(l *bleaf, i int) zkey {
	o := l.order[i]
	return zkey{l.ents[o].score, l.ents[o].member}
}

// insertAt puts id with key k at position i, in the first free slot, and
// returns that slot.
func (l *bleaf) insertAt(i int, k zkey, id uint32) uint8 {
	n := int(l.n)
	s := l.order[n]
	copy(l.order[i+1:n+1], l.order[i:n])
	l.order[i] = s
	l.ents[s], l.ids[s] = zent{k.member, k.score}, id
	l.n++
	return s
}

// removeAt removes the member at position i, clearing its string so that
// the leaf does not keep the member's bytes alive.
func (l *bleaf) removeAt(i int) {
	n := int(l.n)
	s := l.order[i]
	copy(l.order[i:n-1], l.order[i+1:n])
	l.order[n-1] = s
	l.ents[s] = zent{}
	l.n--
}

// moveTail moves the last c members of a to the front of b.
func (t *btree) moveTail(a, b *bleaf, c int) {
	an, bn := int(a.n), int(b.n)
	var free [leafCap]uint8
	copy(free[:c], b.order[bn:bn+c])
	copy(b.order[c:bn+c], b.order[:bn])
	copy(b.order[:c], free[:c])
	for k := range c {
		sa, sb := a.order[an-c+k], b.order[k]
		b.ents[sb], b.ids[sb] = a.ents[sa], a.ids[sa]
		a.ents[sa] = zent{}
	}
	a.n -= int16(c)
	b.n += int16(c)
	t.own(b, 0, c)
}

// moveHead moves the first c members of b to the end of a.
func (t *btree) moveHead(a, b *bleaf, c int) {
	an, bn := int(a.n), int(b.n)
	for k := range c {
		sa, sb := a.order[an+k], b.order[k]
		a.ents[sa], a.ids[sa] = b.ents[sb], b.ids[sb]
		b.ents[sb] = zent{}
	}
	var gone [leafCap]uint8
	copy(gone[:c], b.order[:c])
	copy(b.order[:bn-c], b.order[c:bn])
	copy(b.order[bn-c:bn], gone[:c])
	a.n += int16(c)
	b.n -= int16(c)
	t.own(a, an, an+c)
}

// insert adds id with key k, whose member must be absent.
func (t *btree) insert(id uint32, k zkey) {
	if right, sep := t.insertAt(t.root, k, id); right != nil {
		old := t.root
		t.root = &binner{
			keys:   []zkey{old.keys[0], sep},
			sizes:  []int{old.size(), right.size()},
			inners: []*binner{old, right},
		}
		t.root.adopt(0)
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
		i := t.lowerBound(l, k)
		l.insertAt(i, k, id)
		t.setLeaf(l, i)
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
			x.adopt(c + 1)
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
	r.adopt(0)
	return r, r.keys[0]
}

// makeRoom makes room in the full leaf x.leaves[c] for k, by passing one
// member to a sibling with room or else by splitting it, and returns the
// index of the child that k now belongs to.
func (t *btree) makeRoom(x *binner, c int, k zkey) int {
	l := x.leaves[c]
	if c > 0 && x.leaves[c-1].n < leafCap-1 {
		t.moveHead(x.leaves[c-1], l, 1)
		x.sizes[c-1]++
		x.sizes[c]--
		x.keys[c] = t.keyAt(l, 0)
		if compareZ(k, x.keys[c]) < 0 {
			return c - 1
		}
		return c
	}
	if c+1 < len(x.keys) && x.leaves[c+1].n < leafCap-1 {
		t.moveTail(l, x.leaves[c+1], 1)
		x.sizes[c]--
		x.sizes[c+1]++
		x.keys[c+1] = t.keyAt(x.leaves[c+1], 0)
		if compareZ(k, x.keys[c+1]) < 0 {
			return c
		}
		return c + 1
	}
	r := t.newLeaf()
	r.prev, r.next = l, l.next
	t.moveTail(l, r, leafCap-leafCap/2)
	if l.next != nil {
		l.next.prev = r
	}
	l.next = r
	sep := t.keyAt(r, 0)
	x.leaves = insertAt(x.leaves, c+1, r)
	x.keys = insertAt(x.keys, c+1, sep)
	x.sizes = insertAt(x.sizes, c+1, int(r.n))
	x.sizes[c] -= int(r.n)
	x.adopt(c + 1)
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

// delete removes id, which must be present in dictionary slot at: it goes
// to id's leaf, removes it there and climbs to the root, decrementing the
// sizes on the way and then merging or rebalancing any node on the path
// that became underfull.
func (t *btree) delete(id uint32, at int) {
	l, _, pos := t.locate(at)
	t.deleteAt(l, pos)
	t.n--
}

// deleteAt removes the member at position i of l (leaving t.n alone).
func (t *btree) deleteAt(l *bleaf, i int) {
	l.removeAt(i)
	for x, i := l.parent, int(l.idx); x != nil; x, i = x.parent, x.idx {
		x.sizes[i]--
	}
	x := l.parent
	if l.n < leafMin && len(x.keys) >= 2 {
		t.rebalance(x, min(int(l.idx), len(x.keys)-2))
	}
	for p := x.parent; p != nil; x, p = p, p.parent {
		if len(x.keys) < innerMin && len(p.keys) >= 2 {
			t.rebalance(p, min(x.idx, len(p.keys)-2))
		}
	}
	for len(t.root.keys) == 1 && t.root.inners != nil {
		t.root = t.root.inners[0]
		t.root.parent, t.root.idx = nil, 0
	}
}

// inside reports whether k sorts strictly between two members of l, the
// condition for k to go into l with no separator changing, and returns
// k's position in l.
func (t *btree) inside(l *bleaf, k zkey) (int, bool) {
	n := int(l.n)
	if n < 2 || t.cmpAt(l, 0, k) >= 0 || t.cmpAt(l, n-1, k) <= 0 {
		return 0, false
	}
	return t.lowerBound(l, k), true
}

// rescore changes id's score to v (v differs from the current score).
// When another member of id's leaf sorts beyond the new key (above it for
// an increase, below it for a decrease), the member stays in the leaf: its
// new key lies between its old one and that member, so no separator or
// size changes, and it only shifts within the leaf arrays. When the new key
// lies strictly inside the neighbouring leaf in that direction (which has
// room), the member moves there and only the sizes on the two paths to the
// root change. Otherwise it is deleted and inserted again from the root.
func (t *btree) rescore(id uint32, at int, v float64) {
	l, slot, pos := t.locate(at)
	n := int(l.n)
	k := zkey{v, l.ents[slot].member}
	// Find the new position by stepping from the old one towards the new
	// score: a score change usually moves a member a short way, and the
	// steps read consecutive cache lines of scores where a binary search
	// over the leaf would take several dependent misses. Members with the
	// new score itself are ordered by a binary search over that run only,
	// as comparing members reads their strings.
	nb := l.prev
	if v > l.ents[slot].score {
		j := pos + 1
		for j < n && l.score(j) < v {
			j++
		}
		end := j
		for end < n && l.score(end) == v {
			end++
		}
		j = t.lowerBoundIn(l, k, j, end)
		if j < n { // the member at j sorts above the new key
			copy(l.order[pos:j-1], l.order[pos+1:j])
			l.order[j-1] = slot
			l.ents[slot].score = v
			return
		}
		nb = l.next
	} else {
		j := pos
		for j > 0 && l.score(j-1) > v {
			j--
		}
		b := j
		for b > 0 && l.score(b-1) == v {
			b--
		}
		j = t.lowerBoundIn(l, k, b, j)
		if j > 0 { // the member at j-1 sorts below the new key
			copy(l.order[j+1:pos+1], l.order[j:pos])
			l.order[j] = slot
			l.ents[slot].score = v
			return
		}
	}
	if nb != nil && nb.n < leafCap {
		if i, ok := t.inside(nb, k); ok {
			// Insert first: deleting first could merge l into nb.
			t.d.setAux(at, auxOf(nb, nb.insertAt(i, k, id)))
			for x, i := nb.parent, int(nb.idx); x != nil; x, i = x.parent, x.idx {
				x.sizes[i]++
			}
			t.deleteAt(l, pos)
			return
		}
	}
	t.delete(id, at)
	t.insert(id, k)
}

// rebalance merges children l and l+1 of x, or shares their contents
// evenly between them when they do not fit in one node.
func (t *btree) rebalance(x *binner, l int) {
	if x.leaves != nil {
		a, b := x.leaves[l], x.leaves[l+1]
		total := int(a.n + b.n)
		if total <= leafCap {
			t.moveHead(a, b, int(b.n))
			a.next = b.next
			if b.next != nil {
				b.next.prev = a
			}
			t.dropKid(x, l+1)
			t.dropLeaf(b)
			x.sizes[l] = total
			return
		}
		if h := total / 2; int(a.n) < h {
			t.moveHead(a, b, h-int(a.n))
		} else {
			t.moveTail(a, b, int(a.n)-h)
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
		an := len(a.keys)
		a.keys, a.inners, a.leaves, a.sizes = keys, kids, leaves, sizes
		a.adopt(an)
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
	a.adopt(0)
	b.adopt(0)
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
	x.adopt(i)
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

// rank returns the number of keys less than id's: id's position in its
// leaf plus, at every level up to the root, the sizes of the siblings to
// the left. O(log n), with no key comparisons.
func (t *btree) rank(id uint32, at int) int {
	l, _, pos := t.locate(at)
	return rankIn(l, pos)
}

// rankIn returns the rank of position pos of l: pos plus, at every level
// up to the root, the sizes of the siblings to the left.
func rankIn(l *bleaf, pos int) int {
	n := pos
	for x, i := l.parent, int(l.idx); x != nil; x, i = x.parent, x.idx {
		for _, s := range x.sizes[:i] {
			n += s
		}
	}
	return n
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

// entry returns the member and score of id, which is in dictionary slot at.
func (t *btree) entry(id uint32, at int) Entry {
	aux := t.d.aux(at)
	l, s := t.leaf(aux>>slotBits), aux&slotOfMask
	return Entry{l.ents[s].member, l.ents[s].score}
}

// ascend yields ids and entries from rank i upwards.
func (t *btree) ascend(i int, yield func(uint32, Entry) bool) {
	if i < 0 || i >= t.n {
		return
	}
	l, j := t.leafAt(i)
	for ; l != nil; l, j = l.next, 0 {
		for ; j < int(l.n); j++ {
			if !yield(l.id(j), l.entry(j)) {
				return
			}
		}
	}
}

// descend yields ids and entries from rank i downwards.
func (t *btree) descend(i int, yield func(uint32, Entry) bool) {
	if i < 0 || i >= t.n {
		return
	}
	l, j := t.leafAt(i)
	for l != nil {
		for ; j >= 0; j-- {
			if !yield(l.id(j), l.entry(j)) {
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
	return t.appendFrom(dst, l, j, count, rev)
}

// window appends to dst the members from before places ahead of id to
// after places behind it, in ascending order or (rev) descending, and
// returns the result with id's ascending rank. It starts from id's leaf,
// which holds the neighbours too unless id sits near one of its ends, so
// the window costs no descent from the root; the neighbours' members and
// scores are in that leaf too.
func (t *btree) window(dst []Entry, id uint32, at int, before, after int, rev bool) ([]Entry, int) {
	l, _, pos := t.locate(at)
	var (
		s     *bleaf
		sp, k int
	)
	if rev {
		s, sp, k = stepUp(l, pos, before)
	} else {
		s, sp, k = stepDown(l, pos, before)
	}
	// k+1+after cannot overflow: k is at most the set's size.
	dst = t.appendFrom(dst, s, sp, k+1+min(after, t.n), rev)
	return dst, rankIn(l, pos)
}

// stepDown returns the position up to k places below position i of l
// (following prev links) and how many places it went: fewer than k only
// at the first member. Only a lone root leaf is ever empty, so every leaf
// it passes through holds at least one member.
func stepDown(l *bleaf, i, k int) (*bleaf, int, int) {
	went := 0
	for k > 0 {
		if i >= k {
			return l, i - k, went + k
		}
		if l.prev == nil {
			return l, 0, went + i
		}
		went += i + 1
		k -= i + 1
		l = l.prev
		i = int(l.n) - 1
	}
	return l, i, went
}

// stepUp is stepDown towards higher positions (next links).
func stepUp(l *bleaf, i, k int) (*bleaf, int, int) {
	went := 0
	for k > 0 {
		if left := int(l.n) - 1 - i; left >= k {
			return l, i + k, went + k
		} else if l.next == nil {
			return l, i + left, went + left
		} else {
			went += left + 1
			k -= left + 1
		}
		l, i = l.next, 0
	}
	return l, i, went
}

// appendFrom appends up to count entries from position j of l on, upwards
// or (rev) downwards, to dst.
func (t *btree) appendFrom(dst []Entry, l *bleaf, j, count int, rev bool) []Entry {
	for l != nil && count > 0 {
		if rev {
			for ; j >= 0 && count > 0; j, count = j-1, count-1 {
				dst = append(dst, l.entry(j))
			}
			if l = l.prev; l != nil {
				j = int(l.n) - 1
			}
		} else {
			for ; j < int(l.n) && count > 0; j, count = j+1, count-1 {
				dst = append(dst, l.entry(j))
			}
			l, j = l.next, 0
		}
	}
	return dst
}
