package routing

import (
	"cmp"
	"slices"
)

type bucketEntry struct {
	node   uint32 // rank
	target int32  // index into targets
	dist   int64
}

// Table computes the len(sources) x len(targets) matrix of shortest-path
// distances with bucket-based many-to-many search (Knopp et al. 2007,
// https://doi.org/10.1137/1.9781611972870.4): one backward upward search
// per target leaves (target, distance) entries in buckets at the nodes it
// settles, then one forward upward search per source scans the buckets of
// the nodes it settles. Entry [i*len(targets)+j] is the distance from
// sources[i] to targets[j], or [Infinity] if unreachable. The matrix is
// written into dst (grown if needed) and returned; with a large enough dst
// and warm buffers Table does not allocate.
func (q *CHQuery) Table(sources, targets []int, dst []int64) ([]int64, error) {
	h := q.h
	for _, v := range sources {
		if v < 0 || v >= h.n {
			return dst, unknownNode(v)
		}
	}
	for _, v := range targets {
		if v < 0 || v >= h.n {
			return dst, unknownNode(v)
		}
	}
	cells := len(sources) * len(targets)
	if cap(dst) < cells {
		dst = make([]int64, cells)
	}
	dst = dst[:cells]
	for i := range dst {
		dst[i] = Infinity
	}
	q.buckets = q.buckets[:0]
	for j, t := range targets {
		q.upward(bwd, h.rank[t], func(v uint32, d int64) {
			q.buckets = append(q.buckets, bucketEntry{v, int32(j), d})
		})
	}
	slices.SortFunc(q.buckets, func(x, y bucketEntry) int { return cmp.Compare(x.node, y.node) })
	if q.bgen == nil {
		q.bgen = make([]uint32, h.n)
		q.bstart = make([]int32, h.n)
		q.bend = make([]int32, h.n)
	}
	q.bcur++
	if q.bcur == 0 {
		clear(q.bgen)
		q.bcur = 1
	}
	for i, e := range q.buckets {
		if q.bgen[e.node] != q.bcur {
			q.bgen[e.node] = q.bcur
			q.bstart[e.node] = int32(i)
		}
		q.bend[e.node] = int32(i + 1)
	}
	for i, s := range sources {
		row := dst[i*len(targets) : (i+1)*len(targets)]
		q.upward(fwd, h.rank[s], func(v uint32, d int64) {
			if q.bgen[v] != q.bcur {
				return
			}
			for _, e := range q.buckets[q.bstart[v]:q.bend[v]] {
				if nd := d + e.dist; nd < row[e.target] {
					row[e.target] = nd
				}
			}
		})
	}
	return dst, nil
}

// upward runs a complete upward search with stall-on-demand from r in
// direction dir and calls visit for every settled, unstalled node.
func (q *CHQuery) upward(dir int, r uint32, visit func(v uint32, d int64)) {
	q.reset()
	q.start(dir, r)
	for {
		u, du, ok := q.next(dir, unreached)
		if !ok {
			return
		}
		if !q.settle(dir, u, du, unreached) {
			visit(u, du)
		}
	}
}
