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
	fFirst, fHead, fW []uint32
	fMid              []int32 // rank of the shortcut's middle node, or -1
	// Downward arcs head -> r (head has higher rank), stored at r.
	bFirst, bHead, bW []uint32
	bMid              []int32
}

// NumNodes returns the number of nodes of the graph the hierarchy was built from.
func (h *Hierarchy) NumNodes() int { return h.n }

// NumArcs returns the number of upward and downward arcs, shortcuts included.
func (h *Hierarchy) NumArcs() int { return len(h.fHead) + len(h.bHead) }

// NumShortcuts returns how many of the arcs are shortcuts.
func (h *Hierarchy) NumShortcuts() int {
	k := 0
	for _, m := range h.fMid {
		if m >= 0 {
			k++
		}
	}
	for _, m := range h.bMid {
		if m >= 0 {
			k++
		}
	}
	return k
}

// Bytes returns the approximate memory held by the hierarchy's arrays.
func (h *Hierarchy) Bytes() int {
	return 4 * (2*h.n + len(h.fFirst) + len(h.bFirst) + 4*len(h.fHead) + 4*len(h.bHead))
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
		if h.fHead[i] == to {
			return int(i)
		}
	}
	return -1
}

// findDown returns the index of the downward arc from -> r stored at r, or -1.
func (h *Hierarchy) findDown(r, from uint32) int {
	for i := h.bFirst[r]; i < h.bFirst[r+1]; i++ {
		if h.bHead[i] == from {
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
	f.dist[s] = 0
	f.aux[s] = -1
	f.heap.push(s, 0)
	b.touch(t)
	b.dist[t] = 0
	b.aux[t] = -1
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
					v := h.fHead[i]
					nd := du + int64(h.fW[i])
					f.touch(v)
					if nd < f.dist[v] {
						f.dist[v] = nd
						f.parent[v] = int32(u)
						f.aux[v] = h.fMid[i]
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
					v := h.bHead[i]
					nd := du + int64(h.bW[i])
					b.touch(v)
					if nd < b.dist[v] {
						b.dist[v] = nd
						b.parent[v] = int32(u)
						b.aux[v] = h.bMid[i]
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
		if x := f.d(h.bHead[i]); x != Infinity && x+int64(h.bW[i]) < du {
			return true
		}
	}
	return false
}

func (q *CHQuery) stalledBw(u uint32, du int64) bool {
	h, b := q.h, &q.bw
	for i := h.fFirst[u]; i < h.fFirst[u+1]; i++ {
		if x := b.d(h.fHead[i]); x != Infinity && x+int64(h.fW[i]) < du {
			return true
		}
	}
	return false
}

// unpack writes the original-node path through meet into q.path.
func (q *CHQuery) unpack(meet uint32) {
	h, f, b := q.h, &q.fw, &q.bw
	q.arcs = q.arcs[:0]
	for v := meet; f.parent[v] >= 0; v = uint32(f.parent[v]) {
		q.arcs = append(q.arcs, chArc{uint32(f.parent[v]), v, f.aux[v]})
	}
	for i, j := 0, len(q.arcs)-1; i < j; i, j = i+1, j-1 {
		q.arcs[i], q.arcs[j] = q.arcs[j], q.arcs[i]
	}
	for v := meet; b.parent[v] >= 0; v = uint32(b.parent[v]) {
		q.arcs = append(q.arcs, chArc{v, uint32(b.parent[v]), b.aux[v]})
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
			q.stack = append(q.stack, chArc{m, top.b, h.fMid[j]}, chArc{top.a, m, h.bMid[i]})
		}
	}
}

func (h *Hierarchy) String() string {
	return fmt.Sprintf("routing.Hierarchy{nodes: %d, arcs: %d}", h.n, h.NumArcs())
}
