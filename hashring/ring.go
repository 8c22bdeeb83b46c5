package hashring

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"
)

// Options configures a [Ring]. The zero value means the defaults.
type Options struct {
	// VNodes is the number of virtual nodes per unit of weight, in
	// [1, 65536]. More virtual nodes balance better (the load of a node has
	// a relative standard deviation of about 1/sqrt(VNodes)) but cost memory
	// (about 20 bytes each: points, index and owner table) and rebuild
	// time. Default 1024, which keeps the standard deviation of the load
	// near 3% of the mean. Large rings that need speed more than balance
	// can lower it: at 1,000 nodes the owner table (11 MB) no longer fits
	// the L2 cache and each Get misses it once. Measured side by side on a
	// 2-core VM with 2 MB of L2 per core (BenchmarkHashring_Get and
	// _Balance in benchmarks/): at 1,000 nodes Get takes 32-34 ns with the
	// default and 24-25 ns with VNodes 160, whose load deviation is 8% of
	// the mean at 100 nodes (3.4% with the default); 512 keeps it about
	// 4.4%. [Anchor] balances best (1.1%) at 28-30 ns, without weights.
	VNodes int
	// Hash hashes keys and virtual-node names ("<ID>#<i>" for i from 0).
	// Default [HashString] (xxhash64). Tests inject weak hashes to force
	// virtual-node collisions.
	Hash func(key string) uint64
}

const (
	defaultVNodes = 1024
	maxVNodes     = 1 << 16
	maxRingNodes  = 1 << 16
	maxPoints     = 1 << 30
	ownerBits     = 16
	ownerMask     = 1<<ownerBits - 1
)

// Validate reports an error wrapping [ErrConfig] if a field is out of range.
func (o Options) Validate() error {
	if o.VNodes < 0 || o.VNodes > maxVNodes {
		return fmt.Errorf("%w: VNodes %d not in [1, %d]", ErrConfig, o.VNodes, maxVNodes)
	}
	return nil
}

// Ring is a consistent-hash ring (Karger et al. 1997) with virtual nodes
// and weights: each node owns VNodes*Weight points on a 64-bit circle, and a
// key belongs to the first point at or clockwise after its hash.
//
// Membership changes build a new immutable ring and swap it in atomically
// (copy on write), so lookups never lock, never allocate, and see either
// the old or the new membership. Add and Remove cost O(V log V) for V
// virtual nodes in total and are serialised with a mutex.
//
// Two virtual nodes whose hashes agree in their top 48 bits are a
// collision: the point goes to the node with the smaller ID, whatever the
// order of insertion, and passes to the other if that node leaves.
//
// The zero value is not usable; create a Ring with [New]. A Ring is safe
// for concurrent use.
type Ring struct {
	mu    sync.Mutex // serialises writers
	state atomic.Pointer[ringState]
	opts  Options
	// hashKey is opts.Hash, or [HashString] by default: one indirect call
	// where testing for the option would keep Get from inlining hash.
	hashKey func(key string) uint64
}

// ringState is one immutable membership.
type ringState struct {
	// points are the virtual nodes, sorted: the top 48 bits are the hash,
	// the low 16 the owner's index in nodes.
	points []uint64
	// index[b] is the position of the first point >= b<<shift; see
	// lookup.go.
	index []uint32
	shift uint
	// ext is points followed by lookWidth sentinels at the top of the
	// hash space owned by the first point's node; points is
	// ext[:len(points)].
	ext []uint64
	// table answers Get in one cache line; see lookup.go.
	table  []slot
	nodes  []Node   // sorted by ID
	zone   []uint16 // zone index of each node
	nzones int
	byID   map[string]int
}

// New returns a ring holding nodes.
func New(opts Options, nodes ...Node) (*Ring, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if opts.VNodes == 0 {
		opts.VNodes = defaultVNodes
	}
	// xxhash.Sum64String is HashString without the wrapper's call.
	r := &Ring{opts: opts, hashKey: xxhash.Sum64String}
	if opts.Hash != nil {
		r.hashKey = opts.Hash
	}
	st, err := r.build(nil, nodes, nil)
	if err != nil {
		return nil, err
	}
	r.state.Store(st)
	return r, nil
}

func (r *Ring) hash(key string) uint64 { return r.hashKey(key) }

// build returns the state for old's nodes plus add minus remove.
func (r *Ring) build(old *ringState, add []Node, remove []string) (*ringState, error) {
	var nodes []Node
	if old != nil {
		nodes = slices.Clone(old.nodes)
	}
	present := make(map[string]int, len(nodes)+len(add))
	for i, n := range nodes {
		present[n.ID] = i
	}
	for _, id := range remove {
		if _, ok := present[id]; !ok {
			return nil, fmt.Errorf("%w: %q", ErrUnknownNode, id)
		}
		delete(present, id)
	}
	if len(remove) > 0 {
		nodes = slices.DeleteFunc(nodes, func(n Node) bool { _, ok := present[n.ID]; return !ok })
	}
	for _, n := range add {
		if err := n.validate(); err != nil {
			return nil, err
		}
		if _, ok := present[n.ID]; ok {
			return nil, fmt.Errorf("%w: %q", ErrDuplicateNode, n.ID)
		}
		present[n.ID] = -1
		nodes = append(nodes, n)
	}
	if len(nodes) > maxRingNodes {
		return nil, fmt.Errorf("%w: %d nodes, limit %d", ErrTooManyNodes, len(nodes), maxRingNodes)
	}
	slices.SortFunc(nodes, func(a, b Node) int { return strings.Compare(a.ID, b.ID) })

	total := 0
	for _, n := range nodes {
		total += r.opts.VNodes * n.weight()
	}
	if total > maxPoints {
		return nil, fmt.Errorf("%w: %d virtual nodes, limit %d", ErrTooManyNodes, total, maxPoints)
	}
	st := &ringState{nodes: nodes, zone: make([]uint16, len(nodes)), byID: make(map[string]int, len(nodes))}
	zones := map[string]uint16{}
	for i, n := range nodes {
		st.byID[n.ID] = i
		z, ok := zones[n.Zone]
		if !ok {
			z = uint16(len(zones))
			zones[n.Zone] = z
		}
		st.zone[i] = z
	}
	st.nzones = len(zones)

	// Points of surviving nodes keep their order (their owners keep their
	// relative ID order), so they are filtered and renumbered in one pass
	// and merged with the sorted points of the added nodes: O(V) plus
	// O(A log A) for A added points, instead of sorting everything.
	var kept []uint64
	if old != nil {
		remap := make([]int, len(old.nodes))
		for i, n := range old.nodes {
			if j, ok := st.byID[n.ID]; ok {
				remap[i] = j
			} else {
				remap[i] = -1
			}
		}
		kept = make([]uint64, 0, len(old.points))
		for _, p := range old.points {
			if j := remap[p&ownerMask]; j >= 0 {
				kept = append(kept, p&^ownerMask|uint64(j))
			}
		}
	}
	var fresh []uint64
	var buf []byte
	for _, n := range add {
		i := st.byID[n.ID]
		for v := range r.opts.VNodes * n.weight() {
			buf = strconv.AppendInt(append(append(buf[:0], n.ID...), '#'), int64(v), 10)
			var h uint64
			if r.opts.Hash != nil {
				h = r.opts.Hash(string(buf))
			} else {
				h = Hash(buf)
			}
			fresh = append(fresh, h&^ownerMask|uint64(i))
		}
	}
	slices.Sort(fresh)
	st.points = mergeSorted(make([]uint64, 0, total+lookWidth), kept, fresh)

	st.buildIndex()
	return st, nil
}

// Add inserts nodes in one membership change. It fails, changing nothing,
// if any node is invalid or already present.
func (r *Ring) Add(nodes ...Node) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.build(r.state.Load(), nodes, nil)
	if err != nil {
		return err
	}
	r.state.Store(st)
	return nil
}

// Remove deletes the nodes with the given IDs in one membership change. It
// fails, changing nothing, if any ID is not a member.
func (r *Ring) Remove(ids ...string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	st, err := r.build(r.state.Load(), nil, ids)
	if err != nil {
		return err
	}
	r.state.Store(st)
	return nil
}

// Len returns the number of nodes.
func (r *Ring) Len() int { return len(r.state.Load().nodes) }

// Nodes returns the members sorted by ID.
func (r *Ring) Nodes() []Node { return slices.Clone(r.state.Load().nodes) }

// Node returns the member with the given ID.
func (r *Ring) Node(id string) (Node, bool) {
	st := r.state.Load()
	i, ok := st.byID[id]
	if !ok {
		return Node{}, false
	}
	return st.nodes[i], true
}

// VirtualNodes returns the number of points on the ring.
func (r *Ring) VirtualNodes() int { return len(r.state.Load().points) }

// Get returns the node that owns key, or false if the ring is empty. It
// costs O(1) expected time and does not allocate.
func (r *Ring) Get(key string) (string, bool) { return r.state.Load().get(r.hash(key)) }

// GetHash is [Ring.Get] for a key hash computed with Options.Hash (by
// default [HashString]).
func (r *Ring) GetHash(h uint64) (string, bool) { return r.state.Load().get(h) }

// GetN returns the preference list of key: up to n distinct nodes met
// walking clockwise from the key's hash, owner first (fewer if the ring has
// fewer nodes). It allocates the result; see [Ring.AppendN].
func (r *Ring) GetN(key string, n int) []string {
	return r.AppendN(make([]string, 0, max(0, min(n, r.Len()))), key, n)
}

// AppendN appends the preference list of key (see [Ring.GetN]) to dst and
// returns it. It does not allocate when dst has room and n <= 16.
func (r *Ring) AppendN(dst []string, key string, n int) []string {
	return r.state.Load().appendN(dst, r.hash(key), n, false)
}

// AppendNZones is [Ring.AppendN] with replicas spread over zones: walking
// clockwise it takes a node only if its zone is not yet used, so the first
// min(n, zones) entries are in distinct zones; if n exceeds the number of
// zones, the rest are the next distinct nodes in ring order. Like AppendN
// it walks the ring from the same point, so the list is stable under
// membership changes elsewhere on the ring.
func (r *Ring) AppendNZones(dst []string, key string, n int) []string {
	return r.state.Load().appendN(dst, r.hash(key), n, true)
}

func (st *ringState) appendN(dst []string, h uint64, n int, zones bool) []string {
	n = min(n, len(st.nodes))
	if n <= 0 {
		return dst
	}
	var pickedBuf [16]uint16
	picked := pickedBuf[:0]
	start := st.locate(h)
	np := len(st.points)
	if zones {
		want := min(n, st.nzones)
		if st.nzones <= 64 {
			// Zones as a bit set: one AND per point instead of a search.
			var used uint64
			for i, j := 0, start; i < np && len(picked) < want; i, j = i+1, next(j, np) {
				o := uint16(st.points[j] & ownerMask)
				bit := uint64(1) << (st.zone[o] & 63)
				if used&bit == 0 {
					used |= bit
					picked = append(picked, o)
				}
			}
		} else {
			var zoneBuf [16]uint16
			usedZones := zoneBuf[:0]
			for i, j := 0, start; i < np && len(picked) < want; i, j = i+1, next(j, np) {
				o := uint16(st.points[j] & ownerMask)
				if z := st.zone[o]; !slices.Contains(usedZones, z) {
					usedZones = append(usedZones, z)
					picked = append(picked, o)
				}
			}
		}
	}
	for i, j := 0, start; i < np && len(picked) < n; i, j = i+1, next(j, np) {
		if o := uint16(st.points[j] & ownerMask); !slices.Contains(picked, o) {
			picked = append(picked, o)
		}
	}
	for _, o := range picked {
		dst = append(dst, st.nodes[o].ID)
	}
	return dst
}

// next returns the position after j on a circle of n points.
func next(j, n int) int {
	if j++; j == n {
		return 0
	}
	return j
}

// mergeSorted appends the merge of sorted a and b to dst.
func mergeSorted(dst, a, b []uint64) []uint64 {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i] <= b[j] {
			dst = append(dst, a[i])
			i++
		} else {
			dst = append(dst, b[j])
			j++
		}
	}
	dst = append(dst, a[i:]...)
	return append(dst, b[j:]...)
}
