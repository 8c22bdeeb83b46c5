// Package vclock provides vector clocks and dotted version vectors: how the
// replicas of a Dynamo-style store tell whether one write saw another or the
// two conflict, and keep conflicting writes as siblings instead of losing
// one.
//
// # Vector clocks
//
// A [Clock] maps node identifiers to event counters. [Clock.Increment]
// records an event, [Clock.Merge] takes the least upper bound, and
// [Clock.Compare] returns [Before], [After], [Equal] or [Concurrent]
// (Lamport 1978; Fidge 1988; Mattern 1988); [Clock.Descends] reports
// whether one clock has seen everything the other has. Entries are kept
// sorted by node, so compare and merge are linear merges that do not
// allocate (medians of about 15 ns and 37 ns for two 16-entry clocks on a
// shared 2-core Xeon, against about 950 ns and 470 ns for a map-based
// clock), and the canonical binary
// encoding delta-codes nodes and varint-codes counters: 34 bytes for 16
// nodes numbered 1..16 with counters below 128. [Clock.String] and [Parse]
// give a text form that round-trips, e.g. "{1:3,7:1}".
//
//	var c vclock.Clock
//	c.Increment(1)
//	c.Merge(other)
//	if c.Compare(other) == vclock.Concurrent { /* keep both */ }
//
// # Pruning
//
// When clients or many coordinators write a key, clocks grow. A [Pruner]
// trims them as Riak does (small_vclock, big_vclock, young_vclock,
// old_vclock, using per-entry times recorded by [Clock.IncrementAt]). Its
// documentation states the risk: mostly false conflicts (extra siblings),
// and rarely a lost write when a pruned entry carried an update the other
// clock had not seen.
//
// # Dotted version vectors
//
// [Siblings] is the server-side sibling set of one key under dotted version
// vectors (Preguiça et al., "Dotted Version Vectors: Logical Clocks for
// Optimistic Replication", https://arxiv.org/abs/1011.5808), as in Riak 2.
// A read returns the values and a causal context ([Siblings.Context], a
// plain Clock to send to the client); a write goes through
// [Siblings.Update] with the context the client read, which drops exactly
// the versions the client saw; replicas combine their sets with
// [Siblings.Sync]. Clocks have one entry per replica, never per client, and
// concurrent writes through one replica remain distinct siblings, so
// clients that write without reading do not make siblings pile up: with k
// clients each writing with the context of its own last write, a key keeps
// at most k siblings, where a store with one vector clock per key (Riak's
// vnode vclocks) keeps one per write.
//
// # Encodings
//
// [Clock] implements encoding.BinaryMarshaler/Unmarshaler and
// TextMarshaler/Unmarshaler; [Siblings.AppendBinary] and [DecodeSiblings]
// encode a sibling set with a caller-supplied value codec. The decoders
// accept only canonical input, return ErrCorrupt or ErrSyntax, and are
// fuzzed.
//
// # Concurrency
//
// Clock is a value type sharing its entries, like a slice: it is not safe
// for concurrent modification, and a copy must be cloned ([Clock.Clone])
// before it is modified while the original is still used. [Siblings] is
// immutable and safe for concurrent readers. [Pruner] is safe for
// concurrent use.
//
// # Tests
//
// The DVV model test replays random interleavings of clients and replicas
// and checks, after every step, that each replica holds exactly the writes
// it knows that no other write it knows has seen. Set VCLOCK_MODEL_TRIALS to
// run more interleavings than the default.
//
// # Used by
//
// The kvstore example versions values with [Siblings] and ships contexts to
// clients as encoded clocks.
package vclock
