package routing

// minHeap is an indexed 4-ary min-heap of nodes keyed by int64, with
// decrease-key. pos is shared with the owning side's generation stamps:
// a node is in the heap iff pos[v] >= 0 (valid only for touched nodes).
type minHeap struct {
	keys  []int64
	nodes []uint32
	pos   []int32
}

func newMinHeap(n int) minHeap {
	return minHeap{pos: make([]int32, n)}
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
	i := int(h.pos[v])
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
		h.pos[h.nodes[i]] = int32(i)
		i = p
	}
	h.keys[i] = k
	h.nodes[i] = v
	h.pos[v] = int32(i)
}

func (h *minHeap) pop() (uint32, int64) {
	v, k := h.nodes[0], h.keys[0]
	h.pos[v] = -1
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
		h.pos[h.nodes[i]] = int32(i)
		i = m
	}
	h.keys[i] = k
	h.nodes[i] = v
	h.pos[v] = int32(i)
}

// set inserts v or changes its key in either direction.
func (h *minHeap) set(v uint32, k int64) {
	i := int(h.pos[v])
	if i >= 0 && k > h.keys[i] {
		h.down(i, v, k)
		return
	}
	h.push(v, k)
}

// side is the per-direction state of a search: tentative distances, parents
// and a heap, cleared in O(1) by bumping a generation counter.
type side struct {
	dist   []int64
	parent []int32
	aux    []int32 // per-node extra (shortcut middle for CH parents)
	gen    []uint32
	cur    uint32
	heap   minHeap
}

func newSide(n int, aux bool) side {
	s := side{
		dist:   make([]int64, n),
		parent: make([]int32, n),
		gen:    make([]uint32, n),
		heap:   newMinHeap(n),
	}
	if aux {
		s.aux = make([]int32, n)
	}
	return s
}

func (s *side) reset() {
	s.cur++
	if s.cur == 0 { // wrapped: clear stamps once every 2^32 searches
		clear(s.gen)
		s.cur = 1
	}
	s.heap.reset()
}

// d returns the tentative distance of v, Infinity if untouched.
func (s *side) d(v uint32) int64 {
	if s.gen[v] != s.cur {
		return Infinity
	}
	return s.dist[v]
}

// touch initialises v for this search if needed.
func (s *side) touch(v uint32) {
	if s.gen[v] != s.cur {
		s.gen[v] = s.cur
		s.dist[v] = Infinity
		s.parent[v] = -1
		s.heap.pos[v] = -1
	}
}
