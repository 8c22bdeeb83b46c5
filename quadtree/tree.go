package quadtree

import (
	"errors"
	"fmt"
	"math"
	"sync"
)

var (
	// ErrInvalidPoint is returned for a latitude outside [-90, 90], a
	// longitude outside [-180, 180], or NaN.
	ErrInvalidPoint = errors.New("quadtree: invalid point")
	// ErrNotFound is returned by Move for a handle that is not in the tree.
	ErrNotFound = errors.New("quadtree: handle not found")
	// ErrInvalidOptions is returned by [New] and [Load] for bad [Options].
	ErrInvalidOptions = errors.New("quadtree: invalid options")
)

// Handle identifies a point in a [Tree]; Insert returns it and Move,
// Remove and Get take it. Handles of removed points are reused.
type Handle uint32

// Options configures a [Tree]. The zero value means leaves of up to 32
// points and a depth of at most 30.
type Options struct {
	// LeafSize is the number of points a leaf holds before it splits into
	// four; default 32. A subtree merges back into one leaf when it holds
	// LeafSize/2 points or fewer.
	LeafSize int
	// MaxDepth bounds the depth (a depth-30 cell is about 2 cm); default
	// 30. Leaves at MaxDepth grow without splitting.
	MaxDepth int
}

func (o Options) withDefaults() (Options, error) {
	if o.LeafSize == 0 {
		o.LeafSize = 32
	}
	if o.MaxDepth == 0 {
		o.MaxDepth = 30
	}
	if o.LeafSize < 2 || o.MaxDepth < 1 || o.MaxDepth > 50 {
		return o, fmt.Errorf("%w: %+v", ErrInvalidOptions, o)
	}
	return o, nil
}

// Tree is a dynamic point quadtree over latitude/longitude holding a value
// of type T per point. Space is split at the midpoint of each cell (the
// whole globe at the root) whenever a leaf overflows, so the tree adapts to
// the density of the data; leaves merge back as points leave. Distances
// are great-circle distances on a sphere of radius [geohash.EarthRadius].
//
// A Tree is not safe for concurrent use with writers: guard Insert, Move and
// Remove with a lock. Queries (Box, Radius, Nearest, Count, Get) may run
// concurrently with one another; their scratch space comes from a pool.
// Create one with [New] or [Load]; the zero value is not usable.
type Tree[T any] struct {
	opts  Options
	root  *node[T]
	slots []slot[T]
	free  []Handle
	n     int
	pool  sync.Pool // *scratch[T]
}

// slot locates a handle's point: its leaf and its index there.
type slot[T any] struct {
	leaf *node[T]
	idx  int32
}

// item is one point as stored in a leaf.
type item[T any] struct {
	x, y, z  float64 // unit vector, for fast distance tests
	lat, lon float64
	h        Handle
	val      T
}

type node[T any] struct {
	minLat, maxLat, minLon, maxLon float64
	parent                         *node[T]
	kids                           *[4]*node[T] // nil for a leaf
	items                          []item[T]    // leaf only
	count                          int          // points in the subtree
	depth                          int
	dead                           bool // merged away by collapse
	box                            aabb // 3D bounds of the cell, for distance bounds
}

// New returns an empty tree.
func New[T any](opts Options) (*Tree[T], error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	t := &Tree[T]{opts: o}
	t.root = newNode[T](nil, -90, 90, -180, 180)
	return t, nil
}

func checkPoint(lat, lon float64) error {
	if !(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180) {
		return fmt.Errorf("%w: lat %v lon %v", ErrInvalidPoint, lat, lon)
	}
	return nil
}

func unit(lat, lon float64) (x, y, z float64) {
	phi, lam := lat*(math.Pi/180), lon*(math.Pi/180)
	sp, cp := math.Sincos(phi)
	sl, cl := math.Sincos(lam)
	return cp * cl, cp * sl, sp
}

// Len returns the number of points.
func (t *Tree[T]) Len() int { return t.n }

// contains reports whether a leaf owns (lat, lon): the half-open cell,
// closed on the globe's north and east edges, matching descent.
func (n *node[T]) contains(lat, lon float64) bool {
	return lat >= n.minLat && (lat < n.maxLat || n.maxLat == 90) &&
		lon >= n.minLon && (lon < n.maxLon || n.maxLon == 180)
}

func (n *node[T]) quadrant(lat, lon float64) int {
	q := 0
	if lat >= (n.minLat+n.maxLat)/2 {
		q = 2
	}
	if lon >= (n.minLon+n.maxLon)/2 {
		q |= 1
	}
	return q
}

// Insert adds a point with value v and returns its handle. O(depth),
// amortised. It returns an error wrapping [ErrInvalidPoint] for invalid
// coordinates.
func (t *Tree[T]) Insert(lat, lon float64, v T) (Handle, error) {
	if err := checkPoint(lat, lon); err != nil {
		return 0, err
	}
	var h Handle
	if k := len(t.free); k > 0 {
		h = t.free[k-1]
		t.free = t.free[:k-1]
	} else {
		if len(t.slots) == math.MaxUint32 {
			return 0, errors.New("quadtree: too many points")
		}
		h = Handle(len(t.slots))
		t.slots = append(t.slots, slot[T]{})
	}
	it := item[T]{lat: lat, lon: lon, h: h, val: v}
	it.x, it.y, it.z = unit(lat, lon)
	t.insert(t.root, it)
	t.n++
	return h, nil
}

func (t *Tree[T]) insert(n *node[T], it item[T]) {
	for n.kids != nil {
		n.count++
		n = n.kids[n.quadrant(it.lat, it.lon)]
	}
	t.addToLeaf(n, it)
}

// addToLeaf appends it to leaf n (counting it) and splits n if it overflows.
func (t *Tree[T]) addToLeaf(n *node[T], it item[T]) {
	n.count++
	t.slots[it.h] = slot[T]{leaf: n, idx: int32(len(n.items))}
	n.items = append(n.items, it)
	if len(n.items) > t.opts.LeafSize && n.depth < t.opts.MaxDepth {
		t.split(n)
	}
}

func (t *Tree[T]) split(n *node[T]) {
	midLat, midLon := (n.minLat+n.maxLat)/2, (n.minLon+n.maxLon)/2
	var kids [4]*node[T]
	for q := range kids {
		kids[q] = n.child(q, midLat, midLon)
	}
	items := n.items
	n.items = nil
	n.kids = &kids
	for _, it := range items {
		k := kids[n.quadrant(it.lat, it.lon)]
		t.slots[it.h] = slot[T]{leaf: k, idx: int32(len(k.items))}
		k.items = append(k.items, it)
		k.count++
	}
	for _, k := range kids { // all points may have landed in one child
		if len(k.items) > t.opts.LeafSize && k.depth < t.opts.MaxDepth {
			t.split(k)
		}
	}
}

func (t *Tree[T]) valid(h Handle) bool {
	return int(h) < len(t.slots) && t.slots[h].leaf != nil
}

// Get returns the position and value of the point h.
func (t *Tree[T]) Get(h Handle) (lat, lon float64, v T, ok bool) {
	if !t.valid(h) {
		return 0, 0, v, false
	}
	s := t.slots[h]
	it := &s.leaf.items[s.idx]
	return it.lat, it.lon, it.val, true
}

// Set replaces the value of point h and reports whether h exists.
func (t *Tree[T]) Set(h Handle, v T) bool {
	if !t.valid(h) {
		return false
	}
	s := t.slots[h]
	s.leaf.items[s.idx].val = v
	return true
}

// Remove deletes the point h and reports whether it existed. O(depth);
// subtrees that fall to LeafSize/2 points merge into one leaf.
func (t *Tree[T]) Remove(h Handle) bool {
	if !t.valid(h) {
		return false
	}
	t.detach(h)
	t.slots[h] = slot[T]{}
	t.free = append(t.free, h)
	t.n--
	return true
}

// detach takes h's item out of its leaf, fixes counts and merges.
func (t *Tree[T]) detach(h Handle) item[T] {
	s := t.slots[h]
	leaf := s.leaf
	it := leaf.items[s.idx]
	last := len(leaf.items) - 1
	if int(s.idx) != last {
		leaf.items[s.idx] = leaf.items[last]
		t.slots[leaf.items[s.idx].h].idx = s.idx
	}
	var zero item[T]
	leaf.items[last] = zero // drop references held by T
	leaf.items = leaf.items[:last]
	var merge *node[T]
	for n := leaf; n != nil; n = n.parent {
		n.count--
		if n.kids != nil && n.count <= t.opts.LeafSize/2 {
			merge = n // the highest such ancestor wins
		}
	}
	if merge != nil {
		t.collapse(merge)
	}
	return it
}

// collapse turns the subtree at n into one leaf.
func (t *Tree[T]) collapse(n *node[T]) {
	items := make([]item[T], 0, max(n.count, t.opts.LeafSize/2))
	for _, k := range n.kids {
		items = gather(k, items)
	}
	n.kids = nil
	n.items = items
	for i := range items {
		t.slots[items[i].h] = slot[T]{leaf: n, idx: int32(i)}
	}
}

func gather[T any](n *node[T], dst []item[T]) []item[T] {
	n.dead = true
	if n.kids == nil {
		return append(dst, n.items...)
	}
	for _, k := range n.kids {
		dst = gather(k, dst)
	}
	return dst
}

// Move changes the position of point h. A move within the point's leaf
// cell (the common case for moving objects sampled often) is O(1): the
// point is updated in place. Otherwise it costs a Remove and an Insert,
// keeping the handle.
func (t *Tree[T]) Move(h Handle, lat, lon float64) error {
	if err := checkPoint(lat, lon); err != nil {
		return err
	}
	if !t.valid(h) {
		return fmt.Errorf("%w: %d", ErrNotFound, h)
	}
	s := t.slots[h]
	if s.leaf.contains(lat, lon) {
		it := &s.leaf.items[s.idx]
		it.lat, it.lon = lat, lon
		it.x, it.y, it.z = unit(lat, lon)
		return nil
	}
	it := t.detach(h)
	it.lat, it.lon = lat, lon
	it.x, it.y, it.z = unit(lat, lon)
	// Climb from the old leaf (which a merge may have removed from the
	// tree) to the lowest live ancestor owning the new position; the root
	// owns every valid point.
	n := s.leaf
	for n.dead || !n.contains(lat, lon) {
		n = n.parent
	}
	for p := n.parent; p != nil; p = p.parent {
		p.count++
	}
	t.insert(n, it)
	return nil
}

func newNode[T any](parent *node[T], minLat, maxLat, minLon, maxLon float64) *node[T] {
	n := &node[T]{parent: parent, minLat: minLat, maxLat: maxLat, minLon: minLon, maxLon: maxLon}
	if parent != nil {
		n.depth = parent.depth + 1
	}
	n.box = cellAABB(minLat, maxLat, minLon, maxLon)
	return n
}

// child returns a new quadrant q (bit 1: north half, bit 0: east half).
func (n *node[T]) child(q int, midLat, midLon float64) *node[T] {
	minLat, maxLat, minLon, maxLon := n.minLat, midLat, n.minLon, midLon
	if q&2 != 0 {
		minLat, maxLat = midLat, n.maxLat
	}
	if q&1 != 0 {
		minLon, maxLon = midLon, n.maxLon
	}
	return newNode(n, minLat, maxLat, minLon, maxLon)
}
