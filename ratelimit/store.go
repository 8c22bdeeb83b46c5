package ratelimit

import (
	"context"
	"fmt"
	"math/bits"
	"runtime"
	"sync"
	"time"

	"github.com/cespare/xxhash/v2"
)

// MaxLimits is the largest number of limits one [Store] decides together.
const MaxLimits = 8

// Options configures a [Store]. The zero value means the documented
// defaults.
type Options struct {
	// Now returns the current time; nil means the wall time at
	// construction advanced by the monotonic clock (cheaper than time.Now
	// and immune to wall-clock steps). Only the plain forms (Allow, AllowN,
	// WaitN) use it; the ...At forms take the time as an argument. The clock should not go backwards; if it does, the
	// algorithms treat the step as no time passing.
	Now func() time.Time
	// Shards is the number of independently locked shards, rounded up to a
	// power of two; 0 means 16 × GOMAXPROCS (at least 64).
	Shards int
	// SweepInterval is how often each shard deletes idle keys, at the
	// first request it sees after the interval; 0 means the longest time a
	// key of these limits can take to become idle (the burst refill time
	// for buckets, one Period for fixed windows and logs, two Periods for
	// sliding windows), at least one millisecond.
	SweepInterval time.Duration
}

// Store is an in-memory, per-key limiter: every key has its own state for
// each of up to [MaxLimits] limits, decided together (a request is admitted
// only when every limit admits it, and then consumes from all of them).
//
// Keys are stored as their 64-bit xxhash in a compact open-addressing table
// (8 bytes of hash plus 8 bytes of state for GCRA and LeakyQueue, 16 for
// the others, per limit, at 50-80% load): two distinct keys share state
// only if their hashes collide, which among m keys happens with probability
// about m²/2⁶⁵ (about 3×10⁻⁸ for a million keys). Keys are spread over
// independently locked shards; each shard periodically deletes keys whose
// state has returned to that of a new key, so deleting them changes no
// decision, and memory stays proportional to the keys active in the last
// sweep interval. A busy key is never reset.
//
// A Store is safe for concurrent use. Create it with [NewStore]; the zero
// value is not usable.
type Store struct {
	alg        Algorithm
	params     []params
	shards     []shard
	clock      clock
	sweepEvery int64
	maxN       int64 // the smallest n some limit could never admit, minus one
}

type shard struct {
	mu        sync.Mutex
	m         []table             // one per limit, nil for SlidingLog
	logs      []map[uint64]*tslog // one per limit, SlidingLog only
	lastSweep int64
	peak      int
	_         [40]byte // keep hot shards on separate cache lines
}

// NewStore returns a Store deciding with algorithm alg against limits.
// It returns an error wrapping [ErrNoLimits], [ErrInvalidLimit] or
// [ErrInvalidAlgorithm] for an unusable configuration.
func NewStore(alg Algorithm, limits []Limit, opts Options) (*Store, error) {
	if !alg.Valid() {
		return nil, fmt.Errorf("%w: %v", ErrInvalidAlgorithm, alg)
	}
	if len(limits) == 0 {
		return nil, ErrNoLimits
	}
	if len(limits) > MaxLimits {
		return nil, fmt.Errorf("%w: %d limits, at most %d", ErrInvalidLimit, len(limits), MaxLimits)
	}
	if opts.Shards < 0 || opts.SweepInterval < 0 {
		return nil, fmt.Errorf("ratelimit: negative Shards or SweepInterval")
	}
	s := &Store{alg: alg, clock: newClock(opts.Now), sweepEvery: int64(opts.SweepInterval)}
	var horizon int64
	for _, l := range limits {
		if err := l.Validate(alg); err != nil {
			return nil, err
		}
		p := newParams(l)
		s.params = append(s.params, p)
		if len(s.params) == 1 || p.max(alg) < s.maxN {
			s.maxN = p.max(alg)
		}
		h := p.period
		switch alg {
		case TokenBucket, LeakyBucket, LeakyQueue, GCRA:
			h = p.tau
		case SlidingWindow:
			h = 2 * p.period
		}
		horizon = max(horizon, h)
	}
	if s.sweepEvery == 0 {
		s.sweepEvery = max(horizon, int64(time.Millisecond))
	}
	n := opts.Shards
	if n == 0 {
		n = max(64, 16*runtime.GOMAXPROCS(0))
	}
	lg := bits.Len(uint(n - 1))
	s.shards = make([]shard, 1<<lg)
	for i := range s.shards {
		sh := &s.shards[i]
		if alg == SlidingLog {
			sh.logs = make([]map[uint64]*tslog, len(limits))
			for j := range sh.logs {
				sh.logs[j] = make(map[uint64]*tslog)
			}
		} else {
			width := 2
			if alg == GCRA || alg == LeakyQueue {
				width = 1
			}
			sh.m = make([]table, len(limits))
			for j := range sh.m {
				sh.m[j] = newTable(width, 8)
			}
		}
	}
	return s, nil
}

// Algorithm returns the store's algorithm.
func (s *Store) Algorithm() Algorithm { return s.alg }

// Limits returns a copy of the store's limits.
func (s *Store) Limits() []Limit {
	out := make([]Limit, len(s.params))
	for i := range s.params {
		out[i] = s.params[i].lim
	}
	return out
}

// Allow is shorthand for AllowN(ctx, key, 1).
func (s *Store) Allow(ctx context.Context, key string) (Result, error) {
	return s.allow(xxhash.Sum64String(key), s.clock.nanos(), 1)
}

// AllowN is shorthand for AllowNAt(key, now, n) with the store's clock.
// ctx is not used (the store never blocks); it is there to satisfy
// [Limiter].
func (s *Store) AllowN(ctx context.Context, key string, n int) (Result, error) {
	return s.allow(xxhash.Sum64String(key), s.clock.nanos(), n)
}

// AllowAt is shorthand for AllowNAt(key, now, 1).
func (s *Store) AllowAt(key string, now time.Time) (Result, error) {
	return s.AllowNAt(key, now, 1)
}

// AllowNAt reports whether n events for key may happen at time now and,
// if so, consumes them from every limit. n = 0 reports the state without
// changing it. It returns a *[BurstError] (wrapping [ErrExceedsBurst])
// when n is larger than some limit could ever admit, and [ErrNegativeN]
// for n < 0. Cost: one hash of key, one shard lock, one map access per
// limit; no allocation (except for SlidingLog, which stores one timestamp
// per admitted event).
func (s *Store) AllowNAt(key string, now time.Time, n int) (Result, error) {
	return s.AllowHashNAt(xxhash.Sum64String(key), now, n)
}

// AllowHashNAt is AllowNAt for a key already hashed to 64 bits, for callers
// that key by a number (a user ID) or hash keys themselves.
func (s *Store) AllowHashNAt(h uint64, now time.Time, n int) (Result, error) {
	return s.allow(h, now.UnixNano(), n)
}

func (s *Store) allow(h uint64, t int64, n int) (Result, error) {
	if uint64(n) > uint64(s.maxN) {
		if n < 0 {
			return Result{}, ErrNegativeN
		}
		for i := range s.params {
			if p := &s.params[i]; int64(n) > p.max(s.alg) {
				return Result{}, &BurstError{N: n, Limit: p.lim, Max: int(p.max(s.alg))}
			}
		}
	}
	// Shards take the low bits of h; tables index by the high bits.
	sh := &s.shards[h&uint64(len(s.shards)-1)]
	sh.mu.Lock()
	if t-sh.lastSweep >= s.sweepEvery {
		sh.sweep(s, t)
	}
	var v verdict
	var bi int
	if s.alg == SlidingLog {
		v, bi = s.decideLog(sh, h, t, int64(n))
	} else {
		v, bi = s.decideStates(sh, h, t, int64(n))
	}
	sh.mu.Unlock()
	return v.result(&s.params[bi]), nil
}

func (s *Store) decideStates(sh *shard, h uint64, t, n int64) (verdict, int) {
	h = fixKey(h)
	if len(s.params) == 1 { // fast path
		p := &s.params[0]
		tb := &sh.m[0]
		slot, ok := tb.find(h)
		var st state
		if ok {
			st = tb.get(slot)
		} else {
			st = fresh(s.alg, p, t)
		}
		ns, v := decide(s.alg, p, st, t, n)
		if v.allowed && n > 0 {
			tb.put(slot, ok, h, ns)
		}
		return v, 0
	}
	var next [MaxLimits]state
	var slots [MaxLimits]int
	var found [MaxLimits]bool
	var best verdict
	var bi int
	for i := range s.params {
		p := &s.params[i]
		tb := &sh.m[i]
		slot, ok := tb.find(h)
		var st state
		if ok {
			st = tb.get(slot)
		} else {
			st = fresh(s.alg, p, t)
		}
		ns, v := decide(s.alg, p, st, t, n)
		next[i], slots[i], found[i] = ns, slot, ok
		combine(&best, &bi, v, i)
	}
	if best.allowed && n > 0 {
		for i := range s.params {
			sh.m[i].put(slots[i], found[i], h, next[i])
		}
	}
	return best, bi
}

func (s *Store) decideLog(sh *shard, h uint64, t, n int64) (verdict, int) {
	var cut [MaxLimits]int
	var at [MaxLimits]int64
	var best verdict
	var bi int
	for i := range s.params {
		v, c, tt := logDecide(&s.params[i], sh.logs[i][h], t, n)
		cut[i], at[i] = c, tt
		combine(&best, &bi, v, i)
	}
	if best.allowed && n > 0 {
		for i := range s.params {
			l := sh.logs[i][h]
			if l == nil {
				l = &tslog{}
				sh.logs[i][h] = l
			}
			l.commit(cut[i], at[i], n)
		}
	}
	return best, bi
}

// sweep deletes idle keys and gives back their memory (tables are rebuilt
// at twice the survivors; sliding-log maps when they shrank to a quarter of
// their peak). Caller holds mu.
func (sh *shard) sweep(s *Store, now int64) {
	sh.lastSweep = now
	for i := range s.params {
		p := &s.params[i]
		if sh.logs != nil {
			m := sh.logs[i]
			sh.peak = max(sh.peak, len(m))
			for h, l := range m {
				if l.idle(p, now) {
					delete(m, h)
				}
			}
			if sh.peak > 64 && len(m) < sh.peak/4 {
				nm := make(map[uint64]*tslog, len(m))
				for h, l := range m {
					nm[h] = l
				}
				sh.logs[i] = nm
			}
			continue
		}
		sh.m[i].sweep(func(st state) bool { return idle(s.alg, p, st, now) })
	}
	if sh.logs != nil && sh.peak > 64 && sh.keys() < sh.peak/4 {
		sh.peak = sh.keys()
	}
}

func (sh *shard) keys() int {
	if sh.logs != nil {
		return len(sh.logs[0])
	}
	return sh.m[0].n
}

// Len returns the number of keys currently stored (active keys plus idle
// keys not yet swept). O(shards).
func (s *Store) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += sh.keys()
		sh.mu.Unlock()
	}
	return n
}

// Sweep deletes every idle key at time now in all shards; shards also do
// this by themselves every SweepInterval, so calling it is optional.
func (s *Store) Sweep(now time.Time) {
	t := now.UnixNano()
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		sh.sweep(s, t)
		sh.mu.Unlock()
	}
}

// Wait is shorthand for WaitN(ctx, key, 1).
func (s *Store) Wait(ctx context.Context, key string) error { return s.WaitN(ctx, key, 1) }

// WaitN blocks until n events for key are admitted and, for LeakyQueue,
// until the request's turn to leave the queue, or until ctx is done. For
// the other algorithms it sleeps for Result.RetryAfter and tries again, so
// waiters are not served in order. It returns an error wrapping
// [ErrWouldExceedDeadline] without sleeping when the wait would outlast
// ctx's deadline (for LeakyQueue the slot has then already been taken),
// ctx.Err() when ctx ends first, and the errors of AllowNAt.
func (s *Store) WaitN(ctx context.Context, key string, n int) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		now := s.clock.time()
		r, err := s.AllowNAt(key, now, n)
		if err != nil {
			return err
		}
		d := r.Delay
		if !r.Allowed {
			d = r.RetryAfter
		}
		if d <= 0 {
			if r.Allowed {
				return nil
			}
			continue
		}
		if dl, ok := ctx.Deadline(); ok && now.Add(d).After(dl) {
			return fmt.Errorf("%w: need %v", ErrWouldExceedDeadline, d)
		}
		tm := time.NewTimer(d)
		select {
		case <-ctx.Done():
			tm.Stop()
			return ctx.Err()
		case <-tm.C:
		}
		if r.Allowed {
			return nil
		}
	}
}
