package main

import (
	"context"
	"io"

	"github.com/sysdesign-go/sysdesign/examples/adclick"
	"github.com/sysdesign-go/sysdesign/examples/autocomplete"
	"github.com/sysdesign-go/sysdesign/examples/chat"
	"github.com/sysdesign-go/sysdesign/examples/drive"
	"github.com/sysdesign-go/sysdesign/examples/hotel"
	"github.com/sysdesign-go/sysdesign/examples/kvstore"
	"github.com/sysdesign-go/sysdesign/examples/leaderboard"
	"github.com/sysdesign-go/sysdesign/examples/mail"
	"github.com/sysdesign-go/sysdesign/examples/maps"
	"github.com/sysdesign-go/sysdesign/examples/messagequeue"
	"github.com/sysdesign-go/sysdesign/examples/metrics"
	"github.com/sysdesign-go/sysdesign/examples/nearbyfriends"
	"github.com/sysdesign-go/sysdesign/examples/newsfeed"
	"github.com/sysdesign-go/sysdesign/examples/notification"
	"github.com/sysdesign-go/sysdesign/examples/payment"
	"github.com/sysdesign-go/sysdesign/examples/proximity"
	"github.com/sysdesign-go/sysdesign/examples/ratelimiter"
	"github.com/sysdesign-go/sysdesign/examples/s3"
	"github.com/sysdesign-go/sysdesign/examples/uniqueid"
	"github.com/sysdesign-go/sysdesign/examples/urlshortener"
	"github.com/sysdesign-go/sysdesign/examples/webcrawler"
	"github.com/sysdesign-go/sysdesign/examples/youtube"
)

// system is one example under examples/, as the tour runs it.
type system struct {
	name    string // the folder under examples/
	summary string // what the run shows, in one line
	run     func(ctx context.Context, w io.Writer, args []string) error
}

// systems lists every example, in the order the tour runs them. A test checks
// that each folder under examples/ appears here.
var systems = []system{
	{"uniqueid", "snowflake IDs from several generators: unique, time-ordered, decodable", uniqueid.Run},
	{"urlshortener", "short codes from snowflake IDs and from hashes, stored in an LSM tree: 201/200/400/429, 301 vs 302, Bloom-filtered probes, reopen", urlshortener.Run},
	{"ratelimiter", "two HTTP servers sharing limits (Redis when available): 200s turn into 429s, then Redis dies and the circuit breaker opens", ratelimiter.Run},
	{"kvstore", "Dynamo-style replication: quorums, siblings, gossip failure detection, hinted handoff, Merkle-tree repair of missed writes and of a lost disk", kvstore.Run},
	{"webcrawler", "a polite crawl of a local test web: per-host queues on a hash ring, robots.txt, Bloom-filter and content dedupe, spider traps cut off", webcrawler.Run},
	{"messagequeue", "partitions on write-ahead logs, keyed order, consumer groups that rebalance and redeliver uncommitted messages, restart, retention", messagequeue.Run},
	{"notification", "push, SMS and email through durable queues: dedupe, opt-out, per-user limits, retries with backoff, dead letters, nothing lost across a crash", notification.Run},
	{"hotel", "reservations without double booking: per-night inventory in an LSM tree, idempotent reservation IDs, overbooking, cancellations, audited", hotel.Run},
	{"s3", "buckets, versioned objects packed into a data log with an LSM object table, paginated listing, expiry and compaction", s3.Run},
	{"payment", "exactly-once payments by idempotency key through a flaky PSP, a double-entry ledger on a write-ahead log, crash recovery, reconciliation", payment.Run},
	{"newsfeed", "fanout on write into sharded sorted-set feed caches, celebrities merged on read, cursor paging checked against brute force", newsfeed.Run},
	{"metrics", "samples through a write-ahead log into Gorilla-compressed series, counter rates, an alert that fires once and resolves, downsampling, reopen", metrics.Run},
	{"adclick", "click windows by event time with a watermark, duplicates dropped and filtered counts by roaring bitmaps, top ads, a recount from the raw log", adclick.Run},
	{"mail", "a mailbox on an LSM tree searched through roaring-bitmap postings: searches checked by full scan, unread badges, moves, snapshot reopen", mail.Run},
	{"chat", "1:1 and group chat over websockets: servers on a hash ring, snowflake IDs, channel logs, presence, offline delivery, multi-device sync, restart", chat.Run},
	{"autocomplete", "query log to top-k trie snapshot, served over HTTP and swapped while serving", autocomplete.Run},
	{"youtube", "resumable chunked uploads on a write-ahead log, a transcoding DAG with retries that resumes after a crash, a completion queue", youtube.Run},
	{"drive", "content-defined blocks stored once by hash, delta sync of an edit, versions with Merkle roots checked on download, conflicted copies", drive.Run},
	{"proximity", "business CRUD and paginated nearby search on a geohash index, checked against brute force", proximity.Run},
	{"nearbyfriends", "location updates with TTL, per-user channels, friends notified as they enter or leave the radius", nearbyfriends.Run},
	{"maps", "shortest route and ETA on a real road graph with contraction hierarchies, against Dijkstra", maps.Run},
	{"leaderboard", "top 10, rank and the players around one, in memory and on Redis", leaderboard.Run},
}
