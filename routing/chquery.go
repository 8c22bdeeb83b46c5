package routing

// CHQuery answers shortest-path queries and distance tables on a
// [Hierarchy] with bidirectional upward Dijkstra and stall-on-demand. It
// holds O(NumNodes) reusable buffers (32 bytes a node), so queries do not
// allocate once warm; a query touches only the few hundred nodes of its
// two search spaces.
//
// A CHQuery is not safe for concurrent use; create one per goroutine. Many
// CHQueries can share one Hierarchy.
type CHQuery struct {
	h *Hierarchy
	// st holds each node's search state (by rank); reset restores just
	// the nodes listed in touched, so the hot loops test no generation
	// stamps.
	st      []chNode
	touched []uint32
	heaps   [2]chHeap
	path    []int
	stack   []chFrame
	tree    []uint32 // search-tree arcs (qArcs indexes) being unpacked
	imp     []chImp  // heads settle improved, to queue
	sink    uint32   // keeps warm's reads

	// many-to-many state
	buckets []bucketEntry
	bstart  []int32
	bend    []int32
	bgen    []uint32
	bcur    uint32
}

// chNode is the state of one node (by rank) in both search directions:
// tentative distances, unreached unless the node is touched (listed in
// CHQuery.touched) by the current search, search-tree parents (ranks, -1
// at the roots), valid where dist is, and heap slots. Relaxing an arc
// reads and writes all three, so they share a cache line: 32 bytes, two to
// a line, never straddling one.
type chNode struct {
	dist   [2]int64
	parent [2]int32
	pos    [2]int32 // heap slots, valid while the node is queued
}

// chImp is a head whose distance settle lowered; queued says whether it
// had been reached before, so is in the heap already.
type chImp struct {
	head   uint32
	queued bool
}

// Search directions, indexes of chNode.dist and chNode.parent.
const (
	fwd = 0 // upward from the source over upward arcs
	bwd = 1 // upward from the target over downward arcs, reversed
)

// chHeap is a 4-ary min-heap of (distance, rank) entries with
// decrease-key: each queued node's slot is kept in its chNode (pos[dir]),
// in the cache line its distance is read from anyway. Without it an
// improved node was pushed again and its stale entry popped later, which
// cost a full pop: on Luxembourg about 29 of the ~130 pops of a query.
type chHeap struct {
	items []chItem // unreached entries past the end, heapPad or more
	st    []chNode
	dir   int
}

type chItem struct {
	key  int64
	node uint32
}

// push queues v, which is not in the heap, with key k. settle, the hot
// caller, does the same with grow's body written out, so that it inlines.
func (hp *chHeap) push(v uint32, k int64) {
	hp.up(hp.grow(), v, k)
}

// heapPad is how many slots past the last entry, at least, hold unreached
// keys, so that every node of the heap has four children to compare: pop
// then picks among them without a special case for a short last row,
// whose branches were most of a pop's mispredictions on small heaps. All
// of items' capacity past its length holds unreached entries.
const heapPad = 4

// grow adds a slot at the end of the heap and returns its index.
func (hp *chHeap) grow() int {
	n := len(hp.items)
	if n+1+heapPad > cap(hp.items) {
		hp.realloc()
	}
	hp.items = hp.items[:n+1]
	return n
}

// realloc doubles the heap's capacity.
//
//go:noinline
func (hp *chHeap) realloc() {
	n := len(hp.items)
	items := make([]chItem, 2*cap(hp.items)+1+heapPad)
	copy(items, hp.items)
	for i := n; i < len(items); i++ {
		items[i] = chItem{key: unreached}
	}
	hp.items = items[:n]
}

// clear empties the heap.
func (hp *chHeap) clear() {
	for i := range hp.items {
		hp.items[i] = chItem{key: unreached}
	}
	hp.items = hp.items[:0]
}

// up places v with key k at slot i or above it: from the new last slot
// for a push, from v's own slot (chNode.pos) to lower a queued node's key.
func (hp *chHeap) up(i int, v uint32, k int64) {
	items, st, dir := hp.items, hp.st, hp.dir&1
	for i > 0 {
		p := (i - 1) / 4
		if items[p].key <= k {
			break
		}
		items[i] = items[p]
		st[items[i].node].pos[dir] = int32(i)
		i = p
	}
	items[i] = chItem{k, v}
	st[v].pos[dir] = int32(i)
}

func (hp *chHeap) pop() chItem {
	st, dir := hp.st, hp.dir&1
	n := len(hp.items) - 1
	items := hp.items[:n+heapPad]
	top, last := items[0], items[n]
	items[n] = chItem{key: unreached}
	hp.items = items[:n]
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		// Keys lie in [0, 2^62], so differences do not overflow and
		// their sign bit, spread by the shift, selects the smaller of
		// each pair without a data-dependent branch: the comparisons of
		// a heap pop are coin flips that a branch predictor mostly gets
		// wrong. Slots past the last entry hold unreached, never the
		// smallest while a real child is there, nor below last.
		ch := items[c : c+4 : c+4]
		d := ch[1].key - ch[0].key
		s := d >> 63
		i01, k01 := int(s&1), ch[0].key+d&s
		d = ch[3].key - ch[2].key
		s = d >> 63
		i23, k23 := 2+int(s&1), ch[2].key+d&s
		d = k23 - k01
		s = d >> 63
		m, mk := c+i01+(i23-i01)&int(s), k01+d&s
		if mk >= last.key {
			break
		}
		items[i] = items[m]
		st[items[i].node].pos[dir] = int32(i)
		i = m
	}
	if n > 0 {
		items[i] = last
		st[last.node].pos[dir] = int32(i)
	}
	return top
}

// chFrame is an arc waiting to be unpacked: end is the node ID of its last
// node along the path, arc its index in fArcs, or in bArcs with downArc set.
type chFrame struct {
	end uint32
	arc uint32
}

// downArc marks a chFrame arc index that points into bArcs.
const downArc = 1 << 31

// NewQuery returns a query object for h.
func (h *Hierarchy) NewQuery() *CHQuery {
	q := &CHQuery{h: h, st: make([]chNode, h.n)}
	q.heaps = [2]chHeap{{st: q.st, dir: fwd}, {st: q.st, dir: bwd}}
	for i := range q.st {
		q.st[i].dist = [2]int64{unreached, unreached}
	}
	return q
}

// Hierarchy returns the hierarchy q queries.
func (q *CHQuery) Hierarchy() *Hierarchy { return q.h }

// reset starts a new search: the nodes the last one touched become
// unreached again.
func (q *CHQuery) reset() {
	for _, v := range q.touched {
		q.st[v].dist = [2]int64{unreached, unreached}
	}
	q.touched = q.touched[:0]
	q.heaps[fwd].clear()
	q.heaps[bwd].clear()
}

// unreached is the distance of a node a search has not reached. Paths
// weigh less than 2^61 (fewer than 2^31 nodes, weights below 2^30), so
// sums of unreached with an arc weight or a real distance neither overflow
// nor compare below a real distance, and the hot loops need no special case.
const unreached = int64(1) << 62

// start makes r a root of the search in direction dir.
func (q *CHQuery) start(dir int, r uint32) {
	dir &= 1
	s := &q.st[r]
	if s.dist[0] == unreached && s.dist[1] == unreached {
		q.touched = append(q.touched, r)
	}
	s.dist[dir] = 0
	s.parent[dir] = -1
	q.heaps[dir].push(r, 0)
}

// next pops the smallest entry of dir's heap and returns its node and
// distance; ok is false when the heap is empty or its smallest key is at
// least bound.
func (q *CHQuery) next(dir int, bound int64) (v uint32, d int64, ok bool) {
	hp := &q.heaps[dir&1]
	if len(hp.items) == 0 || hp.items[0].key >= bound {
		return 0, 0, false
	}
	top := hp.pop()
	return top.node, top.key, true
}

// Route returns the shortest path from src to dst (original node IDs, with
// shortcuts unpacked into original arcs). Settled counts the nodes settled
// by both upward searches, stalled ones included.
func (q *CHQuery) Route(src, dst int) (Result, error) {
	best, meet, settled, err := q.search(src, dst)
	if err != nil {
		return Result{Settled: settled}, err
	}
	q.unpack(meet)
	return Result{Dist: best, Path: q.path, Settled: settled}, nil
}

// Distance returns the shortest-path distance from src to dst without
// unpacking the path: the same search as [CHQuery.Route], for callers that
// need only the weight (for example to rank candidates). Result.Path is nil.
func (q *CHQuery) Distance(src, dst int) (Result, error) {
	best, _, settled, err := q.search(src, dst)
	if err != nil {
		return Result{Settled: settled}, err
	}
	return Result{Dist: best, Settled: settled}, nil
}

// search runs the bidirectional upward search from src to dst and returns
// the distance, the node (rank) where the two searches meet on a shortest
// path and the number of settled nodes. The directions alternate; each
// stops once its smallest key reaches the best distance found, which no
// longer path through its unsettled nodes can improve.
func (q *CHQuery) search(src, dst int) (best int64, meet uint32, settled int, err error) {
	h := q.h
	if src < 0 || src >= h.n {
		return 0, 0, 0, unknownNode(src)
	}
	if dst < 0 || dst >= h.n {
		return 0, 0, 0, unknownNode(dst)
	}
	q.reset()
	q.start(fwd, h.rank[src])
	q.start(bwd, h.rank[dst])
	best = unreached
	var done [2]bool
	d := fwd
	for {
		if done[d] {
			d ^= 1
		}
		u, du, ok := q.next(d, best)
		if !ok {
			done[d] = true
			if done[d^1] {
				break
			}
			continue
		}
		settled++
		// If the other side has not reached u, its distance is unreached
		// and the sum too large to count.
		if t := du + q.st[u].dist[d^1]; t < best {
			best, meet = t, u
		}
		q.settle(d, u, du, best)
		d ^= 1
	}
	if best == unreached {
		return 0, 0, settled, ErrNoPath
	}
	return best, meet, settled, nil
}

// settle handles u, just popped at distance du in direction dir: unless u
// is stalled, it relaxes u's arcs in that direction, queueing every head it
// improves below bound. Stall-on-demand: u is stalled when a higher node
// reaches it more cheaply than du through an arc of the opposite
// direction, so the search tree below u is not optimal and need not grow.
// Heads at bound or beyond are skipped, since no path through them can
// beat the best one found. Both lists are sorted by weight, so each loop
// ends at the first arc too heavy to matter. settle reports whether u was
// stalled.
func (q *CHQuery) settle(dir int, u uint32, du, bound int64) bool {
	dir &= 1
	h, st := q.h, q.st
	off := h.qFirst[2*u : 2*u+3 : 2*u+3]
	arcs := h.qArcs[off[0]:off[2]]
	mid := off[1] - off[0]
	relax, other := arcs[:mid], arcs[mid:] // upward, downward
	if dir == bwd {
		relax, other = other, relax
	}
	for _, a := range other {
		if int64(a.w) >= du { // distances are not negative: no lighter path
			break
		}
		if st[a.head].dist[dir]+int64(a.w) < du {
			return true
		}
	}
	// Lower the distances first and queue afterwards: whether an arc
	// improves its head is a coin flip, and selects instead of a branch
	// keep the CPU from guessing it. The heads are distinct (lists are
	// sorted by weight, so a parallel arc cannot improve its head again).
	if cap(q.imp) < len(relax) {
		q.imp = make([]chImp, len(relax))
	}
	imp := q.imp[:len(relax)]
	n := 0
	for _, a := range relax {
		nd := du + int64(a.w)
		if nd >= bound {
			break
		}
		s := &st[a.head]
		old, par := s.dist[dir], s.parent[dir]
		imp[n] = chImp{a.head, old != unreached}
		d, inc := old, 0
		if nd < old {
			d, par, inc = nd, int32(u), 1
		}
		s.dist[dir], s.parent[dir] = d, par
		n += inc
	}
	hp := &q.heaps[dir]
	for _, m := range imp[:n] {
		s := &st[m.head]
		nd := s.dist[dir]
		// A reached node is still queued: settled ones have their
		// final distance, which nd cannot improve. The heap calls are
		// up and grow's body rather than push, so that they inline:
		// a call per improved node cost about 5% of a query.
		if m.queued {
			hp.up(int(s.pos[dir]), m.head, nd)
			continue
		}
		if s.dist[dir^1] == unreached {
			q.touched = append(q.touched, m.head)
		}
		i := len(hp.items)
		if i+1+heapPad > cap(hp.items) {
			hp.realloc()
		}
		hp.items = hp.items[:i+1]
		hp.up(i, m.head, nd)
	}
	return false
}

// arcTo returns the index in qArcs of the lightest arc stored at rank p
// whose head is v among p's upward (dir fwd) or downward (dir bwd) arcs
// (with parallel arcs, the one the search's distance came through: lists
// are sorted by weight). Search trees record parents, not arcs, to keep the
// state small; unpacking finds the few tree arcs again in lists the search
// has just read.
func (h *Hierarchy) arcTo(dir int, p, v uint32) uint32 {
	lo, hi := h.qFirst[2*p], h.qFirst[2*p+1]
	if dir == bwd {
		lo, hi = h.qFirst[2*p+1], h.qFirst[2*p+2]
	}
	for i := lo; i < hi; i++ {
		if h.qArcs[i].head == v {
			return i
		}
	}
	panic("routing: internal error: search-tree arc missing from the hierarchy")
}

// unpack writes the original-node path through meet into q.path. Each
// search-tree arc's record (qRec) gives its cached interior and last node,
// copied in one run; a shortcut too long to be cached is expanded with an
// explicit stack into its two recorded child arcs, so unpacking does no
// searching; child arcs are stored at strictly lower ranks, so it
// terminates.
func (q *CHQuery) unpack(meet uint32) {
	h := q.h
	// Collect the tree arcs first: the forward ones from meet back to the
	// source, then the backward ones (arc v -> parent is downward, stored
	// at parent) from meet to the target.
	tree := q.tree[:0]
	v := meet
	for p := q.st[v].parent[fwd]; p >= 0; p = q.st[v].parent[fwd] {
		tree = append(tree, h.arcTo(fwd, uint32(p), v))
		v = uint32(p)
	}
	src, nf := v, len(tree)
	for v := meet; q.st[v].parent[bwd] >= 0; {
		p := uint32(q.st[v].parent[bwd])
		tree = append(tree, h.arcTo(bwd, p, v))
		v = p
	}
	q.warm(tree, nf)
	path, stack := append(q.path[:0], int(h.node[src])), q.stack
	for j := nf - 1; j >= 0; j-- {
		path, stack = h.emitArc(path, stack, tree[j], h.fExp, 0)
	}
	for _, qi := range tree[nf:] {
		path, stack = h.emitArc(path, stack, qi, h.bExp, downArc)
	}
	q.path, q.stack, q.tree = path, stack, tree
}

// warm reads one word of every cache line of the cached interiors the
// tree arcs will copy (upward arcs before nf, downward after). The reads
// are independent, so their cache misses overlap instead of each stalling
// a copy loop in turn; on Luxembourg the copies were most of unpacking's
// time, nearly all of it waiting for those lines.
func (q *CHQuery) warm(tree []uint32, nf int) {
	h := q.h
	var sum uint32
	for j, qi := range tree {
		exp := h.fExp
		if j >= nf {
			exp = h.bExp
		}
		rec := &h.qRec[qi]
		for i := rec.lo; i < rec.hi; i += 16 {
			sum += exp[i]
		}
	}
	q.sink = sum
}

// emitArc appends the nodes after the first of query arc qi to path: its
// cached interior in exp (fExp or bExp, matching down) and its last node,
// or, for a long shortcut, its expansion through the child records.
func (h *Hierarchy) emitArc(path []int, stack []chFrame, qi uint32, exp []uint32, down uint32) ([]int, []chFrame) {
	rec := &h.qRec[qi]
	if rec.pos&longBit == 0 {
		return appendRun(path, exp[rec.lo:rec.hi], rec.end), stack
	}
	stack = append(stack[:0], chFrame{rec.end, rec.pos&^longBit | down})
	return h.expand(path, stack)
}
