package merkle

import (
	"fmt"
	"iter"
	"math"
	"math/bits"
	"slices"
	"strings"

	"github.com/cespare/xxhash/v2"
	"github.com/sysdesign-go/sysdesign/internal/mix"
)

// Defaults and limits of [Options].
const (
	// DefaultFanout is the fan-out used when Options.Fanout is zero.
	DefaultFanout = 16
	// DefaultDepth is the depth used when Options.Depth is zero.
	DefaultDepth = 4
	// MaxFanout is the largest fan-out New accepts.
	MaxFanout = 256
	// MaxLeaves bounds Fanout^Depth, the number of leaf buckets (each costs
	// 32 bytes).
	MaxLeaves = 1 << 22
)

// Options configures an anti-entropy [Tree]. The zero value means a fan-out
// of 16 and a depth of 4 (65,536 leaf buckets), which suits stores of up to a
// few million keys. Two trees can only be compared when their options are
// equal.
type Options struct {
	// Fanout is the number of children of every inner node, 2..256.
	// Zero means DefaultFanout (16).
	Fanout int
	// Depth is the number of levels below the root; leaves are at level
	// Depth. Zero means DefaultDepth (4). Fanout^Depth must not exceed
	// MaxLeaves.
	Depth int
}

func (o Options) withDefaults() Options {
	if o.Fanout == 0 {
		o.Fanout = DefaultFanout
	}
	if o.Depth == 0 {
		o.Depth = DefaultDepth
	}
	return o
}

// Validate reports whether the options (after defaults) describe a tree
// that New accepts; the error wraps ErrInvalidOptions.
func (o Options) Validate() error {
	o = o.withDefaults()
	if o.Fanout < 2 || o.Fanout > MaxFanout {
		return fmt.Errorf("%w: fanout %d not in [2, %d]", ErrInvalidOptions, o.Fanout, MaxFanout)
	}
	if o.Depth < 1 {
		return fmt.Errorf("%w: depth %d < 1", ErrInvalidOptions, o.Depth)
	}
	leaves := 1
	for range o.Depth {
		leaves *= o.Fanout
		if leaves > MaxLeaves {
			return fmt.Errorf("%w: fanout^depth exceeds %d leaves", ErrInvalidOptions, MaxLeaves)
		}
	}
	return nil
}

// Entry is one key and the hash of its value, as stored in a [Tree] and as
// exchanged by the diff protocol.
type Entry struct {
	Key       string
	ValueHash uint64
}

// slot is an entry with its key hash, kept sorted by (kh, key) in a bucket.
type slot struct {
	kh, vh uint64
	key    string
}

// Tree is an anti-entropy Merkle tree over the 64-bit xxhash space of keys,
// as Cassandra and Riak keep per replica: the hash space is cut into
// Fanout^Depth contiguous leaf buckets, every key lands in one bucket, and
// each node carries a 64-bit hash of everything below it. Two replicas find
// the keys on which they differ with [Tree.Diff], exchanging hashes level by
// level and descending only where they differ.
//
// A bucket's hash is the sum (mod 2^64) of a mixed hash of each (key, value
// hash) pair, and an inner node's hash is the sum of its children, so the
// hash does not depend on insertion order and [Tree.Put] or [Tree.Delete]
// changes exactly Depth+1 node hashes by the same delta: O(Depth) after an
// interpolation search of the key's bucket (O(1) expected, since key hashes
// are uniform).
//
// A store that knows each key's old value hash when it writes can keep a
// [Summary] instead: the same hashes, updated without any per-key lookup.
//
// The hashes detect accidental divergence (a missing or stale write), not
// an adversary: with 64-bit sums two different subtrees collide with
// probability about 2^-64 per comparison. Use [BinaryTree] for integrity
// against tampering.
//
// Create a Tree with [New]; the zero value is not usable. A Tree is not
// safe for concurrent use: guard it with a lock when one goroutine updates
// it while another serves diff requests from it.
type Tree struct {
	fanout, depth int
	levels        [][]uint64 // levels[0] is the root; level depth lives in buckets
	buckets       []bucket
	n             int
}

// bucket is a leaf: its hash next to its entries' slice header, so an
// update touches one cache line for both.
type bucket struct {
	hash  uint64
	slots []slot // sorted by (kh, key)
}

// New returns an empty tree shaped by opts, or an error wrapping
// ErrInvalidOptions.
func New(opts Options) (*Tree, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	t := &Tree{fanout: opts.Fanout, depth: opts.Depth}
	t.levels = make([][]uint64, opts.Depth)
	width := 1
	for l := range t.levels {
		t.levels[l] = make([]uint64, width)
		width *= opts.Fanout
	}
	t.buckets = make([]bucket, width)
	return t, nil
}

// Options returns the fan-out and depth of t.
func (t *Tree) Options() Options { return Options{Fanout: t.fanout, Depth: t.depth} }

// Len returns the number of keys in t.
func (t *Tree) Len() int { return t.n }

// Buckets returns the number of leaf buckets, Fanout^Depth.
func (t *Tree) Buckets() int { return len(t.buckets) }

// Root returns the hash of the whole tree. Two trees with the same options
// and the same (key, value hash) pairs have the same root; it is 0 for an
// empty tree.
func (t *Tree) Root() uint64 { return t.levels[0][0] }

// NodeHash returns the hash of node index at level (0 is the root, Depth the
// buckets). It reports false when the node does not exist.
func (t *Tree) NodeHash(level, index int) (uint64, bool) {
	if level < 0 || level > t.depth || index < 0 || index >= t.width(level) {
		return 0, false
	}
	return t.node(level, index), true
}

// width returns the number of nodes at level.
func (t *Tree) width(level int) int {
	if level == t.depth {
		return len(t.buckets)
	}
	return len(t.levels[level])
}

// node returns the hash of a node that exists.
func (t *Tree) node(level, index int) uint64 {
	if level == t.depth {
		return t.buckets[index].hash
	}
	return t.levels[level][index]
}

// HashKey returns the 64-bit key hash that places key in the tree (xxhash64,
// seed 0).
func HashKey(key string) uint64 { return xxhash.Sum64String(key) }

// HashValue returns the 64-bit value hash that [Tree.PutValue] stores
// (xxhash64, seed 0). Any other hash works with [Tree.Put] as long as every
// replica uses the same one.
func HashValue(value []byte) uint64 { return xxhash.Sum64(value) }

// Bucket returns the leaf bucket of key: the index of the key hash's range.
func (t *Tree) Bucket(key string) int { return t.bucketOf(HashKey(key)) }

func (t *Tree) bucketOf(kh uint64) int { return bucketIn(kh, len(t.buckets)) }

// bucketIn returns the bucket of key hash kh among leaves buckets: the
// high half of kh·leaves, so bucket b holds a contiguous 1/leaves of the
// hash space.
func bucketIn(kh uint64, leaves int) int {
	hi, _ := bits.Mul64(kh, uint64(leaves))
	return int(hi)
}

// leavesOf returns Fanout^Depth for options that passed Validate.
func leavesOf(o Options) int {
	o = o.withDefaults()
	n := 1
	for range o.Depth {
		n *= o.Fanout
	}
	return n
}

// BucketRange returns the inclusive range [lo, hi] of key hashes (see
// [HashKey]) that fall in bucket b, so a store can stream just that range.
// It returns (0, 0, false) for a bucket that does not exist.
func (t *Tree) BucketRange(b int) (lo, hi uint64, ok bool) { return bucketRange(b, len(t.buckets)) }

func bucketRange(b, leaves int) (lo, hi uint64, ok bool) {
	if b < 0 || b >= leaves {
		return 0, 0, false
	}
	start := func(b int) uint64 {
		// Smallest h with floor(h*L / 2^64) >= b, that is ceil(b*2^64 / L).
		q, r := bits.Div64(uint64(b), 0, uint64(leaves))
		if r != 0 {
			q++
		}
		return q
	}
	lo = start(b)
	if b == leaves-1 {
		return lo, math.MaxUint64, true
	}
	return lo, start(b+1) - 1, true
}

// entryHash combines a key hash and a value hash into the per-entry hash
// that is summed into the bucket (the splitmix64 finalizer over both, so
// sums of different entry sets do not cancel by accident).
func entryHash(kh, vh uint64) uint64 {
	x := kh ^ mix.SplitMix64(vh+0x9e3779b97f4a7c15)
	return mix.SplitMix64(x)
}

// locate returns kh's bucket and the position of (kh, key) in it (where it
// is or would be inserted), and reports whether it is there.
//
// Key hashes are uniform within a bucket, and the low half of kh·L is kh's
// fractional position in its bucket, so the search starts at the
// interpolated index and walks the few slots to the right place: one or two
// cache lines instead of a binary search's log2(n).
func (t *Tree) locate(kh uint64, key string) (b, i int, found bool) {
	hi, frac := bits.Mul64(kh, uint64(len(t.buckets)))
	b = int(hi)
	bucket := t.buckets[b].slots
	g, _ := bits.Mul64(frac, uint64(len(bucket)))
	i = int(g)
	target := slot{kh: kh, key: key}
	for i > 0 && cmpSlot(bucket[i-1], target) >= 0 {
		i--
	}
	for i < len(bucket) && cmpSlot(bucket[i], target) < 0 {
		i++
	}
	return b, i, i < len(bucket) && bucket[i].kh == kh && bucket[i].key == key
}

func cmpSlot(a, b slot) int {
	if a.kh != b.kh {
		if a.kh < b.kh {
			return -1
		}
		return 1
	}
	return strings.Compare(a.key, b.key)
}

// addPath adds delta to bucket b and all its ancestors.
func (t *Tree) addPath(b int, delta uint64) {
	t.buckets[b].hash += delta
	for l := t.depth - 1; l >= 0; l-- {
		b /= t.fanout
		t.levels[l][b] += delta
	}
}

// Put records that key now has a value whose hash is valueHash, replacing
// any previous value hash, and updates the Depth+1 hashes on the key's path.
func (t *Tree) Put(key string, valueHash uint64) {
	kh := HashKey(key)
	b, i, found := t.locate(kh, key)
	if found {
		s := &t.buckets[b].slots[i]
		if s.vh == valueHash {
			return
		}
		t.addPath(b, entryHash(kh, valueHash)-entryHash(kh, s.vh))
		s.vh = valueHash
		return
	}
	t.buckets[b].slots = slices.Insert(t.buckets[b].slots, i, slot{kh: kh, vh: valueHash, key: key})
	t.n++
	t.addPath(b, entryHash(kh, valueHash))
}

// PutValue is shorthand for t.Put(key, HashValue(value)).
func (t *Tree) PutValue(key string, value []byte) { t.Put(key, HashValue(value)) }

// Delete removes key and reports whether it was present.
func (t *Tree) Delete(key string) bool {
	kh := HashKey(key)
	b, i, found := t.locate(kh, key)
	if !found {
		return false
	}
	vh := t.buckets[b].slots[i].vh
	t.buckets[b].slots = slices.Delete(t.buckets[b].slots, i, i+1)
	t.n--
	t.addPath(b, -entryHash(kh, vh))
	return true
}

// Get returns the value hash stored for key and reports whether key is
// present.
func (t *Tree) Get(key string) (uint64, bool) {
	b, i, found := t.locate(HashKey(key), key)
	if !found {
		return 0, false
	}
	return t.buckets[b].slots[i].vh, true
}

// BucketEntries returns an iterator over the entries of bucket b in key-hash
// order (empty for a bucket that does not exist). The tree must not be
// modified during the iteration.
func (t *Tree) BucketEntries(b int) iter.Seq[Entry] {
	return func(yield func(Entry) bool) {
		if b < 0 || b >= len(t.buckets) {
			return
		}
		for _, s := range t.buckets[b].slots {
			if !yield(Entry{Key: s.key, ValueHash: s.vh}) {
				return
			}
		}
	}
}

// All returns an iterator over every key and value hash, in bucket order and
// by key hash within a bucket. The tree must not be modified during the
// iteration.
func (t *Tree) All() iter.Seq2[string, uint64] {
	return func(yield func(string, uint64) bool) {
		for _, bucket := range t.buckets {
			for _, s := range bucket.slots {
				if !yield(s.key, s.vh) {
					return
				}
			}
		}
	}
}
