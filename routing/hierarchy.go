package routing

import (
	"fmt"
	"slices"
)

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
	fArcs  []chEdge // only while building or validating; then in qArcs
	// Downward arcs head -> r (head has higher rank), stored at r.
	bFirst []uint32
	bArcs  []chEdge // only while building or validating; then in qArcs
	// Child arcs of each shortcut, parallel to fArcs and bArcs.
	fKids []chKids
	bKids []chKids

	// Unpacked interiors of short shortcuts, derived in memory (never
	// stored in files): the original node IDs strictly between the ends of
	// upward arc i are fExp[fExpFirst[i]:fExpFirst[i+1]], in path order,
	// when the shortcut has at most maxExpanded of them; longer shortcuts
	// have an empty range and unpack through their child arcs. Likewise
	// bExp for downward arcs. Copying a contiguous run instead of walking
	// one child record per path node is what makes unpacking cheap: the
	// walk is a chain of dependent cache misses.
	fExpFirst, bExpFirst []uint32
	fExp, bExp           []uint32

	// The arcs again, laid out for the query, derived in memory: node r's
	// upward arcs are qArcs[qFirst[2r]:qFirst[2r+1]] and its downward arcs
	// qArcs[qFirst[2r+1]:qFirst[2r+2]]. A search settling r reads both
	// lists (one to relax, one for the stall test), so keeping them and
	// their offsets side by side saves two cache misses per settled node.
	// Each list is sorted by weight, lightest first, so both loops stop
	// early: the stall test at the first arc at least as heavy as the
	// node's distance, relaxation at the first arc that reaches the best
	// distance found (on Luxembourg about a fifth of the arcs scanned).
	// qRec[i] says how qArcs[i] unpacks (see qArcRec), so that unpacking a
	// search-tree arc reads one record beside the arc it found.
	qFirst []uint32
	qArcs  []chEdge
	qRec   []qArcRec
}

// qArcRec is the unpacking record of one query arc, parallel to qArcs and
// derived in memory. pos is the arc's index in fArcs or bArcs (the CSR
// order files, child records and expansions use), with longBit set on a
// shortcut whose interior is not cached. [lo, hi) is its cached interior in
// fExp (upward arc) or bExp (downward arc), empty for an original arc, and
// end the node ID of its last node along the path (the head of an upward
// arc, the storing node of a downward one). Reading the CSR index, the
// child record, the expansion offsets and the node array once per tree arc
// were four dependent cache misses; this 16-byte record is one.
type qArcRec struct {
	pos, lo, hi, end uint32
}

// longBit is set on qArcRec.pos for a shortcut that unpacks through its
// child arcs.
const longBit = 1 << 31

// maxExpanded is the longest shortcut interior (in nodes) kept unpacked in
// memory; a longer shortcut splits into two halves that usually are
// cached. A cached interior repeats its children's, so the copies cost
// about the same for each doubling of the limit (shortcuts get rarer as
// they get longer): memory grows with the logarithm of the limit, not the
// limit. On Luxembourg a limit of 1,024 caches every shortcut in 7.0 MB
// (64 cached all but the longest in 4.2 MB; the whole hierarchy grew from
// 27.1 to 30.0 MB), and routes got 9% faster: an average route has 608
// nodes, and with the limit at 64 three quarters of them came through
// child walks, a chain of dependent reads per shortcut.
const maxExpanded = 1024

// noKid marks the child indexes of an original arc.
const noKid = ^uint32(0)

// leafBit is set, in memory only, on a child index whose arc is an original
// arc, so unpacking emits it without reading its chKids.
const leafBit = 1 << 31

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
func (h *Hierarchy) NumArcs() int { return len(h.qArcs) }

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

// Bytes returns the approximate memory held by the hierarchy's arrays,
// the in-memory copies of unpacked shortcuts included.
func (h *Hierarchy) Bytes() int {
	return 4*(2*h.n+len(h.fFirst)+len(h.bFirst)) + 16*(len(h.fKids)+len(h.bKids)) +
		4*(len(h.fExpFirst)+len(h.bExpFirst)+len(h.fExp)+len(h.bExp)) +
		4*len(h.qFirst) + 24*len(h.qArcs)
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

// expand pops frames until the stack is empty, appending every node after
// the first of each arc to path. An original arc or a cached shortcut is
// emitted directly; a longer shortcut a -> b via m is a -> m then m -> b:
// the second half is pushed and the walk descends into the first.
func (h *Hierarchy) expand(path []int, stack []chFrame) ([]int, []chFrame) {
	for len(stack) > 0 {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for {
			var k *chKids
			var run []uint32
			if top.arc&downArc == 0 {
				i := top.arc
				k, run = &h.fKids[i], h.fExp[h.fExpFirst[i]:h.fExpFirst[i+1]]
			} else {
				i := top.arc &^ downArc
				k, run = &h.bKids[i], h.bExp[h.bExpFirst[i]:h.bExpFirst[i+1]]
			}
			if len(run) > 0 || k.mid < 0 {
				path = appendRun(path, run, top.end)
				break
			}
			stack = append(stack, chFrame{top.end, k.up &^ leafBit})
			top = chFrame{k.node, k.down&^leafBit | downArc}
		}
	}
	return path, stack
}

// appendRun appends the nodes of run and then end to path. It grows path
// once and converts in a plain indexed loop: runs average several nodes,
// and a per-node append costs a capacity check and a length update each.
func appendRun(path []int, run []uint32, end uint32) []int {
	o := len(path)
	path = slices.Grow(path, len(run)+1)[:o+len(run)+1]
	dst := path[o : o+len(run)]
	for j := range dst {
		dst[j] = int(run[j])
	}
	path[o+len(run)] = int(end)
	return path
}

// buildQueryArcs fills qFirst, qArcs and qRec from the upward and
// downward CSRs and releases those: rank r's upward arcs
// fArcs[fFirst[r]:fFirst[r+1]] become qArcs[qFirst[2r]:qFirst[2r+1]]
// sorted by weight (then head), and qRec records where each came from
// (downward: bFirst and qFirst[2r+1]), so indexes into fArcs and bArcs,
// which child records and frames use, stay valid. It needs the child
// records with leaf flags and the expansions (markLeaves, buildExpansions).
func (h *Hierarchy) buildQueryArcs() {
	h.qFirst = make([]uint32, 2*h.n+1)
	m := len(h.fArcs) + len(h.bArcs)
	h.qArcs = make([]chEdge, 0, m)
	h.qRec = make([]qArcRec, 0, m)
	add := func(dir int, r uint32) {
		first, arcs, kids, expFirst := h.fFirst, h.fArcs, h.fKids, h.fExpFirst
		if dir == bwd {
			first, arcs, kids, expFirst = h.bFirst, h.bArcs, h.bKids, h.bExpFirst
		}
		start := len(h.qArcs)
		for i := first[r]; i < first[r+1]; i++ {
			rec := qArcRec{pos: i, lo: expFirst[i], hi: expFirst[i+1], end: h.node[r]}
			if dir == fwd {
				rec.end = h.node[arcs[i].head]
			}
			if kids[i].mid >= 0 && rec.lo == rec.hi {
				rec.pos |= longBit
			}
			h.qArcs = append(h.qArcs, arcs[i])
			h.qRec = append(h.qRec, rec)
		}
		sortArcsByWeight(h.qArcs[start:], h.qRec[start:])
	}
	for r := 0; r < h.n; r++ {
		add(fwd, uint32(r))
		h.qFirst[2*r+1] = uint32(len(h.qArcs))
		add(bwd, uint32(r))
		h.qFirst[2*r+2] = uint32(len(h.qArcs))
	}
	h.fArcs, h.bArcs = nil, nil
}

// sortArcsByWeight sorts arcs by weight, then head, and permutes pos
// alongside. Lists are short (a few arcs, rarely more than a hundred), so
// insertion sort is fast and allocates nothing.
func sortArcsByWeight[T any](arcs []chEdge, pos []T) {
	less := func(a, b chEdge) bool { return a.w < b.w || a.w == b.w && a.head < b.head }
	for i := 1; i < len(arcs); i++ {
		a, p := arcs[i], pos[i]
		j := i
		for ; j > 0 && less(a, arcs[j-1]); j-- {
			arcs[j], pos[j] = arcs[j-1], pos[j-1]
		}
		arcs[j], pos[j] = a, p
	}
}

// dirArcs returns a new copy of the upward (dir fwd) or downward arcs in
// their CSR order, as files store them.
func (h *Hierarchy) dirArcs(dir int) []chEdge {
	n := len(h.fKids)
	if dir == bwd {
		n = len(h.bKids)
	}
	out := make([]chEdge, n)
	for r := 0; r < h.n; r++ {
		for i := h.qFirst[2*r+dir]; i < h.qFirst[2*r+dir+1]; i++ {
			out[h.qRec[i].pos&^longBit] = h.qArcs[i]
		}
	}
	return out
}

// buildExpansions fills fExp and bExp with the interiors of the shortcuts
// that have at most maxExpanded of them. Children are stored at lower
// ranks than their parents, so walking ranks upward finds every child's
// interior (or length) already computed.
func (h *Hierarchy) buildExpansions() {
	fLen := make([]uint32, len(h.fArcs)) // interior lengths, capped
	bLen := make([]uint32, len(h.bArcs))
	h.fExpFirst = make([]uint32, len(h.fArcs)+1)
	h.bExpFirst = make([]uint32, len(h.bArcs)+1)
	h.fExp, h.bExp = h.fExp[:0], h.bExp[:0]
	for r := 0; r < h.n; r++ {
		for pass := 0; pass < 2; pass++ {
			first, kids, lens, expFirst, exp := h.fFirst, h.fKids, fLen, h.fExpFirst, &h.fExp
			if pass == 1 {
				first, kids, lens, expFirst, exp = h.bFirst, h.bKids, bLen, h.bExpFirst, &h.bExp
			}
			for i := first[r]; i < first[r+1]; i++ {
				k := kids[i]
				if k.mid >= 0 {
					d, u := k.down&^leafBit, k.up&^leafBit
					lens[i] = min(bLen[d]+1+fLen[u], maxExpanded+1)
					if lens[i] <= maxExpanded {
						*exp = append(*exp, h.bExp[h.bExpFirst[d]:h.bExpFirst[d+1]]...)
						*exp = append(*exp, k.node)
						*exp = append(*exp, h.fExp[h.fExpFirst[u]:h.fExpFirst[u+1]]...)
					}
				}
				expFirst[i+1] = uint32(len(*exp))
			}
		}
	}
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
