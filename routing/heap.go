package routing

// nodeState is everything a search keeps per node, in one struct so a
// visit touches one cache line.
type nodeState struct {
	dist   int64
	parent int32
	gen    uint32
	pos    int32 // heap slot, -1 when not in the heap
}

// minHeap is an indexed 4-ary min-heap of nodes keyed by int64, with
// decrease-key. st is shared with the owning side: a node is in the heap
// iff st[v].pos >= 0 (valid only for nodes touched in this search).
type minHeap struct {
	keys  []int64
	nodes []uint32
	st    []nodeState
}

func newMinHeap(n int) minHeap {
	return minHeap{st: make([]nodeState, n)}
}

func (h *minHeap) reset() {
	h.keys = h.keys[:0]
	h.nodes = h.nodes[:0]
}

func (h *minHeap) len() int { return len(h.nodes) }

func (h *minHeap) minKey() int64 { return h.keys[0] }

// push inserts v or lowers its key. The caller has set pos[v] = -1 when v
// was first touched in this search.
func (h *minHeap) push(v uint32, k int64) {
	i := int(h.st[v].pos)
	if i < 0 {
		i = len(h.nodes)
		h.nodes = append(h.nodes, v)
		h.keys = append(h.keys, k)
	} else if k >= h.keys[i] {
		return
	}
	// sift up
	for i > 0 {
		p := (i - 1) / 4
		if h.keys[p] <= k {
			break
		}
		h.keys[i] = h.keys[p]
		h.nodes[i] = h.nodes[p]
		h.st[h.nodes[i]].pos = int32(i)
		i = p
	}
	h.keys[i] = k
	h.nodes[i] = v
	h.st[v].pos = int32(i)
}

func (h *minHeap) pop() (uint32, int64) {
	v, k := h.nodes[0], h.keys[0]
	h.st[v].pos = -1
	last := len(h.nodes) - 1
	lk, lv := h.keys[last], h.nodes[last]
	h.keys = h.keys[:last]
	h.nodes = h.nodes[:last]
	if last > 0 {
		h.down(0, lv, lk)
	}
	return v, k
}

// down places node v with key k at slot i or below.
func (h *minHeap) down(i int, v uint32, k int64) {
	n := len(h.nodes)
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		m := c
		end := min(c+4, n)
		for j := c + 1; j < end; j++ {
			if h.keys[j] < h.keys[m] {
				m = j
			}
		}
		if h.keys[m] >= k {
			break
		}
		h.keys[i] = h.keys[m]
		h.nodes[i] = h.nodes[m]
		h.st[h.nodes[i]].pos = int32(i)
		i = m
	}
	h.keys[i] = k
	h.nodes[i] = v
	h.st[v].pos = int32(i)
}

// set inserts v or changes its key in either direction.
func (h *minHeap) set(v uint32, k int64) {
	i := int(h.st[v].pos)
	if i >= 0 && k > h.keys[i] {
		h.down(i, v, k)
		return
	}
	h.push(v, k)
}

// side is the per-direction state of a search: tentative distances, parents
// and a heap, cleared in O(1) by bumping a generation counter.
type side struct {
	st   []nodeState
	cur  uint32
	heap minHeap
}

func newSide(n int, _ bool) side {
	h := newMinHeap(n)
	return side{st: h.st, heap: h}
}

func (s *side) reset() {
	s.cur++
	if s.cur == 0 { // wrapped: clear stamps once every 2^32 searches
		for i := range s.st {
			s.st[i].gen = 0
		}
		s.cur = 1
	}
	s.heap.reset()
}

// d returns the tentative distance of v, Infinity if untouched.
func (s *side) d(v uint32) int64 {
	if s.st[v].gen != s.cur {
		return Infinity
	}
	return s.st[v].dist
}

// touch initialises v for this search if needed.
func (s *side) touch(v uint32) {
	if s.st[v].gen != s.cur {
		s.st[v].gen = s.cur
		s.st[v].dist = Infinity
		s.st[v].parent = -1
		s.heap.st[v].pos = -1
	}
}
