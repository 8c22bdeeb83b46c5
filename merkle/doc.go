// Package merkle provides the two Merkle trees of replicated storage: an
// anti-entropy [Tree] that lets two replicas find the keys on which they
// differ while exchanging a small fraction of their hashes, and a classic
// [BinaryTree] over an ordered list of blocks with inclusion proofs.
//
// # Anti-entropy trees
//
// Dynamo-style stores (Dynamo, Cassandra, Riak) repair replicas after
// permanent failures by comparing Merkle trees over their key space rather
// than the keys themselves (DeCandia et al., "Dynamo: Amazon's Highly
// Available Key-value Store", SOSP 2007, section 4.7,
// https://www.allthingsdistributed.com/files/amazon-dynamo-sosp2007.pdf).
// A [Tree] cuts the 64-bit xxhash space of keys into Fanout^Depth leaf
// buckets. Each bucket's hash is an order-independent sum of a mix of each
// key's hash and its value hash, and each inner node's hash is the sum of its
// children, so [Tree.Put] and [Tree.Delete] update the Depth+1 hashes on one
// path: O(Depth) plus a binary search in the key's bucket, with no rebuild.
//
// [Tree.Diff] runs the comparison against a [Remote]: it asks for the hashes
// of the root's children, then only for the children of nodes that differ,
// down to the leaf buckets, and finally for the entries of the differing
// buckets. The [Remote] can be another *Tree in the same process or any
// transport: wrap the transport in a [RoundTripFunc] and have the far end
// answer with [Tree.Serve]. [Stats] counts round trips, hashes, candidate
// entries and wire bytes.
//
//	local, _ := merkle.New(merkle.Options{})  // fan-out 16, depth 4
//	local.PutValue("user:42", []byte("alice"))
//	diffs, stats, err := local.Diff(ctx, remote)
//
// Costs, with n keys, fan-out f, depth d, L = f^d buckets and k differing
// keys: Put and Delete O(d) plus an interpolation search in one bucket,
// bound by cache misses in a large tree: at 10M keys a median 1.2 µs to
// overwrite a random key and 0.87 µs to add one (a Go map write of the
// same keys: 0.23 and 0.33 µs, on the same 2-core VM), since finding the
// old value hash touches the bucket, its entry and the stored key, three
// dependent random memory accesses;
// memory about 51 bytes per key at 10M keys (32 per entry plus slice slack)
// plus the key bytes, 32 bytes per bucket and 8·L/(f-1) bytes of inner hashes; a diff of k << L keys
// takes at most d+1 round trips and exchanges about f·d·k hashes plus the
// entries of k buckets (2·k·n/L candidates). Choose L near n/16 to keep the
// candidate list short; for 10M keys, Options{Fanout: 64, Depth: 3}
// (262,144 buckets, 4 round trips) finds one difference with 192 hashes.
//
// # Summaries: updates without per-key state
//
// A store that already reads a key's old value while writing it (to keep
// siblings, indexes or a changelog) can keep a [Summary] instead: the same
// node hashes as a Tree of the same contents, without the entries.
// [Summary.Update](key, oldValueHash, newValueHash) adds the difference of
// the two mixed hashes along one path, so it costs a key hash and d+1
// additions in dense arrays (8 bytes per node, 2.1 MB for 262,144 buckets
// whatever n is): a median 36 ns per overwrite and 35 ns per new key at
// 10M keys on the same VM, against 1.2 µs for [Tree.Put]. The
// store lists the entries of the few buckets a diff examines through an
// [EntrySource]. A Summary and a Tree diff against each other over the
// same protocol. The price is a contract: every change
// must be reported once with the right old value hash; a broken report
// shows up as ErrStale in [Summary.Diff], and [Summary.Rehash] repairs the
// bucket from the store.
//
// # Binary trees and inclusion proofs
//
// A [BinaryTree] is the RFC 6962 / RFC 9162 Merkle hash tree
// (https://www.rfc-editor.org/rfc/rfc9162#section-2.1): SHA-256 with
// domain-separated leaf (0x00) and inner (0x01) hashes, against
// second-preimage attacks, and an unbalanced last subtree rather than a
// duplicated last node. [BinaryTree.Proof] returns a [Proof] of O(log n)
// hashes, which [Proof.Verify] checks against a trusted root; any change to
// the block, the proof or the root fails with ErrProofInvalid. A
// [BlockHasher] computes the same root while streaming a file, as a
// hash.Hash. SHA-256 is
// chosen because integrity needs a collision-resistant hash (xxhash is not
// one), it is the hash of RFC 6962, and crypto/sha256 uses the CPU's SHA
// instructions.
//
// # Encodings
//
// [Tree], [BinaryTree] and [Proof] implement encoding.BinaryMarshaler and
// BinaryUnmarshaler; decoders reject malformed input with ErrCorrupt and are
// fuzzed (go test -fuzz=FuzzTreeUnmarshal and the other Fuzz targets). A
// [Summary] has no encoding: it is rebuilt from its store with
// [Summary.Insert], tens of nanoseconds per key.
//
// # Concurrency
//
// [Tree] and [Summary] are not safe for concurrent use; guard them with a sync.RWMutex when
// writes and [Tree.Serve] run in different goroutines (Serve and Diff only
// read the local tree; a Summary's EntrySource is called from the goroutine
// of the call). [BinaryTree] and [Proof] are immutable once built
// and safe for concurrent readers.
//
// # Tests
//
// The diff test compares two trees of 1,000,000 keys with 10 differences
// (100,000 under the race detector); set MERKLE_DIFF_KEYS to run another
// size, e.g. MERKLE_DIFF_KEYS=10000000 go test -run TestDiffLarge ./merkle.
//
// # Used by
//
// The kvstore example keeps a [Summary] per peer over storage ordered by key
// hash and repairs replicas with [Summary.Diff] over the wire protocol; the
// drive example checks every downloaded block against a version's
// [BinaryTree] root with a [Proof].
package merkle
