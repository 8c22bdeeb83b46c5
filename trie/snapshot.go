package trie

import (
	"iter"
	"sync/atomic"
)

// Snapshot is an immutable copy of a [Trie], safe for concurrent use by any
// number of goroutines without locks. A query server holds the current
// Snapshot in a [Holder]; a builder makes the next one (from a fresh query
// log with [Build], or by updating a Trie and calling [Trie.Snapshot]) and
// swaps it in atomically, so readers never wait and never see a half-built
// index. Snapshots can also be shipped between machines with MarshalBinary
// and [UnmarshalSnapshot].
type Snapshot struct {
	t *Trie
}

// Snapshot returns an immutable deep copy of t. O(size of t).
func (t *Trie) Snapshot() *Snapshot {
	return &Snapshot{t: t.clone()}
}

// Freeze turns t into a Snapshot without copying; t must not be used
// afterwards. Use it for a trie built only to be served (e.g. by [Build]).
func (t *Trie) Freeze() *Snapshot { return &Snapshot{t: t} }

func (t *Trie) clone() *Trie {
	c := &Trie{opts: t.opts, n: t.n}
	c.entries = append([]entry(nil), t.entries...)
	c.free = append([]int32(nil), t.free...)
	c.root = new(node)
	cloneInto(c.root, t.root)
	return c
}

func cloneInto(c, v *node) {
	*c = node{label: v.label, term: v.term, first: v.first}
	if v.in != nil {
		c.in = &inner{
			top:      append([]int32(nil), v.in.top...),
			children: make([]node, len(v.in.children)),
		}
		for i := range v.in.children {
			cloneInto(&c.in.children[i], &v.in.children[i])
		}
	}
}

// UnmarshalSnapshot decodes a Snapshot from data produced by
// [Trie.MarshalBinary] or [Snapshot.MarshalBinary]. normalize is the
// Options.Normalize function to apply to prefixes (nil for none); it cannot
// be encoded. Errors are as for [Trie.UnmarshalBinary].
func UnmarshalSnapshot(data []byte, normalize func(string) string) (*Snapshot, error) {
	t := &Trie{opts: Options{Normalize: normalize}}
	if err := t.UnmarshalBinary(data); err != nil {
		return nil, err
	}
	return &Snapshot{t: t}, nil
}

// Len returns the number of stored queries.
func (s *Snapshot) Len() int { return s.t.Len() }

// TopK is [Trie.TopK] on the snapshot.
func (s *Snapshot) TopK(prefix string, k int) []Suggestion { return s.t.TopK(prefix, k) }

// AppendTopK is [Trie.AppendTopK] on the snapshot.
func (s *Snapshot) AppendTopK(dst []Suggestion, prefix string, k int) []Suggestion {
	return s.t.AppendTopK(dst, prefix, k)
}

// Fuzzy is [Trie.Fuzzy] on the snapshot.
func (s *Snapshot) Fuzzy(prefix string, maxEdits, k int) ([]Suggestion, error) {
	return s.t.Fuzzy(prefix, maxEdits, k)
}

// Weight is [Trie.Weight] on the snapshot.
func (s *Snapshot) Weight(query string) (int64, bool) { return s.t.Weight(query) }

// All is [Trie.All] on the snapshot.
func (s *Snapshot) All() iter.Seq2[string, int64] { return s.t.All() }

// MarshalBinary is [Trie.MarshalBinary] on the snapshot.
func (s *Snapshot) MarshalBinary() ([]byte, error) { return s.t.MarshalBinary() }

// Stats is [Trie.Stats] on the snapshot.
func (s *Snapshot) Stats() Stats { return s.t.Stats() }

// Thaw returns a mutable deep copy of the snapshot, to update and snapshot
// again.
func (s *Snapshot) Thaw() *Trie { return s.t.clone() }

// Holder publishes the current [Snapshot] to readers: Load is one atomic
// load, Store one atomic store, so queries are served lock-free while a new
// snapshot is built and swapped in. The zero Holder holds nil. A Holder is
// safe for concurrent use and must not be copied after first use.
type Holder struct {
	p atomic.Pointer[Snapshot]
}

// Load returns the current snapshot (nil before the first Store).
func (h *Holder) Load() *Snapshot { return h.p.Load() }

// Store publishes s; readers that already loaded the previous snapshot keep
// using it until they finish.
func (h *Holder) Store(s *Snapshot) { h.p.Store(s) }

// Swap publishes s and returns the previous snapshot.
func (h *Holder) Swap(s *Snapshot) *Snapshot { return h.p.Swap(s) }

// TopK answers from the current snapshot; it returns nil before the first
// Store.
func (h *Holder) TopK(prefix string, k int) []Suggestion {
	if s := h.Load(); s != nil {
		return s.TopK(prefix, k)
	}
	return nil
}
