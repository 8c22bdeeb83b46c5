// Package skiplist provides an ordered map with O(log n) ranks, a Redis
// compatible sorted set built on it, and a leaderboard that runs either in
// process or on Redis.
//
// # Map
//
// [Map] is a skiplist (W. Pugh, "Skip Lists: A Probabilistic Alternative to
// Balanced Trees", CACM 1990, https://doi.org/10.1145/78973.78977) whose
// forward links also store how many elements they skip, the "span" Redis adds
// to its zset skiplist (src/t_zset.c). Spans make the rank of a key and the
// key at a rank O(log n) expected, like a search:
//
//	m, _ := skiplist.NewOrdered[string, int](skiplist.Options{})
//	m.Set("b", 2)
//	m.Set("a", 1)
//	r, _ := m.Rank("b") // 1
//	k, _, _ := m.At(0)  // "a"
//
// Costs (n elements, expected; the level generator is a seeded splitmix64
// stream, promotion probability 1/4, 32 levels by default):
//
//	Get, Has, Set, Delete, Rank, At, Floor, Ceil   O(log n)
//	Len, Min, Max                                  O(1)
//	Range, RangeByRank (+Backward): O(log n) to start, O(1) per element
//	memory: one node per element: key, value, a back link and on average
//	4/3 (link, span) pairs, i.e. about 56 B + 21 B + sizeof(K) + sizeof(V)
//
// Iterators are [iter.Seq2] values; the [Cursor] moves both ways with Seek,
// Next and Prev. See [Map.All] for what mutation during iteration does.
//
// # SortedSet
//
// [SortedSet] mirrors the Redis sorted-set commands: ZADD with NX/XX/GT/LT/CH
// and INCR ([SortedSet.Add], [SortedSet.AddIncr]), ZINCRBY, ZREM, ZSCORE,
// ZMSCORE, ZCARD, ZCOUNT, ZLEXCOUNT, ZRANK/ZREVRANK (with score), ZRANGE by
// rank, by score and by lex with REV and LIMIT, ZPOPMIN/ZPOPMAX and
// ZREMRANGEBYRANK/SCORE/LEX. Equal scores are ordered by member bytes, NaN
// scores and incompatible flags are errors, index and bound rules are those of
// Redis. TestRedisDifferential sends thousands of random commands to a real
// redis-server and to SortedSets and compares every reply; set
// SKIPLIST_DIFF_N to run more (default 6000).
//
// A SortedSet stores each member string and its score once, under a 32-bit
// id; a linear-probing hash table (8 bytes a slot, at most 3/4 full) maps a
// member to its id and to where the member is stored, and an ordered index
// answers ranks and ranges. That is Redis's dict plus zset, without the
// second string header and score a map[string]float64 beside a (score,
// member) index would hold.
//
// By default the ordered index is a counted B+ tree, what Valkey 8.1 moved
// its zsets to, and the members live in its leaves: a leaf holds up to 71
// members in fixed slots (string header and score side by side, and the
// id), a byte array giving the slots in key order, and links both ways;
// inner nodes hold up to 64 children with their subtree sizes. A member
// keeps its slot while it stays in its leaf, so its hash-table slot names
// the leaf and the slot in it, and every node knows its parent and its
// place in it: ZRANK reads the member (to confirm it) and its score straight
// from the leaf, finds its position in the order bytes and climbs to the
// root adding the sizes of the siblings on the left, with no key
// comparisons. At a million members its cost is the cache misses of the
// hash probe, the leaf, and the member's bytes. A score change that keeps the
// member inside its leaf (or moves it into the next or previous leaf) does
// not search from the root either (inside the leaf it only reorders the
// order bytes), and [SortedSet.AppendWindow] (ZRANK and
// the members around it, a leaderboard's ±k window, into a caller's slice)
// reads the window, members and scores, from that same leaf. A full leaf
// hands a member to a sibling with room before splitting; members that
// change leaves have their hash-table slots rewritten. At a million members
// (benchmarks/skiplist, BenchmarkSkiplist_ZMemory) a SortedSet takes about
// 55 B per member besides the member strings: 17 in the hash table (id,
// hash tag, leaf handle and slot), the rest in the leaves (about 80% full).
// The B+ tree can name 2^25 leaves, at least 570 million members.
// Options.Index = [SkiplistIndex] keeps ids in a skiplist [Map] instead,
// as Redis does, with members and scores in a slab of fixed-size chunks
// indexed by id: about 110 B per member, and ZRANK, ZINCRBY and the
// leaderboard's ±4 window several times slower at that size, because a
// search follows about log_4 n scattered nodes instead of touching log_64 n
// contiguous arrays. The B+ tree is the default because it wins on every
// measured operation and on memory; the skiplist stays available for code
// that wants Redis's exact structure, and [Map] remains a skiplist for
// ordered maps with ranks. Both indexes pass the same Redis differential
// test and are compared with each other under tens of thousands of random
// commands.
//
// # Leaderboard
//
// [Leaderboard] is the interface of a game leaderboard: submit a score, top N,
// a user's rank, the users k above and below. [MemoryLeaderboard] implements
// it on a SortedSet; package skiplist/redisboard implements it on a Redis
// sorted set through go-redis, so a game moves from one process to a Redis
// fleet without rewriting. examples/leaderboard runs both.
//
// # Concurrency
//
// Map and SortedSet are not safe for concurrent use; guard them with a lock
// (as MemoryLeaderboard does) when several goroutines use one and any writes.
// MemoryLeaderboard and redisboard.Board are safe for concurrent use.
//
// # Used by
//
// The leaderboard and newsfeed systems of the catalogue (examples/leaderboard),
// and as an ordered in-memory index anywhere ranks or ranges are needed.
package skiplist
