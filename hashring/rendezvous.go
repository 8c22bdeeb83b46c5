package hashring

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sysdesign-go/sysdesign/internal/mix"
)

// Rendezvous is highest-random-weight hashing (Thaler and Ravishankar,
// "Using Name-Based Mappings to Increase Hit Rates", 1998): a key belongs to
// the node with the highest score hash(key, node). Removing a node moves
// only its keys, each to its second choice, and the top n scores give a
// preference list with no extra structure. Weights use the logarithmic
// method (Schindelhauer and Schomaker 2005): score = -w / ln(u) for u
// uniform in (0, 1), which gives node i exactly w_i / sum(w) of the keys.
//
// The cost is O(nodes) per lookup, so it suits tens of nodes, not
// thousands; [Ring] and [Anchor] are O(1).
//
// Lookups are lock-free (copy on write) and do not allocate. The zero
// value is not usable; create one with [NewRendezvous]. A Rendezvous is
// safe for concurrent use.
type Rendezvous struct {
	mu    sync.Mutex
	state atomic.Pointer[rendezvousState]
}

type rendezvousState struct {
	nodes    []Node
	seeds    []uint64 // HashString(ID) of each node
	weighted bool
}

// NewRendezvous returns a rendezvous hash over nodes (Zone is ignored).
func NewRendezvous(nodes ...Node) (*Rendezvous, error) {
	r := &Rendezvous{}
	r.state.Store(&rendezvousState{})
	if err := r.Add(nodes...); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Rendezvous) replace(nodes []Node) {
	slices.SortFunc(nodes, func(a, b Node) int { return strings.Compare(a.ID, b.ID) })
	st := &rendezvousState{nodes: nodes, seeds: make([]uint64, len(nodes))}
	for i, n := range nodes {
		st.seeds[i] = HashString(n.ID)
		if n.weight() != 1 {
			st.weighted = true
		}
	}
	r.state.Store(st)
}

// Add inserts nodes; it changes nothing if any is invalid or present.
func (r *Rendezvous) Add(nodes ...Node) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	ns := slices.Clone(r.state.Load().nodes)
	for _, n := range nodes {
		if err := n.validate(); err != nil {
			return err
		}
		if slices.ContainsFunc(ns, func(m Node) bool { return m.ID == n.ID }) {
			return fmt.Errorf("%w: %q", ErrDuplicateNode, n.ID)
		}
		ns = append(ns, n)
	}
	r.replace(ns)
	return nil
}

// Remove deletes the nodes with the given IDs; it changes nothing if any is
// unknown.
func (r *Rendezvous) Remove(ids ...string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	ns := slices.Clone(r.state.Load().nodes)
	for _, id := range ids {
		i := slices.IndexFunc(ns, func(m Node) bool { return m.ID == id })
		if i < 0 {
			return fmt.Errorf("%w: %q", ErrUnknownNode, id)
		}
		ns = slices.Delete(ns, i, i+1)
	}
	r.replace(ns)
	return nil
}

// Len returns the number of nodes.
func (r *Rendezvous) Len() int { return len(r.state.Load().nodes) }

// score returns node i's score for key hash h; higher wins.
func (st *rendezvousState) score(i int, h uint64) float64 {
	x := mix.Murmur64(h ^ st.seeds[i])
	if !st.weighted {
		// Order-preserving for the unweighted case: the top 53 bits, as
		// Get compares them (ties beyond that are vanishingly rare).
		return float64(x >> 11)
	}
	u := (float64(x>>11) + 0.5) / (1 << 53) // uniform in (0, 1)
	return -float64(st.nodes[i].weight()) / math.Log(u)
}

// Get returns the node with the highest score for key, or false if there
// are no nodes. O(nodes).
func (r *Rendezvous) Get(key string) (string, bool) { return r.GetHash(HashString(key)) }

// GetHash is [Rendezvous.Get] for a key hashed with [HashString].
func (r *Rendezvous) GetHash(h uint64) (string, bool) {
	st := r.state.Load()
	if len(st.nodes) == 0 {
		return "", false
	}
	best := 0
	if !st.weighted {
		var top uint64
		for i, seed := range st.seeds {
			if x := mix.Murmur64(h ^ seed); x > top || i == 0 {
				best, top = i, x
			}
		}
		return st.nodes[best].ID, true
	}
	bestScore := st.score(0, h)
	for i := 1; i < len(st.nodes); i++ {
		if s := st.score(i, h); s > bestScore {
			best, bestScore = i, s
		}
	}
	return st.nodes[best].ID, true
}

// AppendN appends the n highest-scoring nodes for key, best first, to dst.
// O(nodes * n); it does not allocate when dst has room and n <= 16.
func (r *Rendezvous) AppendN(dst []string, key string, n int) []string {
	st := r.state.Load()
	n = min(n, len(st.nodes))
	if n <= 0 {
		return dst
	}
	h := HashString(key)
	type cand struct {
		i int
		s float64
	}
	var buf [16]cand
	top := buf[:0]
	for i := range st.nodes {
		s := st.score(i, h)
		if len(top) == n && s <= top[n-1].s {
			continue
		}
		if len(top) < n {
			top = append(top, cand{})
		}
		j := len(top) - 1
		for ; j > 0 && top[j-1].s < s; j-- {
			top[j] = top[j-1]
		}
		top[j] = cand{i, s}
	}
	for _, c := range top {
		dst = append(dst, st.nodes[c.i].ID)
	}
	return dst
}
