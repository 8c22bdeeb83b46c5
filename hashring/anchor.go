package hashring

import (
	"fmt"
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/sysdesign-go/sysdesign/internal/mix"
)

// Anchor is AnchorHash (Mendelson, Vargaftik, Barabash, Lorenz, Keslassy
// and Orda, "AnchorHash: A Scalable Consistent Hash", 2020,
// https://arxiv.org/abs/1812.09674): a fixed set of capacity buckets (the
// anchor) of which the members occupy a working subset. A key hashes to a
// bucket; if that bucket is not working it is rehashed among the buckets
// that were working when it was removed, and so on. Any node can be removed
// (unlike [Jump]), only its keys move, balance is as good as jump's, and a
// lookup costs O(1 + ln(capacity/nodes)) expected steps with 16 bytes per
// bucket of state.
//
// The capacity is fixed at construction: Add returns [ErrTooManyNodes]
// when all buckets are working. A removed node's bucket is reused by the
// next Add (last removed, first reused), which is what keeps remapping
// minimal.
//
// Lookups are lock-free (copy on write, O(capacity) per change) and do not
// allocate. The zero value is not usable; create one with [NewAnchor]. An
// Anchor is safe for concurrent use.
type Anchor struct {
	mu    sync.Mutex
	state atomic.Pointer[anchorState]
}

type anchorState struct {
	a       []uint32 // a[b] = 0 if b works, else the working-set size just after b was removed
	k       []uint32 // successor chain of removed buckets
	w       []uint32 // working buckets in positions [0, n)
	l       []uint32 // position of a bucket in w
	r       []uint32 // stack of removed buckets
	n       uint32
	ids     []string // node of each working bucket
	buckets map[string]uint32
}

// NewAnchor returns an AnchorHash with room for capacity nodes (1 <= capacity
// <= 2^24) holding ids.
func NewAnchor(capacity int, ids ...string) (*Anchor, error) {
	if capacity < 1 || capacity > 1<<24 {
		return nil, fmt.Errorf("%w: capacity %d not in [1, 2^24]", ErrConfig, capacity)
	}
	c := uint32(capacity)
	st := &anchorState{
		a: make([]uint32, c), k: make([]uint32, c), w: make([]uint32, c), l: make([]uint32, c),
		ids: make([]string, c), buckets: map[string]uint32{},
	}
	for b := range c {
		st.k[b], st.w[b], st.l[b] = b, b, b
	}
	// Start with every bucket removed, highest first, so that Add fills
	// buckets 0, 1, 2, ... in order.
	st.n = c
	for b := int(c) - 1; b >= 0; b-- {
		st.remove(uint32(b))
	}
	an := &Anchor{}
	an.state.Store(st)
	if err := an.Add(ids...); err != nil {
		return nil, err
	}
	return an, nil
}

func (st *anchorState) clone() *anchorState {
	c := *st
	c.a, c.k, c.w, c.l, c.r = slices.Clone(st.a), slices.Clone(st.k), slices.Clone(st.w), slices.Clone(st.l), slices.Clone(st.r)
	c.ids = slices.Clone(st.ids)
	c.buckets = make(map[string]uint32, len(st.buckets)+1)
	for id, b := range st.buckets {
		c.buckets[id] = b
	}
	return &c
}

func (st *anchorState) remove(b uint32) {
	st.r = append(st.r, b)
	st.n--
	st.a[b] = st.n
	st.k[b] = st.w[st.n]
	st.w[st.l[b]] = st.w[st.n]
	st.l[st.w[st.n]] = st.l[b]
}

func (st *anchorState) add() uint32 {
	b := st.r[len(st.r)-1]
	st.r = st.r[:len(st.r)-1]
	st.a[b] = 0
	st.l[st.w[st.n]] = st.n
	st.w[st.l[b]] = b
	st.k[b] = b
	st.n++
	return b
}

// Add inserts nodes; it changes nothing if any is invalid or present, or
// if the capacity would be exceeded.
func (an *Anchor) Add(ids ...string) error {
	an.mu.Lock()
	defer an.mu.Unlock()
	st := an.state.Load().clone()
	for _, id := range ids {
		if id == "" {
			return fmt.Errorf("%w: empty node ID", ErrConfig)
		}
		if _, ok := st.buckets[id]; ok {
			return fmt.Errorf("%w: %q", ErrDuplicateNode, id)
		}
		if len(st.r) == 0 {
			return fmt.Errorf("%w: capacity %d reached", ErrTooManyNodes, len(st.a))
		}
		b := st.add()
		st.ids[b] = id
		st.buckets[id] = b
	}
	an.state.Store(st)
	return nil
}

// Remove deletes the nodes with the given IDs; only their keys move. It
// changes nothing if any ID is unknown.
func (an *Anchor) Remove(ids ...string) error {
	an.mu.Lock()
	defer an.mu.Unlock()
	st := an.state.Load().clone()
	for _, id := range ids {
		b, ok := st.buckets[id]
		if !ok {
			return fmt.Errorf("%w: %q", ErrUnknownNode, id)
		}
		st.remove(b)
		st.ids[b] = ""
		delete(st.buckets, id)
	}
	an.state.Store(st)
	return nil
}

// Len returns the number of nodes.
func (an *Anchor) Len() int { return int(an.state.Load().n) }

// Cap returns the capacity fixed at construction.
func (an *Anchor) Cap() int { return len(an.state.Load().a) }

func reduce32(h uint64, n uint32) uint32 {
	hi, _ := bits.Mul64(h, uint64(n))
	return uint32(hi)
}

// bucket returns the working bucket of key hash h; n > 0.
func (st *anchorState) bucket(h uint64) uint32 {
	b := reduce32(mix.Murmur64(h), uint32(len(st.a)))
	for st.a[b] > 0 {
		ab := st.a[b]
		x := reduce32(mix.Murmur64(h^(uint64(b)+1)*0x9e3779b97f4a7c15), ab)
		for st.a[x] >= ab {
			x = st.k[x]
		}
		b = x
	}
	return b
}

// Get returns the node owning key, or false if there are none.
func (an *Anchor) Get(key string) (string, bool) { return an.GetHash(HashString(key)) }

// GetHash is [Anchor.Get] for a key hashed with [HashString].
func (an *Anchor) GetHash(h uint64) (string, bool) {
	st := an.state.Load()
	if st.n == 0 {
		return "", false
	}
	return st.ids[st.bucket(h)], true
}
