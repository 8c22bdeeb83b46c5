// Package ratelimit limits how often events may happen per key, with every
// classic server-side algorithm, an in-memory sharded store, and net/http
// middleware. Package ratelimit/redisstore runs the same algorithms
// atomically in Redis so that many servers share one limit.
//
// The API follows golang.org/x/time/rate: a [Limit] is a rate with a burst,
// decisions have explicit-time forms ([Store.AllowNAt]) of which the plain
// forms ([Store.Allow], [Store.AllowN]) are shorthand with the store's
// clock, and only calls that block or do I/O take a context. Every limiter
// satisfies the small [Limiter] interface:
//
//	s, err := ratelimit.NewStore(ratelimit.GCRA, []ratelimit.Limit{
//		ratelimit.PerSecond(10).WithBurst(20),
//		ratelimit.PerDay(1000),
//	}, ratelimit.Options{})
//	res, err := s.Allow(ctx, "user:42")
//	if !res.Allowed { /* reject; retry in res.RetryAfter */ }
//
// For one limit without keys (a client pacing its own calls), [Bucket] is a
// lock-free GCRA with the shape of rate.Limiter.Allow.
//
// # Algorithms
//
// With interval T = Period/Rate (rounded down to a nanosecond) and burst B:
//
//   - [TokenBucket]: a bucket of B tokens refilled one per T; a new key is
//     full, so B requests pass at once. Denied requests learn exactly when
//     they would pass (RetryAfter), to the nanosecond.
//   - [LeakyBucket] (meter): a bucket of capacity B·T draining one nanosecond
//     per nanosecond; it admits exactly what TokenBucket admits.
//   - [LeakyQueue]: the leaky bucket as a queue (uber-go/ratelimit style
//     pacing with a bounded queue): admitted requests are spaced T apart
//     and Result.Delay says how long each must wait; at most B queued.
//   - [GCRA]: the generic cell rate algorithm (ITU-T I.371; virtual
//     scheduling, as in redis-cell and throttled): one timestamp per key,
//     same decisions as TokenBucket.
//   - [FixedWindow]: at most Rate events in each Period-aligned window
//     (aligned to the Unix epoch). An event exactly at a window's end
//     belongs to the next window, so up to 2·Rate can pass around an edge.
//   - [SlidingLog]: at most Rate events in any window (t−Period, t]: an event
//     at time e stops counting at exactly e+Period. Exact, O(Rate) memory
//     per key.
//   - [SlidingWindow]: the sliding window counter described by Cloudflare
//     (https://blog.cloudflare.com/counting-things-a-lot-of-different-things/):
//     prev·(Period−e)/Period + cur, with e the time into the current window,
//     compared with Rate exactly in 128-bit integers.
//
// Shared rules: a request of n events either consumes n from every limit of
// the key or nothing; n = 0 only reports the state; n larger than the burst
// (bucket algorithms) or Rate (windows) can never pass and returns a
// [*BurstError]; zero or negative rates and periods are constructor errors.
// RetryAfter is the exact earliest time the same request passes if nothing
// else happens, and ResetAfter the time until the key is back to its fresh
// state. The tests check both properties for every algorithm on random
// streams, and that TokenBucket, LeakyBucket and GCRA agree.
//
// # Keys and memory
//
// A [Store] keeps, per key and limit, the key's 64-bit xxhash (collision
// probability about m²/2⁶⁵ for m keys) and 8 bytes of state (GCRA,
// LeakyQueue) or 16 (the others) in open-addressing tables filled to
// 50-80%, spread over independently locked shards: about 20-32 bytes per
// key for GCRA. Each shard periodically deletes
// the keys whose state equals that of a new key, so eviction changes no
// decision and a busy key is never reset; memory follows the number of keys
// active in the last sweep interval. The peer benchmark reports the bytes
// per key for a million keys.
//
// # HTTP
//
// [Middleware] answers over-limit requests with 429 Too Many Requests,
// Retry-After, an application/problem+json body and the RateLimit and
// RateLimit-Policy headers of the IETF httpapi draft. Keys come from
// [ClientIP] (IPv6 by /64; X-Forwarded-For read only from listed trusted
// proxies), [HeaderKey], or any [KeyFunc]; per-route [Rule]s are tried in
// order.
//
// # Costs and concurrency
//
// Store.AllowNAt costs one xxhash of the key, one shard lock and one table
// probe per limit, with no allocation (SlidingLog appends timestamps).
// Bucket.AllowNAt is one atomic load and one compare-and-swap;
// Bucket.Allow, which returns only a bool, also skips the two integer
// divisions that a Result's Remaining and RetryAfter cost. The plain
// forms (Allow, AllowN) read the clock once per call, from the monotonic
// clock only (one vDSO read, against two for time.Now). On the shared
// 2-CPU test VM Bucket.Allow takes about 0.4-0.45× the CPU time of
// x/time/rate's Limiter.Allow (40-48 ns against 105-107 ns, serial), its
// time split between the clock read and the compare-and-swap. A CPU
// profile of Store.Allow on one key splits its time roughly into the clock
// read (about 22%), the shard lock and unlock (about 35%), and the hash,
// probe and decision; x/time/rate's Limiter.Allow is a lock plus time.Now,
// so Store.Allow (which must also hash and find the key) costs about the
// same (about 1.1×), not half. Middleware costs, per admitted request, one
// ClientIP key (for an IPv4 RemoteAddr one byte scan, no parse into
// netip), one Store decision and the RateLimit header value, which is
// taken from a 256-entry table of values built lately when the same
// (limit, remaining, reset) recurs and otherwise formatted into one
// allocation: about 200 ns of CPU and no allocation on the test VM when
// the value recurs (as in the peer benchmark, whose limit never runs
// down), and about 100-150 ns and one allocation more when it does not.
// All types are safe for concurrent use.
//
// # Used by
//
// The examples ratelimiter (HTTP API limited across two servers),
// urlshortener, webcrawler (politeness per host) and notification (per-user
// and per-channel quotas).
package ratelimit
