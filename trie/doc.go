// Package trie is an autocomplete index: a radix tree of weighted queries
// that answers "the K most popular completions of this prefix" from lists
// cached at every node.
//
// This is the design of the search-autocomplete system in Alex Xu's
// "System Design Interview" (ch. 13): a trie whose nodes cache their top-k
// queries so that a lookup costs the length of the prefix plus k, a
// data-gathering step that aggregates a query log and rebuilds the trie in
// bulk, and query servers that serve an immutable copy and swap in the next
// one. Paths are compressed as in a radix tree (D. R. Morrison, "PATRICIA",
// JACM 1968, https://doi.org/10.1145/321479.321481), and the cached lists are
// kept correct under every update, not only rebuilt.
//
//	t, _ := trie.New(trie.Options{FoldCase: true})
//	t.Add("golang generics", 120)
//	t.Add("google maps", 900)
//	t.TopK("go", 10) // google maps (900), golang generics (120)
//
// # Costs
//
// With L the length of the prefix or query in runes, K = Options.K (default
// 10), d the depth of the query's node and c the number of children of a
// node:
//
//	TopK(prefix, k <= K)  O(L + k), no allocation with AppendTopK
//	TopK(prefix, k > K)   O(L + size of the prefix's subtree)
//	Insert, Add, Delete   O(L + d·K); when a query that is last in a full
//	                      cached list loses weight (or is deleted), that
//	                      node's list is recomputed from its children, O(c·K)
//	Fuzzy(prefix, e, k)   visits only nodes within e edits of the prefix
//	Build, ReadLog        O(n log n) for n distinct queries (sort + one pass)
//	Snapshot, Thaw        O(size), a deep copy
//	MarshalBinary         O(size); front-coded, CRC-32C checked
//
// Memory: one node per distinct branching point or query. A node is 32
// bytes stored by value in its parent's child array (exactly as long as the
// number of children, no spare capacity): its edge label, which shares the
// bytes of a stored query, the label's first rune (in what would be
// padding, so finding a child reads one array), its entry id and, for an
// inner node, a pointer to its children and its list of up to K 4-byte
// entry ids. Each query also costs an entry (string header and weight, 24 B)
// plus its bytes. On a generated 200,000-query log this comes to about 96 B
// per query measured on the heap, of which about 74 B is structure and the
// rest the queries' own bytes; on the 74,286-word list about 99 B per word
// not counting the words' bytes (BenchmarkTrie_Memory here and in
// benchmarks/trie);
// [Trie.Stats] gives an estimate without measuring.
//
// # Unicode
//
// Queries are UTF-8 and the trie works on runes: edges split only at rune
// boundaries and Fuzzy counts edits in runes. Options.FoldCase applies
// simple case folding (unicode.SimpleFold: "K", "k" and the Kelvin sign are
// one letter) but not full folding ("ß" stays distinct from "ss"), and the
// package does not normalise Unicode forms itself, to stay free of
// golang.org/x/text: pass norm.NFC.String (or any idempotent function) as
// Options.Normalize. Options.MaxLen bounds the length of stored queries and
// so of answered prefixes (default 100 runes).
//
// # Serving
//
// A [Trie] is a plain data structure, not safe for concurrent writes. For a
// query service, build a Trie (with [Build] or [ReadLog] from the aggregated
// query log, or by updating a [Snapshot.Thaw] copy), turn it into an
// immutable [Snapshot] and publish it in a [Holder]: readers load the current
// snapshot with one atomic load and never block, while the next snapshot is
// built and swapped in. [Trie.MarshalBinary] and [UnmarshalSnapshot] ship a
// snapshot from the builder to the query servers; the decoder validates
// everything and is fuzzed (FuzzUnmarshalBinary).
//
// # Typo tolerance
//
// [Trie.Fuzzy] returns completions of prefixes within one or two edits
// (insertions, deletions, substitutions, adjacent swaps) of the typed prefix,
// ranked by distance then weight, the way RediSearch's and Typesense's
// prefix search tolerate typos.
//
// # Tests and data
//
// The tests compare the trie with a map after thousands of random updates,
// checking every node's cached list, and Fuzzy with a brute-force edit
// distance. Tests and benchmarks that use the 74,286-word SUBTLEX-US list
// in ../shared/data/words skip when it is absent; set TRIE_WORDS_ALL=1 to
// check every prefix of every word (slow) instead of a sample.
//
// # Used by
//
// The autocomplete system (examples/autocomplete), and anywhere a search box
// needs popular completions.
package trie
