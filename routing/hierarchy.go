package routing

import "fmt"

// Hierarchy is a contraction hierarchy of a [Graph]: a node order and the
// upward and downward arcs (original arcs plus shortcuts) between nodes,
// renumbered by rank for locality. Build one with [Contract],
// [ContractInOrder] or [Hierarchy.Recontract], or load one with
// [ReadHierarchy]; query it through a [CHQuery] per goroutine.
//
// A Hierarchy is immutable and safe for concurrent use.
type Hierarchy struct {
	n    int
	rank []uint32 // node -> rank
	node []uint32 // rank -> node

	// Upward arcs r -> head (head has higher rank), by rank of tail.
	fFirst []uint32
	fArcs  []chEdge
	// Downward arcs head -> r (head has higher rank), stored at r.
	bFirst []uint32
	bArcs  []chEdge
}

// chEdge is an arc of the hierarchy; head and mid are ranks.
type chEdge struct {
	head uint32
	w    uint32
	mid  int32 // rank of the shortcut's middle node, or -1
}

// NumNodes returns the number of nodes of the graph the hierarchy was built from.
func (h *Hierarchy) NumNodes() int { return h.n }

// NumArcs returns the number of upward and downward arcs, shortcuts included.
func (h *Hierarchy) NumArcs() int { return len(h.fArcs) + len(h.bArcs) }

// NumShortcuts returns how many of the arcs are shortcuts.
func (h *Hierarchy) NumShortcuts() int {
	k := 0
	for _, a := range h.fArcs {
		if a.mid >= 0 {
			k++
		}
	}
	for _, a := range h.bArcs {
		if a.mid >= 0 {
			k++
		}
	}
	return k
}

// Bytes returns the approximate memory held by the hierarchy's arrays.
func (h *Hierarchy) Bytes() int {
	return 4*(2*h.n+len(h.fFirst)+len(h.bFirst)) + 12*(len(h.fArcs)+len(h.bArcs))
}

// Rank returns the contraction rank of node v (0 = contracted first), or -1.
func (h *Hierarchy) Rank(v int) int {
	if v < 0 || v >= h.n {
		return -1
	}
	return int(h.rank[v])
}

// Order returns the nodes in contraction order (a new slice).
func (h *Hierarchy) Order() []int {
	out := make([]int, h.n)
	for r, v := range h.node {
		out[r] = int(v)
	}
	return out
}

// findUp returns the index of upward arc r -> to, or -1.
func (h *Hierarchy) findUp(r, to uint32) int {
	for i := h.fFirst[r]; i < h.fFirst[r+1]; i++ {
		if h.fArcs[i].head == to {
			return int(i)
		}
	}
	return -1
}

// findDown returns the index of the downward arc from -> r stored at r, or -1.
func (h *Hierarchy) findDown(r, from uint32) int {
	for i := h.bFirst[r]; i < h.bFirst[r+1]; i++ {
		if h.bArcs[i].head == from {
			return int(i)
		}
	}
	return -1
}

// CHQuery answers shortest-path queries and distance tables on a
// [Hierarchy] with bidirectional upward Dijkstra and stall-on-demand. It
// holds O(NumNodes) reusable buffers, so queries do not allocate once warm.
//
// A CHQuery is not safe for concurrent use; create one per goroutine. Many
// CHQueries can share one Hierarchy.
type CHQuery struct {
	h     *Hierarchy
	fw    side
	bw    side
	path  []int
	arcs  []chArc
	stack []chArc

	// many-to-many state
	buckets []bucketEntry
	bstart  []int32
	bend    []int32
	bgen    []uint32
	bcur    uint32
}

type chArc struct {
	a, b uint32 // ranks
	mid  int32
}

// NewQuery returns a query object for h.
func (h *Hierarchy) NewQuery() *CHQuery {
	return &CHQuery{h: h, fw: newSide(h.n, true), bw: newSide(h.n, true)}
}

// Hierarchy returns the hierarchy q queries.
func (q *CHQuery) Hierarchy() *Hierarchy { return q.h }

// Route returns the shortest path from src to dst (original node IDs, with
// shortcuts unpacked into original arcs). Settled counts the nodes settled
// by both upward searches, stalled ones included.
func (q *CHQuery) Route(src, dst int) (Result, error) {
	h := q.h
	if src < 0 || src >= h.n {
		return Result{}, unknownNode(src)
	}
	if dst < 0 || dst >= h.n {
		return Result{}, unknownNode(dst)
	}
	s, t := h.rank[src], h.rank[dst]
	f, b := &q.fw, &q.bw
	f.reset()
	b.reset()
	f.touch(s)
	f.st[s].dist = 0
	f.st[s].aux = -1
	f.heap.push(s, 0)
	b.touch(t)
	b.st[t].dist = 0
	b.st[t].aux = -1
	b.heap.push(t, 0)
	best := Infinity
	meet := int32(-1)
	settled := 0
	fdone, bdone := false, false
	forward := true
	for !(fdone && bdone) {
		if !fdone && (f.heap.len() == 0 || f.heap.minKey() >= best) {
			fdone = true
		}
		if !bdone && (b.heap.len() == 0 || b.heap.minKey() >= best) {
			bdone = true
		}
		if fdone && bdone {
			break
		}
		if fdone {
			forward = false
		} else if bdone {
			forward = true
		}
		settled++
		if forward {
			u, du := f.heap.pop()
			if bd := b.d(u); bd != Infinity && du+bd < best {
				best, meet = du+bd, int32(u)
			}
			if !q.stalledFw(u, du) {
				for i := h.fFirst[u]; i < h.fFirst[u+1]; i++ {
					v := h.fArcs[i].head
					nd := du + int64(h.fArcs[i].w)
					f.touch(v)
					if nd < f.st[v].dist {
						f.st[v].dist = nd
						f.st[v].parent = int32(u)
						f.st[v].aux = h.fArcs[i].mid
						f.heap.push(v, nd)
					}
				}
			}
		} else {
			u, du := b.heap.pop()
			if fd := f.d(u); fd != Infinity && du+fd < best {
				best, meet = du+fd, int32(u)
			}
			if !q.stalledBw(u, du) {
				for i := h.bFirst[u]; i < h.bFirst[u+1]; i++ {
					v := h.bArcs[i].head
					nd := du + int64(h.bArcs[i].w)
					b.touch(v)
					if nd < b.st[v].dist {
						b.st[v].dist = nd
						b.st[v].parent = int32(u)
						b.st[v].aux = h.bArcs[i].mid
						b.heap.push(v, nd)
					}
				}
			}
		}
		forward = !forward
	}
	if meet < 0 {
		return Result{Settled: settled}, ErrNoPath
	}
	q.unpack(uint32(meet))
	return Result{Dist: best, Path: q.path, Settled: settled}, nil
}

// stalledFw reports whether a higher node reaches u (forward) more cheaply
// than du through a downward arc, so u's edges need not be relaxed.
func (q *CHQuery) stalledFw(u uint32, du int64) bool {
	h, f := q.h, &q.fw
	for i := h.bFirst[u]; i < h.bFirst[u+1]; i++ {
		if x := f.d(h.bArcs[i].head); x != Infinity && x+int64(h.bArcs[i].w) < du {
			return true
		}
	}
	return false
}

func (q *CHQuery) stalledBw(u uint32, du int64) bool {
	h, b := q.h, &q.bw
	for i := h.fFirst[u]; i < h.fFirst[u+1]; i++ {
		if x := b.d(h.fArcs[i].head); x != Infinity && x+int64(h.fArcs[i].w) < du {
			return true
		}
	}
	return false
}

// unpack writes the original-node path through meet into q.path.
func (q *CHQuery) unpack(meet uint32) {
	h, f, b := q.h, &q.fw, &q.bw
	q.arcs = q.arcs[:0]
	for v := meet; f.st[v].parent >= 0; v = uint32(f.st[v].parent) {
		q.arcs = append(q.arcs, chArc{uint32(f.st[v].parent), v, f.st[v].aux})
	}
	for i, j := 0, len(q.arcs)-1; i < j; i, j = i+1, j-1 {
		q.arcs[i], q.arcs[j] = q.arcs[j], q.arcs[i]
	}
	for v := meet; b.st[v].parent >= 0; v = uint32(b.st[v].parent) {
		q.arcs = append(q.arcs, chArc{v, uint32(b.st[v].parent), b.st[v].aux})
	}
	start := meet
	if len(q.arcs) > 0 {
		start = q.arcs[0].a
	}
	q.path = append(q.path[:0], int(h.node[start]))
	for _, a := range q.arcs {
		q.stack = append(q.stack[:0], a)
		for len(q.stack) > 0 {
			top := q.stack[len(q.stack)-1]
			q.stack = q.stack[:len(q.stack)-1]
			if top.mid < 0 {
				q.path = append(q.path, int(h.node[top.b]))
				continue
			}
			m := uint32(top.mid)
			// a -> m is a downward arc stored at m; m -> b an upward arc at m.
			i := h.findDown(m, top.a)
			j := h.findUp(m, top.b)
			q.stack = append(q.stack, chArc{m, top.b, h.fArcs[j].mid}, chArc{top.a, m, h.bArcs[i].mid})
		}
	}
}

// String summarises the hierarchy's size.
func (h *Hierarchy) String() string {
	return fmt.Sprintf("routing.Hierarchy{nodes: %d, arcs: %d}", h.n, h.NumArcs())
}
