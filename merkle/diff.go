package merkle

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// Remote is the other side of a diff: a replica's tree reached through any
// transport. *Tree implements it for trees in the same process, and
// [RoundTripFunc] implements it over any byte transport whose far end calls
// [Tree.Serve].
//
// Both methods are asked in ascending order of index, and an implementation
// must answer in that order.
type Remote interface {
	// Hashes returns the hashes of the given nodes at level (1..Depth), one
	// per node, in the order asked. shape is the asking tree's options; a
	// remote with other options must fail with ErrShapeMismatch.
	Hashes(ctx context.Context, shape Options, level int, nodes []int) ([]uint64, error)
	// Entries returns every entry of the given leaf buckets, in any order.
	Entries(ctx context.Context, shape Options, buckets []int) ([]Entry, error)
}

// Stats counts what one [Tree.Diff] exchanged with the remote.
type Stats struct {
	// RoundTrips is the number of calls to the Remote.
	RoundTrips int
	// Hashes is the number of node hashes the remote sent.
	Hashes int
	// Entries is the number of (key, value hash) entries the remote sent:
	// the candidate keys examined locally.
	Entries int
	// Buckets is the number of leaf buckets found to differ.
	Buckets int
	// Bytes is the size of all requests and responses in the wire format of
	// [Tree.Serve], whatever transport was actually used.
	Bytes int
}

// Difference is one key on which the local and remote trees disagree.
type Difference struct {
	Key string
	// Local and Remote are the value hashes on each side; they are
	// meaningful only when InLocal or InRemote is true.
	Local, Remote     uint64
	InLocal, InRemote bool
}

// Hashes implements [Remote] for an in-process tree.
func (t *Tree) Hashes(ctx context.Context, shape Options, level int, nodes []int) ([]uint64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := t.checkShape(shape); err != nil {
		return nil, err
	}
	return hashesOf(t, level, nodes, nil)
}

func (t *Tree) checkShape(shape Options) error {
	if shape.withDefaults() != t.Options() {
		return fmt.Errorf("%w: asked with %+v, have %+v", ErrShapeMismatch, shape.withDefaults(), t.Options())
	}
	return nil
}

// nodeReader is the hash half of an anti-entropy tree, which [Tree] and
// [Summary] share: the diff and the wire protocol need only this and a way
// to list the entries of some buckets.
type nodeReader interface {
	Options() Options
	width(level int) int
	node(level, index int) uint64
}

// hashesOf appends the hashes of nodes at level (1..Depth) of n to out.
func hashesOf(n nodeReader, level int, nodes []int, out []uint64) ([]uint64, error) {
	depth := n.Options().Depth
	if level < 1 || level > depth {
		return nil, fmt.Errorf("%w: level %d not in [1, %d]", ErrBadRequest, level, depth)
	}
	if err := checkAscending(nodes, n.width(level)); err != nil {
		return nil, err
	}
	for _, i := range nodes {
		out = append(out, n.node(level, i))
	}
	return out, nil
}

// Entries implements [Remote] for an in-process tree.
func (t *Tree) Entries(ctx context.Context, shape Options, buckets []int) ([]Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := t.checkShape(shape); err != nil {
		return nil, err
	}
	if err := checkAscending(buckets, len(t.buckets)); err != nil {
		return nil, err
	}
	return t.entries(buckets), nil
}

// entries returns the entries of buckets, which exist.
func (t *Tree) entries(buckets []int) []Entry {
	n := 0
	for _, b := range buckets {
		n += len(t.buckets[b].slots)
	}
	out := make([]Entry, 0, n)
	for _, b := range buckets {
		for _, s := range t.buckets[b].slots {
			out = append(out, Entry{Key: s.key, ValueHash: s.vh})
		}
	}
	return out
}

func checkAscending(idx []int, limit int) error {
	prev := -1
	for _, i := range idx {
		if i <= prev || i >= limit {
			return fmt.Errorf("%w: index %d after %d (limit %d)", ErrBadRequest, i, prev, limit)
		}
		prev = i
	}
	return nil
}

// DiffBuckets compares t with remote level by level and returns the leaf
// buckets (ascending) whose hashes differ, without fetching any entries. A
// store that streams key ranges (see [Tree.BucketRange]) needs only this.
// It costs at most Depth round trips: the first asks for the Fanout
// children of the root, and each later one for the children of the nodes
// that differed.
func (t *Tree) DiffBuckets(ctx context.Context, remote Remote) ([]int, Stats, error) {
	return diffBuckets(ctx, t, remote)
}

func diffBuckets(ctx context.Context, t nodeReader, remote Remote) ([]int, Stats, error) {
	var st Stats
	shape := t.Options()
	nodes := make([]int, shape.Fanout)
	for i := range nodes {
		nodes[i] = i
	}
	for level := 1; ; level++ {
		hs, err := remote.Hashes(ctx, shape, level, nodes)
		st.RoundTrips++
		st.Bytes += hashesRequestSize(shape, level, nodes) + hashesResponseSize(len(hs))
		if err != nil {
			return nil, st, err
		}
		st.Hashes += len(hs)
		if len(hs) != len(nodes) {
			return nil, st, fmt.Errorf("%w: %d hashes for %d nodes at level %d", ErrShapeMismatch, len(hs), len(nodes), level)
		}
		differ := nodes[:0:0]
		for i, n := range nodes {
			if t.node(level, n) != hs[i] {
				differ = append(differ, n)
			}
		}
		if level == shape.Depth || len(differ) == 0 {
			st.Buckets = len(differ)
			return differ, st, nil
		}
		next := make([]int, 0, len(differ)*shape.Fanout)
		for _, n := range differ {
			for c := range shape.Fanout {
				next = append(next, n*shape.Fanout+c)
			}
		}
		nodes = next
	}
}

// Diff compares t with remote and returns every key whose value hash
// differs or that only one side has, sorted by key, with the counts of what
// was exchanged. It costs at most Depth+1 round trips: [Tree.DiffBuckets],
// then one request for the entries of the differing buckets.
//
// With n keys per side, d differences and L = Fanout^Depth buckets, about
// Fanout·Depth·d hashes and 2·d·n/L entries are exchanged (when d is much
// smaller than L), against n entries for a full comparison.
func (t *Tree) Diff(ctx context.Context, remote Remote) ([]Difference, Stats, error) {
	buckets, st, err := t.DiffBuckets(ctx, remote)
	if err != nil || len(buckets) == 0 {
		return nil, st, err
	}
	return compareEntries(ctx, t.Options(), buckets, st, remote, t.entries(buckets))
}

// fetchRemote asks remote for the entries of buckets, adds the exchange to
// st, and returns them by key after checking that each is in one of the
// buckets and sent once.
func fetchRemote(ctx context.Context, shape Options, buckets []int, st *Stats, remote Remote) (map[string]uint64, error) {
	entries, err := remote.Entries(ctx, shape, buckets)
	st.RoundTrips++
	st.Bytes += entriesRequestSize(shape, buckets) + entriesResponseSize(entries)
	if err != nil {
		return nil, err
	}
	st.Entries = len(entries)
	byKey := make(map[string]uint64, len(entries))
	for _, e := range entries {
		if err := inBuckets(shape, buckets, e.Key); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadResponse, err)
		}
		if _, dup := byKey[e.Key]; dup {
			return nil, fmt.Errorf("%w: key %q sent twice", ErrBadResponse, e.Key)
		}
		byKey[e.Key] = e.ValueHash
	}
	return byKey, nil
}

// inBuckets returns an error unless key falls in one of buckets (ascending)
// of a tree shaped by shape.
func inBuckets(shape Options, buckets []int, key string) error {
	b := bucketIn(HashKey(key), leavesOf(shape))
	if _, ok := slices.BinarySearch(buckets, b); !ok {
		return fmt.Errorf("key %q is in bucket %d, which was not asked for", key, b)
	}
	return nil
}

// compareEntries finishes a diff: it fetches the remote entries of buckets
// and compares them with local, the local entries of the same buckets.
func compareEntries(ctx context.Context, shape Options, buckets []int, st Stats, remote Remote, local []Entry) ([]Difference, Stats, error) {
	remoteByKey, err := fetchRemote(ctx, shape, buckets, &st, remote)
	if err != nil {
		return nil, st, err
	}
	var diffs []Difference
	for _, e := range local {
		rv, ok := remoteByKey[e.Key]
		if ok {
			delete(remoteByKey, e.Key)
			if rv == e.ValueHash {
				continue
			}
		}
		diffs = append(diffs, Difference{Key: e.Key, Local: e.ValueHash, Remote: rv, InLocal: true, InRemote: ok})
	}
	for k, v := range remoteByKey {
		diffs = append(diffs, Difference{Key: k, Remote: v, InRemote: true})
	}
	slices.SortFunc(diffs, func(a, b Difference) int { return cmp.Compare(a.Key, b.Key) })
	return diffs, st, nil
}
