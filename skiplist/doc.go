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
// Like Redis's own zset, a SortedSet is by default a skiplist keyed by
// (score, member) plus a hash map from member to score, so a member costs a
// skiplist node and a map entry (about 140 B on amd64, the member's bytes
// not counted). Options.Index = [BTreeIndex] keeps the same set in a counted
// B+ tree instead (64 keys per node, subtree sizes in the inner nodes, leaves
// linked both ways), which is what Valkey 8.1 moved to: keys sit in
// contiguous arrays, so a search touches about log_64 n nodes instead of
// about log_4 n scattered skiplist nodes. At a million members the B+ tree
// takes about 100 B per member (most of it the member-to-score map) and
// answers ZRANK, ZINCRBY and the leaderboard's ±4 window roughly three times
// faster than the skiplist (benchmarks/skiplist, BenchmarkSkiplist_Z*). Both
// indexes pass the same Redis differential test and are compared with each
// other under tens of thousands of random commands. The skiplist stays the
// default: it is the structure the catalogue's leaderboard design describes,
// and [Map] remains a skiplist for ordered maps with ranks.
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
