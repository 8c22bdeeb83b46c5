// Package redisstore runs the algorithms of package ratelimit in Redis, so
// that any number of servers share one set of limits exactly.
//
// Each decision is one Lua script, executed atomically by Redis: it reads
// the state of every limit of the key, decides with the same rules as
// ratelimit.Store (see the ratelimit package documentation for the exact
// boundary semantics of each algorithm), and writes the new state only when
// every limit admits the request. Properties:
//
//   - Atomic: two servers deciding at the same instant cannot both take the
//     last token; the tests run two Limiter instances from 64 goroutines
//     against a real redis-server and never see more than the limit.
//   - One clock: the scripts read the time with redis.call('TIME'), so skew
//     between application servers does not matter. Times are microseconds.
//   - Scripts are loaded once per server and called by SHA1 (EVALSHA), with
//     a SCRIPT LOAD and retry after NOSCRIPT (a restarted or flushed server).
//   - Cluster-ready keys: Prefix:{key}:<algorithm>:<rate>/<period>us:<burst>;
//     the {key} hash tag puts all limits of a key in one slot.
//   - Expiry on every key, equal to the time until its state is back to that
//     of a new key, so idle keys vanish by themselves. GCRA and LeakyQueue
//     keep the expiry in the state and move it (2·tau ahead, tau the burst
//     time) only when it would come before the new state runs out, so most
//     writes keep the key's expiry (SET KEEPTTL, cheaper for Redis than
//     setting one): their keys live between the end of their state and
//     2·tau after the last admitted request.
//   - Automatic pipelining: concurrent AllowN calls are collected by a
//     sender goroutine (Options.Pipelines of them, one by default) and sent
//     together in one round trip: as one call of
//     a batch script that decides them in order (for *redis.Client), or,
//     for Cluster and Ring clients, whose batches span slots and nodes, as
//     one pipeline holding one batch-script call per hash slot (Cluster) or
//     hash tag (Ring) and one EVALSHA per lone decision; Options.NoBatchScript
//     sends one EVALSHA per decision. The batch script takes the batch as
//     one MessagePack argument built in a reused buffer and answers with one
//     MessagePack reply (decoded by Redis's cmsgpack); GCRA and LeakyQueue
//     read every key of the batch with one MGET and answer one number per
//     limit and decision, from which the client derives the Result. A
//     batched decision costs no allocation on the client and one write
//     command in Redis. Each decision of a batch runs under pcall, so one
//     that fails in Redis (a key holding another type) fails alone.
//   - Redis down: FailClosed (an error wrapping ErrUnavailable, the default),
//     FailOpen (admit), or FailLocal (decide with an in-memory
//     ratelimit.Store); Options.OnError sees every Redis error.
//   - Circuit breaker: after Breaker.Failures (default 5) consecutive
//     transport failures, decisions skip Redis and go straight to the
//     policy (with ErrCircuitOpen) for Breaker.Backoff (default 1 s); then
//     one probe decision goes to Redis: success closes the breaker, failure
//     reopens it for twice as long (at most 30 s). Limiter.Stats and
//     Breaker.OnStateChange expose the state.
//
// How quickly a policy takes over before the breaker opens depends on the client: go-redis by
// default retries a failed dial five times 100 ms apart, so for fast
// fallback set redis.Options{MaxRetries: -1, DialerRetries: 1} and short
// dial and read timeouts.
//
// The sliding window counter is computed in Lua doubles, exact while
// Rate × Period in microseconds stays below 2^53 (for example 10,000 per
// day); the other algorithms are exact below 2^53 µs of state (285 years).
//
// Cost: one script execution per decision, or per batch (per hash slot on
// a Cluster) when calls arrive together, O(limits) work in Redis per
// decision (plus O(log n) for the sliding log's sorted set), one network
// round trip shared by the calls pipelined with it. On the shared 2-CPU
// test VM, with 64 concurrent callers deciding GCRA on 1,024 keys through
// one local redis-server (batches of about 62 decisions), a decision costs
// about 1.5-2 µs of Redis CPU (most of it the one SET per admitted key)
// and 1-1.3 µs of client CPU, against 14-15 µs each for
// go-redis/redis_rate (one EVALSHA per decision): about 10× less CPU in
// all, and 6-8× the decisions per second on that (heavily loaded) machine.
// The client and Redis take turns (a batch is in Redis while its callers
// wait), so on an idle machine the decisions per second follow the sum of
// the two CPU costs.
//
// A Limiter is safe for concurrent use. Systems using it: the ratelimiter
// example (two HTTP servers sharing limits) and, for per-user quotas, the
// notification example.
package redisstore
