package quadtree

import "fmt"

// Point is a point and its value, the input of [Load].
type Point[T any] struct {
	Lat, Lon float64
	Value    T
}

// Load builds a tree from points in one pass, much faster than inserting
// them one by one: it partitions the points in place, quadrant by
// quadrant, in O(n·depth) time. The i-th point gets Handle(i). Invalid
// coordinates return an error wrapping [ErrInvalidPoint] naming the index.
func Load[T any](points []Point[T], opts Options) (*Tree[T], error) {
	t, err := New[T](opts)
	if err != nil {
		return nil, err
	}
	items := make([]item[T], len(points))
	for i, p := range points {
		if err := checkPoint(p.Lat, p.Lon); err != nil {
			return nil, fmt.Errorf("point %d: %w", i, err)
		}
		it := &items[i]
		it.lat, it.lon, it.h, it.val = p.Lat, p.Lon, Handle(i), p.Value
		it.x, it.y, it.z = unit(p.Lat, p.Lon)
	}
	t.slots = make([]slot[T], len(points))
	t.n = len(points)
	t.build(t.root, items)
	return t, nil
}

func (t *Tree[T]) build(n *node[T], items []item[T]) {
	n.count = len(items)
	if len(items) <= t.opts.LeafSize || n.depth >= t.opts.MaxDepth {
		n.items = items[:len(items):len(items)] // appends reallocate, never overwrite a neighbour
		for i := range n.items {
			t.slots[n.items[i].h] = slot[T]{leaf: n, idx: int32(i)}
		}
		return
	}
	midLat, midLon := (n.minLat+n.maxLat)/2, (n.minLon+n.maxLon)/2
	south, north := partition(items, func(it *item[T]) bool { return it.lat < midLat })
	sw, se := partition(south, func(it *item[T]) bool { return it.lon < midLon })
	nw, ne := partition(north, func(it *item[T]) bool { return it.lon < midLon })
	parts := [4][]item[T]{sw, se, nw, ne}
	var kids [4]*node[T]
	for q := range kids {
		kids[q] = n.child(q, midLat, midLon)
		t.build(kids[q], parts[q])
	}
	n.kids = &kids
}

// partition reorders items so those satisfying first come first and
// returns the two parts.
func partition[T any](items []item[T], first func(*item[T]) bool) ([]item[T], []item[T]) {
	i, j := 0, len(items)-1
	for i <= j {
		if first(&items[i]) {
			i++
			continue
		}
		items[i], items[j] = items[j], items[i]
		j--
	}
	return items[:i], items[i:]
}
