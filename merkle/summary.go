package merkle

import (
	"context"
	"fmt"
	"math/bits"
	"slices"
)

// EntrySource lists the entries of some leaf buckets of a [Summary] from the
// store that owns them: every key whose bucket ([Summary.Bucket]) is one of
// buckets (ascending), once, with the value hash the Summary was told about,
// in any order. A store indexed by key hash can stream the ranges of
// [Summary.BucketRange]; any other store can scan its keys and keep those
// in the buckets. A diff calls it for the few buckets that differ.
type EntrySource func(ctx context.Context, buckets []int) ([]Entry, error)

// Summary is the hash half of a [Tree]: the same node hashes over the same
// buckets, bit for bit, without the entries. The store that owns the keys
// keeps them and tells the Summary about each change with the value hash it
// replaces, so an update is a key hash and Depth+1 additions, with no
// per-key lookup and no per-key memory. The store lists a bucket's entries
// through an [EntrySource] when a diff needs them.
//
// Use a Summary when the store already reads a key's old value (or its
// hash) while writing it, as a KV store does to maintain indexes or
// siblings: at 10M keys an update then costs a few tens of nanoseconds,
// where [Tree.Put] pays two or three cache misses to find the old value
// hash in its own entry table. Use a Tree when the caller does not know the
// old value hash, or when the tree must hold the entries itself.
//
// # Contract
//
// The hashes stay equal to those of a Tree holding the store's contents
// only if every change is reported exactly once and correctly:
// [Summary.Insert] for a key that was absent, [Summary.Remove] with the
// value hash the key had, [Summary.Update] with the old and the new value
// hash. A wrong report makes the bucket's hash disagree with its entries;
// [Summary.Diff] detects that for the buckets it examines and returns an
// error wrapping ErrStale, and [Summary.Rehash] recomputes buckets from the
// source.
//
// A Summary and a Tree with the same options and contents have the same
// node hashes, so either can diff against the other, in process or over a
// [RoundTripFunc].
//
// Create a Summary with [NewSummary]; the zero value is not usable. A
// Summary is not safe for concurrent use; the EntrySource is called from
// the goroutine that calls Diff, Entries, Serve or Rehash.
type Summary struct {
	fanout, depth int
	// shift is log2(fanout) when fanout is a power of two (the parent of
	// node i is i>>shift), or 0 otherwise (i/fanout).
	shift  uint
	levels [][]uint64 // levels[0] is the root, levels[depth] the buckets
	n      int
	src    EntrySource
}

// NewSummary returns an empty Summary shaped by opts whose entries come
// from src, or an error wrapping ErrInvalidOptions. src may be nil when the
// Summary only answers hash requests and [Summary.DiffBuckets]; asking it
// for entries then fails with ErrNoSource.
func NewSummary(opts Options, src EntrySource) (*Summary, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	s := &Summary{fanout: opts.Fanout, depth: opts.Depth, src: src}
	if opts.Fanout&(opts.Fanout-1) == 0 {
		s.shift = uint(bits.TrailingZeros(uint(opts.Fanout)))
	}
	s.levels = make([][]uint64, opts.Depth+1)
	width := 1
	for l := range s.levels {
		s.levels[l] = make([]uint64, width)
		width *= opts.Fanout
	}
	return s, nil
}

// Options returns the fan-out and depth of s.
func (s *Summary) Options() Options { return Options{Fanout: s.fanout, Depth: s.depth} }

// Len returns the number of Insert calls minus the number of Remove calls:
// the number of keys, if the contract is kept.
func (s *Summary) Len() int { return s.n }

// Buckets returns the number of leaf buckets, Fanout^Depth.
func (s *Summary) Buckets() int { return len(s.levels[s.depth]) }

// Root returns the hash of the whole tree, equal to [Tree.Root] of a Tree
// with the same options and contents; 0 when empty.
func (s *Summary) Root() uint64 { return s.levels[0][0] }

// NodeHash returns the hash of node index at level (0 is the root, Depth
// the buckets). It reports false when the node does not exist.
func (s *Summary) NodeHash(level, index int) (uint64, bool) {
	if level < 0 || level > s.depth || index < 0 || index >= len(s.levels[level]) {
		return 0, false
	}
	return s.levels[level][index], true
}

func (s *Summary) width(level int) int          { return len(s.levels[level]) }
func (s *Summary) node(level, index int) uint64 { return s.levels[level][index] }

// Bucket returns the leaf bucket of key, as [Tree.Bucket] does.
func (s *Summary) Bucket(key string) int { return bucketIn(HashKey(key), s.Buckets()) }

// BucketRange returns the inclusive range [lo, hi] of key hashes that fall
// in bucket b, as [Tree.BucketRange] does.
func (s *Summary) BucketRange(b int) (lo, hi uint64, ok bool) { return bucketRange(b, s.Buckets()) }

// add adds delta to the bucket of kh and all its ancestors.
func (s *Summary) add(kh, delta uint64) {
	leaves := s.levels[s.depth]
	hi, _ := bits.Mul64(kh, uint64(len(leaves)))
	b := int(hi)
	leaves[b] += delta
	if s.shift != 0 {
		for l := s.depth - 1; l >= 0; l-- {
			b >>= s.shift
			s.levels[l][b] += delta
		}
		return
	}
	for l := s.depth - 1; l >= 0; l-- {
		b /= s.fanout
		s.levels[l][b] += delta
	}
}

// Insert records a key that was absent with value hash valueHash. O(Depth).
func (s *Summary) Insert(key string, valueHash uint64) {
	kh := HashKey(key)
	s.add(kh, entryHash(kh, valueHash))
	s.n++
}

// Remove records that key, whose value hash was valueHash, was deleted.
// O(Depth).
func (s *Summary) Remove(key string, valueHash uint64) {
	kh := HashKey(key)
	s.add(kh, -entryHash(kh, valueHash))
	s.n--
}

// Update records that key's value hash changed from oldValueHash to
// newValueHash. It is the one-call form of Remove then Insert, and costs
// one key hash and Depth+1 additions along one path. O(Depth).
func (s *Summary) Update(key string, oldValueHash, newValueHash uint64) {
	if oldValueHash == newValueHash {
		return
	}
	kh := HashKey(key)
	s.add(kh, entryHash(kh, newValueHash)-entryHash(kh, oldValueHash))
}

// Reset empties s, keeping its options and source, so it can be rebuilt
// from the store with Insert.
func (s *Summary) Reset() {
	for _, l := range s.levels {
		clear(l)
	}
	s.n = 0
}

// localEntries asks the source for the entries of buckets and checks that
// each is in one of them and listed once. It returns them with the sum of
// their mixed hashes per bucket, in the order of buckets.
func (s *Summary) localEntries(ctx context.Context, buckets []int) ([]Entry, []uint64, error) {
	if s.src == nil {
		return nil, nil, ErrNoSource
	}
	es, err := s.src(ctx, buckets)
	if err != nil {
		return nil, nil, err
	}
	sums := make([]uint64, len(buckets))
	seen := make(map[string]struct{}, len(es))
	leaves := s.Buckets()
	for _, e := range es {
		kh := HashKey(e.Key)
		i, ok := slices.BinarySearch(buckets, bucketIn(kh, leaves))
		if !ok {
			return nil, nil, fmt.Errorf("%w: key %q is in bucket %d, which was not asked for", ErrBadSource, e.Key, bucketIn(kh, leaves))
		}
		if _, dup := seen[e.Key]; dup {
			return nil, nil, fmt.Errorf("%w: key %q listed twice", ErrBadSource, e.Key)
		}
		seen[e.Key] = struct{}{}
		sums[i] += entryHash(kh, e.ValueHash)
	}
	return es, sums, nil
}

// Hashes implements [Remote] for an in-process Summary.
func (s *Summary) Hashes(ctx context.Context, shape Options, level int, nodes []int) ([]uint64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.checkShape(shape); err != nil {
		return nil, err
	}
	return hashesOf(s, level, nodes, nil)
}

// Entries implements [Remote] for an in-process Summary: it returns what
// the source lists for buckets, after the checks of [EntrySource]'s
// contract (errors wrap ErrBadSource).
func (s *Summary) Entries(ctx context.Context, shape Options, buckets []int) ([]Entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.checkShape(shape); err != nil {
		return nil, err
	}
	if err := checkAscending(buckets, s.Buckets()); err != nil {
		return nil, err
	}
	es, _, err := s.localEntries(ctx, buckets)
	return es, err
}

func (s *Summary) checkShape(shape Options) error {
	if shape.withDefaults() != s.Options() {
		return fmt.Errorf("%w: asked with %+v, have %+v", ErrShapeMismatch, shape.withDefaults(), s.Options())
	}
	return nil
}

// DiffBuckets compares s with remote level by level and returns the leaf
// buckets (ascending) whose hashes differ, as [Tree.DiffBuckets] does; it
// does not call the source.
func (s *Summary) DiffBuckets(ctx context.Context, remote Remote) ([]int, Stats, error) {
	return diffBuckets(ctx, s, remote)
}

// Diff compares s with remote and returns every key whose value hash
// differs or that only one side has, sorted by key, as [Tree.Diff] does,
// with the same round trips and exchange. The local entries of the
// differing buckets come from the source; when they do not add up to a
// bucket's hash (an update was reported wrongly or missed) Diff returns an
// error wrapping ErrStale that names the bucket, and [Summary.Rehash]
// repairs it.
func (s *Summary) Diff(ctx context.Context, remote Remote) ([]Difference, Stats, error) {
	buckets, st, err := s.DiffBuckets(ctx, remote)
	if err != nil || len(buckets) == 0 {
		return nil, st, err
	}
	local, sums, err := s.localEntries(ctx, buckets)
	if err != nil {
		return nil, st, err
	}
	for i, b := range buckets {
		if sums[i] != s.levels[s.depth][b] {
			return nil, st, fmt.Errorf("%w: bucket %d", ErrStale, b)
		}
	}
	return compareEntries(ctx, s.Options(), buckets, st, remote, local)
}

// Rehash recomputes the hashes of buckets (ascending) from the entries the
// source lists for them, and their ancestors, repairing the damage of
// wrongly reported updates in those buckets. It returns the buckets whose
// hash changed. Len is not changed.
func (s *Summary) Rehash(ctx context.Context, buckets []int) ([]int, error) {
	if err := checkAscending(buckets, s.Buckets()); err != nil {
		return nil, err
	}
	_, sums, err := s.localEntries(ctx, buckets)
	if err != nil {
		return nil, err
	}
	var changed []int
	for i, b := range buckets {
		if delta := sums[i] - s.levels[s.depth][b]; delta != 0 {
			lo, _, _ := s.BucketRange(b) // a key hash in bucket b
			s.add(lo, delta)
			changed = append(changed, b)
		}
	}
	return changed, nil
}

// Serve answers one diff request produced by a [RoundTripFunc] on another
// replica, as [Tree.Serve] does, listing entries through the source with
// ctx. Malformed requests return an error wrapping ErrBadRequest or
// ErrCorrupt; Serve never panics on bad input and only reads s.
func (s *Summary) Serve(ctx context.Context, req []byte) ([]byte, error) {
	return serve(s, req, func(buckets []int) ([]Entry, error) {
		es, _, err := s.localEntries(ctx, buckets)
		return es, err
	})
}
