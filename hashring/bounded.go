package hashring

import (
	"fmt"
	"math"
	"slices"
	"sync"
)

// BoundedOptions configures a [Bounded]. The zero value means the defaults.
type BoundedOptions struct {
	// C is the load bound factor: no node holds more than
	// ceil(C * keys * weight / totalWeight) keys, i.e. ceil(C * average)
	// with equal weights. It must be at least 1; smaller values balance
	// tighter but move more keys on changes. Default 1.25, the value
	// Mirrokni et al. and Vimeo's deployment use.
	C float64
	// Ring configures the underlying [Ring].
	Ring Options
}

// Bounded is consistent hashing with bounded loads (Mirrokni, Thorup and
// Zadimoghaddam, "Consistent Hashing with Bounded Loads", SODA 2018,
// https://arxiv.org/abs/1608.01350) over real keys: it remembers which node
// each key was assigned to and how many keys each node holds. A new key
// walks clockwise from its hash and takes the first node below its bound,
// so keys stay where plain consistent hashing puts them unless that node is
// full. When keys are released or nodes join, nodes over the (now lower)
// bound hand their excess keys on the same way; when a node leaves, its
// keys are placed the same way. So the bound holds after every operation,
// for every membership, with no panics.
//
// Costs: Assign and Release O(1) expected plus map updates; Add and Remove
// move O(moved keys) and rebuild the ring. Memory is O(keys).
//
// The zero value is not usable; create one with [NewBounded]. A Bounded is
// safe for concurrent use (one mutex).
type Bounded struct {
	mu     sync.Mutex
	ring   *Ring
	c      float64
	owner  map[string]int        // key -> node index in the ring state
	keys   []map[string]struct{} // by node index
	byID   map[string]map[string]struct{}
	weight int // total weight
}

// NewBounded returns a Bounded over nodes with no keys assigned.
func NewBounded(opts BoundedOptions, nodes ...Node) (*Bounded, error) {
	if opts.C == 0 {
		opts.C = 1.25
	}
	if !(opts.C >= 1 && opts.C <= 1e6) {
		return nil, fmt.Errorf("%w: load factor C %v not in [1, 1e6]", ErrConfig, opts.C)
	}
	r, err := New(opts.Ring, nodes...)
	if err != nil {
		return nil, err
	}
	b := &Bounded{ring: r, c: opts.C, byID: map[string]map[string]struct{}{}}
	b.reindex()
	return b, nil
}

// reindex rebuilds the per-node-index views after a membership change.
func (b *Bounded) reindex() {
	st := b.ring.state.Load()
	b.keys = make([]map[string]struct{}, len(st.nodes))
	b.weight = 0
	for i, n := range st.nodes {
		ks := b.byID[n.ID]
		if ks == nil {
			ks = map[string]struct{}{}
			b.byID[n.ID] = ks
		}
		b.keys[i] = ks
		b.weight += n.weight()
	}
	b.owner = make(map[string]int, len(b.owner))
	for i, ks := range b.keys {
		for k := range ks {
			b.owner[k] = i
		}
	}
}

// bound returns node i's capacity when m keys are assigned.
func (b *Bounded) bound(st *ringState, i, m int) int {
	return int(math.Ceil(b.c * float64(m) * float64(st.nodes[i].weight()) / float64(b.weight)))
}

// place assigns key to the first node clockwise from its hash with load
// below its bound for m keys. There always is one, since the bounds sum to
// at least C*m >= m.
func (b *Bounded) place(st *ringState, key string, m int) int {
	np := len(st.points)
	for i, j := 0, st.locate(b.ring.hash(key)); i < np; i, j = i+1, next(j, np) {
		o := int(st.points[j] & ownerMask)
		if len(b.keys[o]) < b.bound(st, o, m) {
			b.keys[o][key] = struct{}{}
			b.owner[key] = o
			return o
		}
	}
	panic("hashring: bounded loads found no node below its bound") // unreachable: bounds sum to >= m
}

// Assign returns the node for key, assigning it if it is new. It returns
// [ErrEmpty] if there are no nodes.
func (b *Bounded) Assign(key string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.ring.state.Load()
	if o, ok := b.owner[key]; ok {
		return st.nodes[o].ID, nil
	}
	if len(st.nodes) == 0 {
		return "", ErrEmpty
	}
	return st.nodes[b.place(st, key, len(b.owner)+1)].ID, nil
}

// Owner returns the node key is assigned to, without assigning it.
func (b *Bounded) Owner(key string) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.owner[key]
	if !ok {
		return "", false
	}
	return b.ring.state.Load().nodes[o].ID, true
}

// Release forgets key and reports whether it was assigned. Nodes left above
// the lower bound hand keys on, so other keys can move.
func (b *Bounded) Release(key string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.owner[key]
	if !ok {
		return false
	}
	delete(b.owner, key)
	delete(b.keys[o], key)
	b.rebalance()
	return true
}

// rebalance moves excess keys off nodes above their bound, in a
// deterministic order (nodes by ID, keys sorted), and returns how many
// moved.
func (b *Bounded) rebalance() int {
	st := b.ring.state.Load()
	m := len(b.owner)
	moved := 0
	for i := range st.nodes {
		excess := len(b.keys[i]) - b.bound(st, i, m)
		if excess <= 0 {
			continue
		}
		ks := make([]string, 0, len(b.keys[i]))
		for k := range b.keys[i] {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		for _, k := range ks[:excess] {
			delete(b.keys[i], k)
			b.place(st, k, m)
			moved++
		}
	}
	return moved
}

// Add inserts nodes and returns how many keys moved to keep the bound.
func (b *Bounded) Add(nodes ...Node) (moved int, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.ring.Add(nodes...); err != nil {
		return 0, err
	}
	b.reindex()
	return b.rebalance(), nil
}

// Remove deletes nodes and reassigns their keys, returning how many keys
// moved. If the last node goes, its keys are released.
func (b *Bounded) Remove(ids ...string) (moved int, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.ring.Remove(ids...); err != nil {
		return 0, err
	}
	var orphans []string
	for _, id := range ids {
		for k := range b.byID[id] {
			orphans = append(orphans, k)
		}
		delete(b.byID, id)
	}
	b.reindex()
	slices.Sort(orphans)
	st := b.ring.state.Load()
	if len(st.nodes) == 0 {
		return 0, nil
	}
	m := len(b.owner) + len(orphans)
	for _, k := range orphans {
		b.place(st, k, m)
	}
	return len(orphans) + b.rebalance(), nil
}

// Load returns the number of keys assigned to node id.
func (b *Bounded) Load(id string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.byID[id])
}

// Bound returns the most keys node id may hold now, ceil(C * keys *
// weight / total weight), or 0 if id is not a member.
func (b *Bounded) Bound(id string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.ring.state.Load()
	i, ok := st.byID[id]
	if !ok {
		return 0
	}
	return b.bound(st, i, len(b.owner))
}

// Keys returns the number of keys assigned.
func (b *Bounded) Keys() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.owner)
}

// Nodes returns the members sorted by ID.
func (b *Bounded) Nodes() []Node { return b.ring.Nodes() }
