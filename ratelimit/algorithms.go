package ratelimit

import (
	"math/bits"
	"time"
)

// state is the fixed-size per-key, per-limit state of every algorithm but
// SlidingLog. Its meaning depends on the algorithm:
//
//	TokenBucket   a = credit in nanoseconds (tokens × interval), b = last update
//	LeakyBucket   a = level in nanoseconds, b = last update
//	GCRA          a = theoretical arrival time (TAT)
//	LeakyQueue    a = time the queue is empty again (departure of the last request)
//	FixedWindow   a = window start, b = count
//	SlidingWindow a = current window start, b = previous count<<32 | current count
type state struct{ a, b int64 }

// params is a validated Limit in integer nanoseconds.
type params struct {
	lim    Limit
	rate   int64 // events per period
	period int64 // ns
	burst  int64 // effective burst
	t      int64 // emission interval, ns
	tau    int64 // burst × t
}

func newParams(l Limit) params {
	p := params{lim: l, rate: int64(l.Rate), period: int64(l.Period), burst: int64(l.BurstSize())}
	p.t = p.period / p.rate
	p.tau = p.burst * p.t
	return p
}

// max returns the largest n a fresh key admits for algorithm a.
func (p *params) max(a Algorithm) int64 {
	if a.bucket() {
		return p.burst
	}
	return p.rate
}

// verdict is a decision in integer nanoseconds.
type verdict struct {
	allowed   bool
	remaining int64
	retry     int64
	reset     int64
	delay     int64
}

func (v verdict) result(p *params) Result {
	return Result{
		Allowed:    v.allowed,
		Limit:      p.lim,
		Remaining:  int(v.remaining),
		RetryAfter: time.Duration(v.retry),
		ResetAfter: time.Duration(v.reset),
		Delay:      time.Duration(v.delay),
	}
}

// floorDiv returns floor(a/b) for b > 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// windowStart returns the start of the Period-aligned window holding now.
func windowStart(now, period int64) int64 { return floorDiv(now, period) * period }

// fresh returns the state of a key never seen (or evicted) at time now.
func fresh(a Algorithm, p *params, now int64) state {
	switch a {
	case TokenBucket:
		return state{a: p.tau, b: now}
	case LeakyBucket:
		return state{a: 0, b: now}
	case GCRA, LeakyQueue:
		return state{a: now}
	case FixedWindow, SlidingWindow:
		return state{a: windowStart(now, p.period)}
	}
	return state{}
}

// idle reports whether s at time now is equivalent to a fresh state, so
// evicting it changes no future decision.
func idle(a Algorithm, p *params, s state, now int64) bool {
	switch a {
	case TokenBucket:
		return s.a+(now-s.b) >= p.tau && now >= s.b
	case LeakyBucket:
		return s.a-(now-s.b) <= 0 && now >= s.b
	case GCRA, LeakyQueue:
		return s.a <= now
	case FixedWindow:
		return s.b == 0 || s.a+p.period <= now
	case SlidingWindow:
		return s.b == 0 || s.a+2*p.period <= now
	}
	return false
}

// decide computes the verdict for n events at time now and the state to
// store if the request is admitted. It never modifies s. n is within
// [0, p.max(a)].
func decide(a Algorithm, p *params, s state, now, n int64) (state, verdict) {
	switch a {
	case TokenBucket:
		return tokenBucket(p, s, now, n)
	case LeakyBucket:
		return leakyBucket(p, s, now, n)
	case GCRA:
		return gcra(p, s, now, n)
	case LeakyQueue:
		return leakyQueue(p, s, now, n)
	case FixedWindow:
		return fixedWindow(p, s, now, n)
	case SlidingWindow:
		return slidingWindow(p, s, now, n)
	}
	return s, verdict{}
}

// tokenBucket: credit refills one nanosecond per nanosecond up to tau; a
// token is worth t nanoseconds of credit.
func tokenBucket(p *params, s state, now, n int64) (state, verdict) {
	credit, last := s.a, s.b
	if elapsed := now - last; elapsed > 0 {
		last = now
		if elapsed >= p.tau-credit {
			credit = p.tau
		} else {
			credit += elapsed
		}
	}
	need := n * p.t
	if credit < need {
		return s, verdict{remaining: credit / p.t, retry: need - credit, reset: p.tau - credit}
	}
	credit -= need
	return state{a: credit, b: last}, verdict{allowed: true, remaining: credit / p.t, reset: p.tau - credit}
}

// leakyBucket: the level drains one nanosecond per nanosecond; a request of
// n pours n×t in; capacity tau.
func leakyBucket(p *params, s state, now, n int64) (state, verdict) {
	level, last := s.a, s.b
	if elapsed := now - last; elapsed > 0 {
		last = now
		if elapsed >= level {
			level = 0
		} else {
			level -= elapsed
		}
	}
	need := n * p.t
	if level+need > p.tau {
		return s, verdict{remaining: (p.tau - level) / p.t, retry: level + need - p.tau, reset: level}
	}
	level += need
	return state{a: level, b: last}, verdict{allowed: true, remaining: (p.tau - level) / p.t, reset: level}
}

// gcra: virtual scheduling. A request is conforming when its new
// theoretical arrival time is at most tau ahead of now.
func gcra(p *params, s state, now, n int64) (state, verdict) {
	tat := max(s.a, now)
	newTat := tat + n*p.t
	if ahead := newTat - now; ahead > p.tau {
		return s, verdict{remaining: (p.tau - (tat - now)) / p.t, retry: ahead - p.tau, reset: tat - now}
	}
	return state{a: newTat}, verdict{allowed: true, remaining: (p.tau - (newTat - now)) / p.t, reset: newTat - now}
}

// leakyQueue admits exactly as gcra does, and tells the caller when its
// request leaves the queue.
func leakyQueue(p *params, s state, now, n int64) (state, verdict) {
	ns, v := gcra(p, s, now, n)
	if v.allowed {
		v.delay = max(s.a, now) - now
	}
	return ns, v
}

func fixedWindow(p *params, s state, now, n int64) (state, verdict) {
	ws := windowStart(now, p.period)
	count := s.b
	if ws > s.a {
		count = 0
	} else {
		ws = s.a // clock went backwards: stay in the stored window
	}
	end := ws + p.period - now
	if count+n > p.rate {
		return s, verdict{remaining: p.rate - count, retry: end, reset: end}
	}
	count += n
	reset := end
	if count == 0 {
		reset = 0
	}
	return state{a: ws, b: count}, verdict{allowed: true, remaining: p.rate - count, reset: reset}
}

// mulCmp reports whether a×b <= c×d for non-negative operands, exactly.
func mulCmp(a, b, c, d int64) bool {
	h1, l1 := bits.Mul64(uint64(a), uint64(b))
	h2, l2 := bits.Mul64(uint64(c), uint64(d))
	return h1 < h2 || (h1 == h2 && l1 <= l2)
}

// mulDiv returns floor(a×b/c) for non-negative a, b and c > 0, saturating
// at MaxInt64.
func mulDiv(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(c) {
		return 1<<63 - 1
	}
	q, _ := bits.Div64(hi, lo, uint64(c))
	if q > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(q)
}

// slidingWindow: estimate = prev × (P−e)/P + cur, where e is the time
// elapsed in the current window. Admitted when estimate + n <= rate,
// computed exactly in 128-bit integers.
func slidingWindow(p *params, s state, now, n int64) (state, verdict) {
	ws := windowStart(now, p.period)
	prev, cur := s.b>>32, s.b&(1<<32-1)
	switch {
	case ws < s.a:
		ws = s.a // clock went backwards
	case ws == s.a:
	case ws == s.a+p.period:
		prev, cur = cur, 0
	default:
		prev, cur = 0, 0
	}
	e := now - ws
	if e < 0 {
		e = 0
	}
	P := p.period
	used := cur + ceilMulDiv(prev, P-e, P)
	reset := int64(0)
	if cur > 0 {
		reset = ws + 2*P - now
	} else if prev > 0 {
		reset = ws + P - now
	}
	if cur+n <= p.rate && mulCmp(prev, P-e, p.rate-cur-n, P) {
		cur += n
		used += n
		if cur > 0 {
			reset = ws + 2*P - now
		}
		return state{a: ws, b: prev<<32 | cur}, verdict{allowed: true, remaining: max(0, p.rate-used), reset: reset}
	}
	// Denied: find the earliest time the request fits.
	var retry int64
	if cur+n <= p.rate {
		// In this window once prev×(P−e') <= (rate−cur−n)×P.
		retry = P - mulDiv(p.rate-cur-n, P, prev) - e
	} else {
		// In the next window, where cur becomes prev: cur×(P−e'') <= (rate−n)×P.
		retry = P - e
		if cur > 0 {
			retry += max(0, P-mulDiv(p.rate-n, P, cur))
		}
	}
	return s, verdict{remaining: max(0, p.rate-used), retry: max(retry, 1), reset: reset}
}

// ceilMulDiv returns ceil(a×b/c) for non-negative a, b and c > 0.
func ceilMulDiv(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(c) {
		return 1<<63 - 1
	}
	q, r := bits.Div64(hi, lo, uint64(c))
	if r != 0 {
		q++
	}
	return int64(q)
}
