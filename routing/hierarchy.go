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
	// Child arcs of each shortcut, parallel to fArcs and bArcs.
	fKids []chKids
	bKids []chKids
}

// noKid marks the child indexes of an original arc.
const noKid = ^uint32(0)

// leafBit is set, in memory only, on a child index whose arc is an original
// arc, so unpacking emits it without reading its chKids.
const leafBit = 1 << 31

// leafKids describes an original arc.
var leafKids = chKids{mid: -1, down: noKid, up: noKid}

// chKids describes how an arc unpacks. For a shortcut a -> b, mid is the
// rank m of its middle node, down indexes bArcs (arc a -> m, stored at m)
// and up indexes fArcs (arc m -> b, stored at m); node is m's node ID
// (derived, not stored in files), so unpacking need not look it up. For an
// original arc mid is -1 and both indexes are noKid. In memory, a child
// index has leafBit set when that child is an original arc. Kept apart from chEdge
// so searches touch only heads and weights.
type chKids struct {
	mid      int32
	node     uint32
	down, up uint32
}

// chEdge is an arc of the hierarchy; head and mid are ranks.
type chEdge struct {
	head uint32
	w    uint32
}

// NumNodes returns the number of nodes of the graph the hierarchy was built from.
func (h *Hierarchy) NumNodes() int { return h.n }

// NumArcs returns the number of upward and downward arcs, shortcuts included.
func (h *Hierarchy) NumArcs() int { return len(h.fArcs) + len(h.bArcs) }

// NumShortcuts returns how many of the arcs are shortcuts.
func (h *Hierarchy) NumShortcuts() int {
	k := 0
	for _, a := range h.fKids {
		if a.mid >= 0 {
			k++
		}
	}
	for _, a := range h.bKids {
		if a.mid >= 0 {
			k++
		}
	}
	return k
}

// Bytes returns the approximate memory held by the hierarchy's arrays.
func (h *Hierarchy) Bytes() int {
	return 4*(2*h.n+len(h.fFirst)+len(h.bFirst)) + 24*(len(h.fArcs)+len(h.bArcs))
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

// findKids returns the child arcs of the shortcut a -> b of weight w via
// middle m: a downward arc a -> m and an upward arc m -> b, both stored at
// m, whose weights sum to w. ok is false if there is no such pair.
func (h *Hierarchy) findKids(m, a, b, w uint32) (k chKids, ok bool) {
	for i := h.bFirst[m]; i < h.bFirst[m+1]; i++ {
		if h.bArcs[i].head != a {
			continue
		}
		for j := h.fFirst[m]; j < h.fFirst[m+1]; j++ {
			if h.fArcs[j].head == b && int64(h.bArcs[i].w)+int64(h.fArcs[j].w) == int64(w) {
				return chKids{mid: int32(m), node: h.node[m], down: i, up: j}, true
			}
		}
	}
	return chKids{mid: -1, down: noKid, up: noKid}, false
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
	stack []chFrame

	// many-to-many state
	buckets []bucketEntry
	bstart  []int32
	bend    []int32
	bgen    []uint32
	bcur    uint32
}

// chFrame is an arc waiting to be unpacked: end is the node ID of its head
// along the path, kids its middle and child arcs.
type chFrame struct {
	end  uint32
	kids chKids
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
						f.st[v].aux = int32(i)
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
						b.st[v].aux = int32(i)
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

// unpack writes the original-node path through meet into q.path. Each
// search-tree arc is expanded with an explicit stack using the recorded
// child indexes of its shortcuts, so unpacking does no searching; child
// arcs are stored at strictly lower ranks, so it terminates.
func (q *CHQuery) unpack(meet uint32) {
	h, f, b := q.h, &q.fw, &q.bw
	// Forward tree: walking from meet to the source pushes the arcs last
	// first, which is the order the stack pops them in.
	stack := q.stack[:0]
	v := meet
	for f.st[v].parent >= 0 {
		i := f.st[v].aux
		stack = append(stack, chFrame{h.node[v], h.fKids[i]})
		v = uint32(f.st[v].parent)
	}
	path := append(q.path[:0], int(h.node[v]))
	path, stack = h.expand(path, stack)
	// Backward tree: arc v -> parent is downward, stored at parent.
	for v := meet; b.st[v].parent >= 0; v = uint32(b.st[v].parent) {
		i := b.st[v].aux
		stack = append(stack, chFrame{h.node[b.st[v].parent], h.bKids[i]})
		path, stack = h.expand(path, stack)
	}
	q.path, q.stack = path, stack
}

// expand pops frames until the stack is empty, appending the head node of
// every original arc to path. A shortcut a -> b via m is a -> m then
// m -> b: the second half is pushed and the walk descends into the first;
// halves flagged with leafBit are original arcs and need no lookup.
func (h *Hierarchy) expand(path []int, stack []chFrame) ([]int, []chFrame) {
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for top.kids.mid >= 0 {
			k := top.kids
			right := leafKids
			if k.up&leafBit == 0 {
				right = h.fKids[k.up]
			}
			stack = append(stack, chFrame{top.end, right})
			top = chFrame{k.node, leafKids}
			if k.down&leafBit == 0 {
				top.kids = h.bKids[k.down]
			}
		}
		path = append(path, int(top.end))
	}
	return path, stack
}

// markLeaves sets leafBit on every child index that names an original arc.
func (h *Hierarchy) markLeaves() {
	for _, kids := range [2][]chKids{h.fKids, h.bKids} {
		for i := range kids {
			k := &kids[i]
			if k.mid < 0 {
				continue
			}
			if h.bKids[k.down&^leafBit].mid < 0 {
				k.down |= leafBit
			}
			if h.fKids[k.up&^leafBit].mid < 0 {
				k.up |= leafBit
			}
		}
	}
}

// String summarises the hierarchy's size.
func (h *Hierarchy) String() string {
	return fmt.Sprintf("routing.Hierarchy{nodes: %d, arcs: %d}", h.n, h.NumArcs())
}
