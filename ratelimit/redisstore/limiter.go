package redisstore

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sysdesign-go/sysdesign/ratelimit"
)

// Policy says what a [Limiter] decides when Redis cannot answer.
type Policy uint8

const (
	// FailClosed denies: AllowN returns an error wrapping [ErrUnavailable]
	// and a zero Result (the middleware answers 503). The default.
	FailClosed Policy = iota
	// FailOpen admits every request while Redis is down (Remaining -1).
	FailOpen
	// FailLocal decides with a local in-memory [ratelimit.Store]
	// (Options.Fallback) while Redis is down.
	FailLocal
)

// Errors returned by this package.
var (
	// ErrUnavailable wraps the Redis error under the FailClosed policy.
	ErrUnavailable = errors.New("redisstore: redis unavailable")
	// ErrClosed reports a call on a closed Limiter.
	ErrClosed = errors.New("redisstore: limiter closed")
)

// Options configures a [Limiter]. The zero value means the documented
// defaults.
type Options struct {
	// Prefix starts every Redis key; empty means "rl". Keys are
	// Prefix + "{" + key + "}" + ":" + a description of the limit, so all
	// limits of one key share a Redis Cluster slot, and instances with a
	// different configuration never share (incompatible) state.
	Prefix string
	// Policy decides what happens while Redis is down; the zero value is
	// FailClosed.
	Policy Policy
	// Fallback decides under FailLocal; nil means a Store with the same
	// algorithm and limits (each server then enforces the full limit on
	// its own).
	Fallback *ratelimit.Store
	// OnError is called with every Redis error (under every policy); nil
	// means no call. It must not block.
	OnError func(error)
	// MaxBatch is the largest number of decisions sent in one pipeline;
	// 0 means 256. 1 disables batching: each call does its own EVALSHA.
	MaxBatch int
	// Pipelines is the number of pipelines in flight at once; 0 means 1.
	// Redis runs one script at a time, so more pipelines do not decide
	// faster on a nearby server: they split the waiting calls into smaller
	// batches, which costs more CPU per decision on both sides (measured
	// with 64 callers on one local redis-server: about 62 decisions per
	// call with 1 pipeline, 50-57 with 2, 42-55 with 4; 1 and 2 decide
	// about equally fast there, 1 with the least CPU). More help when the
	// round trip is long compared with a batch's time in Redis (a distant
	// server), where a second pipeline lets a batch be collected and sent
	// while the other is on the wire.
	Pipelines int
	// NoBatchScript sends the decisions of a batch as separate EVALSHA
	// calls in one pipeline instead of calls of a script that decides many
	// at once (one per batch for a *redis.Client; one per hash slot, or
	// hash tag for a Ring, for Cluster and Ring clients).
	NoBatchScript bool
	// Timeout bounds one pipeline round trip; 0 means 2 seconds. A
	// caller's own ctx can end its wait earlier, but not withdraw a
	// decision already sent.
	Timeout time.Duration
	// Breaker configures the circuit breaker that sends decisions straight
	// to the Policy while Redis is failing; the zero value means 5
	// consecutive failures open it for 1 s, doubling up to 30 s while
	// probes fail. See [Breaker].
	Breaker Breaker
}

// Limiter runs one [ratelimit.Algorithm] with up to ratelimit.MaxLimits
// limits per key in Redis. Every decision is one Lua script executed
// atomically by the server, with the server's clock, so any number of
// Limiter instances (on any number of machines) sharing a Redis share the
// limits exactly, whatever their clocks say.
//
// Concurrent calls are pipelined automatically: Options.Pipelines sender
// goroutines (one by default) each take every call waiting at that moment
// (up to MaxBatch) and send them in one round trip (one batch-script call;
// for Cluster and Ring clients a pipeline with one batch-script call per
// hash slot or tag and one EVALSHA per lone decision), so under load the
// number of round trips is far below the number of decisions, with no
// added delay when idle.
//
// The scripts are sent once per server (SCRIPT LOAD after a NOSCRIPT reply)
// and then called by SHA1 with EVALSHA. Redis times are in microseconds,
// so intervals round down to a microsecond.
//
// A Limiter is safe for concurrent use. Create it with [New]; Close it to
// stop its goroutines.
type Limiter struct {
	client   redis.UniversalClient
	alg      ratelimit.Algorithm
	limits   []ratelimit.Limit
	suffixes []string
	keyHead  string  // Prefix + ":{"
	args     []any   // per-limit ARGV after n
	params   string  // the MessagePack [L, args...] of the batch script
	script   *script // one decision
	batch    *script // many decisions in one call
	multi    bool    // whether a whole batch is one batch-script call (not Cluster or Ring)
	opts     Options
	fallback *ratelimit.Store
	breaker  *breaker

	calls   chan *call
	pool    sync.Pool // of *call
	stop    chan struct{}
	wg      sync.WaitGroup
	mu      sync.RWMutex // held for reading while enqueuing, for writing by Close
	collect sync.Mutex   // held by the one sender collecting a batch
	closed  bool
}

// call is one decision on its way through a sender. Calls are pooled: a
// caller that stops waiting (its ctx ended) abandons its call to the GC.
type call struct {
	key  string
	n    int
	res  ratelimit.Result
	err  error
	done chan struct{} // buffered: the sender sends once
	p    permit
}

// New returns a Limiter deciding with alg against limits through client
// (a *redis.Client, *redis.ClusterClient or *redis.Ring). It does no I/O.
// Invalid limits are errors wrapping ratelimit.ErrInvalidLimit.
func New(client redis.UniversalClient, alg ratelimit.Algorithm, limits []ratelimit.Limit, opts Options) (*Limiter, error) {
	if client == nil {
		return nil, errors.New("redisstore: nil client")
	}
	if !alg.Valid() {
		return nil, fmt.Errorf("%w: %v", ratelimit.ErrInvalidAlgorithm, alg)
	}
	if len(limits) == 0 {
		return nil, ratelimit.ErrNoLimits
	}
	if len(limits) > ratelimit.MaxLimits {
		return nil, fmt.Errorf("%w: %d limits, at most %d", ratelimit.ErrInvalidLimit, len(limits), ratelimit.MaxLimits)
	}
	if opts.MaxBatch < 0 || opts.Pipelines < 0 || opts.Timeout < 0 {
		return nil, errors.New("redisstore: negative MaxBatch, Pipelines or Timeout")
	}
	if opts.Prefix == "" {
		opts.Prefix = "rl"
	}
	if opts.MaxBatch == 0 {
		opts.MaxBatch = 256
	}
	if opts.Pipelines == 0 {
		opts.Pipelines = 1
	}
	if opts.Timeout == 0 {
		opts.Timeout = 2 * time.Second
	}
	br, err := newBreaker(opts.Breaker)
	if err != nil {
		return nil, err
	}
	l := &Limiter{client: client, alg: alg, limits: append([]ratelimit.Limit(nil), limits...), opts: opts, breaker: br, keyHead: opts.Prefix + ":{"}
	l.pool.New = func() any { return &call{done: make(chan struct{}, 1)} }
	l.script, l.batch = scriptsFor(alg)
	switch client.(type) {
	case *redis.ClusterClient, *redis.Ring:
		// keys of one batch may live on different nodes: one EVALSHA per
		// decision, pipelined
	default:
		l.multi = !opts.NoBatchScript
	}
	for _, lim := range limits {
		if err := lim.Validate(alg); err != nil {
			return nil, err
		}
		period := lim.Period.Microseconds()
		t := period / int64(lim.Rate)
		if period == 0 || t == 0 && isBucket(alg) {
			return nil, fmt.Errorf("%w: %v: below Redis's microsecond resolution", ratelimit.ErrInvalidLimit, lim)
		}
		tau := int64(lim.BurstSize()) * t
		l.args = append(l.args, int64(lim.Rate), period, t, tau)
		l.suffixes = append(l.suffixes, fmt.Sprintf("}:%v:%d/%dus:%d", alg, lim.Rate, period, lim.BurstSize()))
	}
	params := appendInt(appendArrayHeader(nil, 1+len(l.args)), int64(len(limits)))
	for _, a := range l.args {
		params = appendInt(params, a.(int64))
	}
	l.params = string(params)
	if opts.Policy == FailLocal {
		l.fallback = opts.Fallback
		if l.fallback == nil {
			s, err := ratelimit.NewStore(alg, limits, ratelimit.Options{})
			if err != nil {
				return nil, err
			}
			l.fallback = s
		}
	}
	if opts.MaxBatch > 1 {
		l.calls = make(chan *call, opts.MaxBatch*opts.Pipelines)
		l.stop = make(chan struct{})
		for range opts.Pipelines {
			l.wg.Add(1)
			go l.sender()
		}
	}
	return l, nil
}

// maxYields bounds how many times a sender yields while calls keep
// arriving before it sends a batch (see sender).
const maxYields = 4

func isBucket(a ratelimit.Algorithm) bool {
	return a == ratelimit.TokenBucket || a == ratelimit.LeakyBucket || a == ratelimit.LeakyQueue || a == ratelimit.GCRA
}

// Limits returns a copy of the limiter's limits.
func (l *Limiter) Limits() []ratelimit.Limit { return append([]ratelimit.Limit(nil), l.limits...) }

// Algorithm returns the limiter's algorithm.
func (l *Limiter) Algorithm() ratelimit.Algorithm { return l.alg }

// Keys returns the Redis keys holding key's state, one per limit (the
// sliding log also uses each key + ":seq").
func (l *Limiter) Keys(key string) []string {
	keys := make([]string, len(l.suffixes))
	for i, s := range l.suffixes {
		keys[i] = l.keyHead + key + s
	}
	return keys
}

// Allow is shorthand for AllowN(ctx, key, 1).
func (l *Limiter) Allow(ctx context.Context, key string) (ratelimit.Result, error) {
	return l.AllowN(ctx, key, 1)
}

// AllowN reports whether n events for key may happen now (by the Redis
// server's clock) and consumes them from every limit if so; n = 0 only
// reports. It costs one script execution, batched with concurrent calls
// into one round trip. When Redis fails, the Policy decides (see [Policy]);
// argument errors are those of [ratelimit.Store.AllowNAt]. If ctx ends
// first, AllowN returns ctx.Err(), though the decision may still be applied.
func (l *Limiter) AllowN(ctx context.Context, key string, n int) (ratelimit.Result, error) {
	if n < 0 {
		return ratelimit.Result{}, ratelimit.ErrNegativeN
	}
	for _, lim := range l.limits {
		max := lim.Rate
		if isBucket(l.alg) {
			max = lim.BurstSize()
		}
		if n > max {
			return ratelimit.Result{}, &ratelimit.BurstError{N: n, Limit: lim, Max: max}
		}
	}
	p := l.breaker.allow()
	if p == permitDeny {
		return l.policy(ctx, key, n, ErrCircuitOpen)
	}
	if l.calls == nil {
		l.mu.RLock()
		closed := l.closed
		l.mu.RUnlock()
		if closed {
			l.breaker.abandon(p)
			return ratelimit.Result{}, ErrClosed
		}
		out, err := l.evalOne(ctx, key, n)
		if err != nil && ctx.Err() != nil {
			l.breaker.abandon(p)
		} else {
			l.breaker.done(p, err)
		}
		if err == nil && len(out) != 5*len(l.limits) {
			err = fmt.Errorf("redisstore: script returned %d values, want %d", len(out), 5*len(l.limits))
		}
		if err != nil {
			return l.onError(ctx, key, n, err)
		}
		return l.result(out), nil
	}
	c := l.pool.Get().(*call)
	c.key, c.n, c.p = key, n, p
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		l.breaker.abandon(p)
		l.pool.Put(c)
		return ratelimit.Result{}, ErrClosed
	}
	// A ctx that can never end (Done() == nil, as context.Background)
	// needs no select: plain channel operations cost the caller less.
	done := ctx.Done()
	if done == nil {
		l.calls <- c
		l.mu.RUnlock()
		<-c.done
	} else {
		select {
		case l.calls <- c:
			l.mu.RUnlock()
		case <-done:
			l.mu.RUnlock()
			l.breaker.abandon(p)
			l.pool.Put(c)
			return ratelimit.Result{}, ctx.Err()
		}
		select {
		case <-c.done:
		case <-done:
			return ratelimit.Result{}, ctx.Err() // c is abandoned
		}
	}
	res, err := c.res, c.err
	*c = call{done: c.done}
	l.pool.Put(c)
	if err != nil {
		return l.onError(ctx, key, n, err)
	}
	return res, nil
}

func (l *Limiter) onError(ctx context.Context, key string, n int, err error) (ratelimit.Result, error) {
	if errors.Is(err, ErrClosed) {
		return ratelimit.Result{}, err
	}
	if l.opts.OnError != nil {
		l.opts.OnError(err)
	}
	return l.policy(ctx, key, n, err)
}

// policy decides with the Policy after err.
func (l *Limiter) policy(ctx context.Context, key string, n int, err error) (ratelimit.Result, error) {
	switch l.opts.Policy {
	case FailOpen:
		return ratelimit.Result{Allowed: true, Limit: l.limits[0], Remaining: -1}, nil
	case FailLocal:
		return l.fallback.AllowN(ctx, key, n)
	}
	return ratelimit.Result{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// result folds the per-limit replies like the in-memory store does: a
// denial beats an admission, the longest retry among denials, the fewest
// remaining among admissions; the largest delay.
func (l *Limiter) result(out []int64) ratelimit.Result {
	us := func(v int64) time.Duration { return time.Duration(v) * time.Microsecond }
	var best ratelimit.Result
	for i := range l.limits {
		v := out[5*i : 5*i+5]
		r := ratelimit.Result{Allowed: v[0] == 1, Limit: l.limits[i], Remaining: int(v[1]), RetryAfter: us(v[2]), ResetAfter: us(v[3]), Delay: us(v[4])}
		if i == 0 {
			best = r
			continue
		}
		delay := max(best.Delay, r.Delay)
		if best.Allowed && !r.Allowed || !best.Allowed && !r.Allowed && r.RetryAfter > best.RetryAfter || best.Allowed && r.Allowed && r.Remaining < best.Remaining {
			best = r
		}
		best.Delay = delay
	}
	return best
}

// Close stops the sender goroutines; calls waiting to be sent fail with
// ErrClosed. It does not close the Redis client.
func (l *Limiter) Close() error {
	l.mu.Lock()
	if l.closed || l.stop == nil {
		l.closed = true
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	close(l.stop)
	l.wg.Wait()
	for {
		select {
		case c := <-l.calls:
			c.err = ErrClosed
			l.breaker.abandon(c.p)
			c.done <- struct{}{}
		default:
			return nil
		}
	}
}

// sender takes the calls waiting now (up to MaxBatch) and sends them in one
// pipeline, until Close. After the first call of a batch it yields
// (runtime.Gosched), again while the queue grew since the last yield (at
// most maxYields times), so that callers already woken by the previous
// reply (runnable, perhaps on another P, but not yet run) enqueue their
// next calls into this batch instead of starting batches of their own; the
// collect lock keeps a second idle sender from splitting those arrivals.
// With 64 callers this makes batches of about 62 decisions instead of 30
// (no yield) or 47 (one yield), which costs less CPU per decision on both
// sides. An idle limiter pays one yield (no timer, no added wait).
func (l *Limiter) sender() {
	defer l.wg.Done()
	batch := make([]*call, 0, l.opts.MaxBatch)
	bt := &batcher{}
	for {
		l.collect.Lock()
		select {
		case <-l.stop:
			l.collect.Unlock()
			return
		case c := <-l.calls:
			batch = append(batch[:0], c)
		}
		for i, n := 0, len(l.calls); i < maxYields; i++ {
			runtime.Gosched()
			m := len(l.calls)
			if m == n || m >= l.opts.MaxBatch-1 {
				break
			}
			n = m
		}
	fill:
		for len(batch) < l.opts.MaxBatch {
			select {
			case c := <-l.calls:
				batch = append(batch, c)
			default:
				break fill
			}
		}
		l.collect.Unlock()
		l.execBatch(bt, batch)
		for i, c := range batch {
			l.breaker.done(c.p, c.err)
			c.done <- struct{}{}
			batch[i] = nil
		}
	}
}

func isNoScript(err error) bool {
	return err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT")
}

// execBatch sends batch in one round trip: one call of the batch script,
// or, for Cluster and Ring clients, a pipeline of one batch-script call per
// group (see group) and one EVALSHA per lone call; calls that met NOSCRIPT
// are retried once after SCRIPT LOAD.
func (l *Limiter) execBatch(bt *batcher, batch []*call) {
	ctx, cancel := context.WithTimeout(context.Background(), l.opts.Timeout)
	defer cancel()
	if l.multi {
		l.execMulti(ctx, bt, batch)
		return
	}
	for attempt := 0; attempt < 2; attempt++ {
		pipe := l.client.Pipeline()
		groups := l.group(batch)
		cmds := make([]*redis.Cmd, len(groups))
		for i, g := range groups {
			if len(g) == 1 {
				cmds[i] = pipe.EvalSha(ctx, l.script.sha, l.Keys(g[0].key), l.argv(g[0].n)...)
				continue
			}
			// KEYS[1] routes the call to the slot's node; the script
			// reads the keys from ARGV[2].
			first := l.keyHead + g[0].key + l.suffixes[0]
			cmds[i] = pipe.EvalSha(ctx, l.batch.sha, []string{first}, l.params, l.appendBatch(nil, g))
		}
		_, _ = pipe.Exec(ctx)
		var retry []*call
		for i, g := range groups {
			if isNoScript(cmds[i].Err()) && attempt == 0 {
				retry = append(retry, g...)
				continue
			}
			if len(g) > 1 {
				l.applyBatchReply(bt, g, cmds[i], cmds[i].Err())
				continue
			}
			c := g[0]
			var out []int64
			out, c.err = cmds[i].Int64Slice()
			if c.err == nil && len(out) != 5*len(l.limits) {
				c.err = fmt.Errorf("redisstore: script returned %d values, want %d", len(out), 5*len(l.limits))
			}
			if c.err == nil {
				c.res = l.result(out)
			}
		}
		if len(retry) == 0 {
			return
		}
		err := l.client.ScriptLoad(ctx, l.script.src).Err()
		if err == nil {
			err = l.client.ScriptLoad(ctx, l.batch.src).Err()
		}
		if err != nil {
			for _, c := range retry {
				c.err = err
			}
			return
		}
		batch = retry
	}
}

// group splits the batch of a Cluster or Ring client into the groups that
// one batch script call can decide, in arrival order within each group:
// the calls whose keys are in one hash slot (Cluster) or have one hash tag
// (Ring, which shards by tag), so the script touches one node and slot.
// Under NoBatchScript, and for calls whose keys do not share a non-empty
// tag (an empty key with several limits), every call is its own group.
func (l *Limiter) group(batch []*call) [][]*call {
	groups := make([][]*call, 0, len(batch))
	_, cluster := l.client.(*redis.ClusterClient)
	bySlot := map[uint16]int{}
	byTag := map[string]int{}
	for _, c := range batch {
		tag, ok := hashTag(l.keyHead + c.key + l.suffixes[0])
		if l.opts.NoBatchScript || !ok && len(l.limits) > 1 {
			groups = append(groups, []*call{c})
			continue
		}
		var gi int
		var seen bool
		if cluster {
			slot := crc16(tag) & 16383
			if gi, seen = bySlot[slot]; !seen {
				bySlot[slot] = len(groups)
			}
		} else {
			if gi, seen = byTag[tag]; !seen {
				byTag[tag] = len(groups)
			}
		}
		if seen {
			groups[gi] = append(groups[gi], c)
		} else {
			groups = append(groups, []*call{c})
		}
	}
	return groups
}

// evalOne runs one call without batching.
func (l *Limiter) evalOne(ctx context.Context, key string, n int) ([]int64, error) {
	keys, argv := l.Keys(key), l.argv(n)
	out, err := l.client.EvalSha(ctx, l.script.sha, keys, argv...).Int64Slice()
	if isNoScript(err) {
		if err := l.client.ScriptLoad(ctx, l.script.src).Err(); err != nil {
			return nil, err
		}
		out, err = l.client.EvalSha(ctx, l.script.sha, keys, argv...).Int64Slice()
	}
	return out, err
}

// Stats returns a snapshot of the limiter's circuit breaker state and
// failure counters.
func (l *Limiter) Stats() Stats { return l.breaker.stats() }

// argv returns the single-decision script's ARGV for n.
func (l *Limiter) argv(n int) []any {
	return append(append(make([]any, 0, 1+len(l.args)), n), l.args...)
}

// String describes the limiter, e.g. "redisstore gcra [10/1s]".
func (l *Limiter) String() string {
	parts := make([]string, len(l.limits))
	for i, lim := range l.limits {
		parts[i] = lim.String()
	}
	return "redisstore " + l.alg.String() + " [" + strings.Join(parts, ", ") + "]"
}

var _ ratelimit.Limiter = (*Limiter)(nil)
