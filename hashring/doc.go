// Package hashring places keys on nodes so that membership changes move few
// keys: consistent hashing with virtual nodes, weights, zone-aware replica
// lists and bounded loads, plus jump, rendezvous and AnchorHash for the
// cases they suit.
//
// # Which one
//
//   - [Ring]: the consistent-hash ring (Karger et al. 1997,
//     https://dl.acm.org/doi/10.1145/258533.258660) as Dynamo and Cassandra
//     use it. Each node owns VNodes*Weight points; a key goes to the next
//     point clockwise. [Ring.AppendN] gives the preference list of n
//     distinct nodes and [Ring.AppendNZones] spreads it over zones or racks.
//     Lookups are O(1) expected, lock-free and allocation-free: Get reads
//     one 64-byte line of an owner table (about six points' positions,
//     15 bits each, and their owners) and counts with a few word-wide
//     subtractions; the rare key the table cannot order falls back to a
//     bucket index over the sorted points (8 bytes each), which the
//     preference lists also use. Removing or adding a node moves only that
//     node's keys. The default 1024 virtual nodes per weight unit keep
//     load within a few percent (measured below) at the cost of about 20
//     bytes per virtual node: 2 MB for 100 nodes, 20 MB for 1,000.
//   - [Bounded]: consistent hashing with bounded loads (Mirrokni, Thorup and
//     Zadimoghaddam 2018, https://arxiv.org/abs/1608.01350) on real keys:
//     tracks assignments so no node holds more than ceil(C * average) keys,
//     for caches and session routing where a hot arc must not overload a
//     node. Costs O(keys) memory.
//   - [Jump] / [JumpHash]: jump consistent hash (Lamping and Veach 2014,
//     https://arxiv.org/abs/1406.2294). No memory, near-perfect balance,
//     O(ln n) time, but buckets are numbered, so only the last node can be
//     removed cheaply; suits sharded storage where shards never fail
//     independently (each shard is itself replicated).
//   - [Rendezvous]: highest random weight hashing (Thaler and Ravishankar
//     1998) with logarithmic weights. Exact weights and trivial preference
//     lists, O(nodes) per lookup: fine for tens of nodes.
//   - [Anchor]: AnchorHash (Mendelson et al. 2020,
//     https://arxiv.org/abs/1812.09674). Jump-like balance and speed, any
//     node removable with minimal disruption, but a capacity fixed up front.
//
// Maglev hashing (Eisenbud et al. 2016) is not included: its lookup table
// balances perfectly and looks up in one access, but a membership change
// moves more keys than the minimum, which rings, rendezvous and AnchorHash
// avoid.
//
// [Ring], [Jump], [Rendezvous] and [Anchor] implement [Locator].
//
// # Concurrency
//
// Every type is safe for concurrent use. [Ring], [Jump], [Rendezvous] and
// [Anchor] keep an immutable state behind an atomic pointer: membership
// changes copy it, modify the copy and swap it in (serialised by a mutex),
// so lookups never block and never allocate. [Bounded] is stateful per key
// and uses one mutex.
//
// # Measured properties
//
// The tests measure, with 100 nodes and 1,000,000 keys (100,000 under
// -race): the load standard deviation of the default Ring (at most 5% of
// the mean), the keys moved by adding or removing one node (on average at
// most 1.05x the ideal share, never more than 1.25x, and only to or from
// that node), the zone spread of replica lists, the bound of [Bounded]
// through key churn and membership changes, and balance and minimal
// disruption of [Anchor], [Jump] and [Rendezvous]. Run them with
// go test -v -run Measured ./hashring to print the figures.
//
// # Used by
//
// The kvstore example (preference lists, sloppy quorum), the
// webcrawler (hosts to crawler workers), newsfeed and chat (users to cache
// and gateway servers).
package hashring
