package vclock

import (
	"cmp"
	"iter"
	"slices"
	"strconv"
)

// Dot names one write: the Counter-th event at replica Node.
type Dot struct {
	Node, Counter uint64
}

// String returns "node:counter".
func (d Dot) String() string {
	return strconv.FormatUint(d.Node, 10) + ":" + strconv.FormatUint(d.Counter, 10)
}

func cmpDot(a, b Dot) int {
	if c := cmp.Compare(a.Node, b.Node); c != 0 {
		return c
	}
	return cmp.Compare(a.Counter, b.Counter)
}

// Version is one sibling value with its dotted version vector: the write's
// own [Dot] and the causal context the writing client had read (Past). The
// version's causal history is Past plus Dot; the dot need not be contiguous
// with Past, which is what lets a replica tell apart concurrent writes it
// coordinated itself.
type Version[V any] struct {
	Dot   Dot
	Past  Clock
	Value V
}

// Siblings is the set of concurrent versions a replica keeps for one key,
// versioned with dotted version vectors (Preguiça, Baquero, Almeida,
// Fonte, Gonçalves, "Dotted Version Vectors: Logical Clocks for Optimistic
// Replication", 2010, https://arxiv.org/abs/1011.5808). It is the
// server-side state of a Dynamo-style store that keeps siblings:
//
//   - a client reads the values and the causal context ([Siblings.Context]);
//   - it writes a new value with that context; the replica coordinating the
//     write calls [Siblings.Update], which drops exactly the versions the
//     client had seen and adds the new one as a sibling of the rest;
//   - replicas exchange their sets and combine them with [Siblings.Sync].
//
// Clocks carry one entry per replica, never per client, yet concurrent
// writes through the same replica stay apart, so there is no sibling
// explosion: a sibling survives only when no later write saw it.
//
// The zero value is an empty set. Siblings is immutable: Update and Sync
// return new sets and never modify their receivers or arguments, so a set
// may be shared by goroutines that do not modify the Version values they
// read.
type Siblings[V any] struct {
	vs []Version[V] // sorted by Dot; no version's dot is covered by another's Past
}

// Len returns the number of sibling versions.
func (s Siblings[V]) Len() int { return len(s.vs) }

// All returns an iterator over the versions in dot order. The Past clocks
// are shared with s and must not be modified.
func (s Siblings[V]) All() iter.Seq[Version[V]] {
	return func(yield func(Version[V]) bool) {
		for _, v := range s.vs {
			if !yield(v) {
				return
			}
		}
	}
}

// Values returns the sibling values in dot order.
func (s Siblings[V]) Values() []V {
	out := make([]V, len(s.vs))
	for i, v := range s.vs {
		out[i] = v.Value
	}
	return out
}

// Context returns the causal context a client gets with a read: the join of
// every version's history (Past and Dot). A write made with this context
// replaces every version in s. The context is a plain [Clock] with one entry
// per replica, so it encodes compactly to send to clients. O(n·r) for n
// versions of r-entry clocks.
func (s Siblings[V]) Context() Clock {
	var c Clock
	for _, v := range s.vs {
		c.Merge(v.Past)
		c.mergeEntry(Entry{Node: v.Dot.Node, Counter: v.Dot.Counter})
	}
	return c
}

// Update returns the sibling set after replica coordinates a client's write
// of value, made with the causal context ctx the client read (the empty
// clock for a blind write), and the new version's dot. Versions whose dots
// ctx covers are dropped, since the client saw them; the others stay as
// siblings of the new version, whose dot takes replica's next counter and
// whose Past is ctx. ctx is copied. The receiver is not modified.
//
// To keep dots unique, every write coordinated by replica must go through
// the same replica's current set (the usual case: the coordinator holds the
// key). O(n·r) for n versions of r-entry clocks.
func (s Siblings[V]) Update(ctx Clock, replica uint64, value V) (Siblings[V], Dot) {
	n := ctx.Get(replica)
	for _, v := range s.vs {
		n = max(n, v.Past.Get(replica))
		if v.Dot.Node == replica {
			n = max(n, v.Dot.Counter)
		}
	}
	n++
	d := Dot{Node: replica, Counter: n}
	out := make([]Version[V], 0, len(s.vs)+1)
	for _, v := range s.vs {
		if !ctx.Covers(v.Dot) {
			out = append(out, v)
		}
	}
	nv := Version[V]{Dot: d, Past: ctx.Clone(), Value: value}
	i, _ := slices.BinarySearchFunc(out, d, func(v Version[V], d Dot) int { return cmpDot(v.Dot, d) })
	out = slices.Insert(out, i, nv)
	return Siblings[V]{vs: out}, d
}

// Sync returns the union of two replicas' sets for the same key without the
// versions that the other set's versions have seen: a version stays unless
// some version in either set has its dot in its Past. Sync is commutative,
// associative and idempotent, so replicas may exchange sets in any order
// and converge. Neither set is modified. O((n+m)²·r).
func (s Siblings[V]) Sync(o Siblings[V]) Siblings[V] {
	all := make([]Version[V], 0, len(s.vs)+len(o.vs))
	i, j := 0, 0
	for i < len(s.vs) || j < len(o.vs) {
		switch {
		case j == len(o.vs) || (i < len(s.vs) && cmpDot(s.vs[i].Dot, o.vs[j].Dot) < 0):
			all = append(all, s.vs[i])
			i++
		case i == len(s.vs) || cmpDot(s.vs[i].Dot, o.vs[j].Dot) > 0:
			all = append(all, o.vs[j])
			j++
		default: // the same write on both sides
			all = append(all, s.vs[i])
			i++
			j++
		}
	}
	out := all[:0:0]
	for _, v := range all {
		if !slices.ContainsFunc(all, func(w Version[V]) bool { return w.Dot != v.Dot && w.Past.Covers(v.Dot) }) {
			out = append(out, v)
		}
	}
	return Siblings[V]{vs: out}
}
