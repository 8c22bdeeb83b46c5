package ratelimit

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Algorithm selects how a [Store] (or a redisstore.Limiter) decides. The
// zero value is not a valid algorithm.
type Algorithm uint8

const (
	// TokenBucket holds up to Burst tokens, refilled one every Period/Rate;
	// a request of n takes n tokens. A new key starts full.
	TokenBucket Algorithm = iota + 1
	// LeakyBucket is the leaky bucket as a meter: a bucket of capacity Burst
	// drains at Rate per Period and each request pours n units in; a request
	// that would overflow is rejected. It admits exactly what TokenBucket
	// admits (tokens = capacity - level).
	LeakyBucket
	// LeakyQueue is the leaky bucket as a queue: admitted requests leave the
	// queue one every Period/Rate, so Result.Delay tells the caller how long
	// to wait before acting, and at most Burst requests are in the queue
	// (including the one leaving now). [Store.WaitN] sleeps that delay.
	LeakyQueue
	// FixedWindow counts requests in windows of Period aligned to the Unix
	// epoch; at most Rate per window. Burst must be 0 or Rate.
	FixedWindow
	// SlidingLog keeps the timestamp of every admitted event and admits a
	// request when fewer than Rate events happened in the last Period. Exact,
	// but costs O(Rate) memory per busy key. Burst must be 0 or Rate.
	SlidingLog
	// SlidingWindow is the sliding window counter (Cloudflare's
	// approximation): the previous fixed window's count, weighted by the
	// share of it still inside the sliding window, plus the current count.
	// Burst must be 0 or Rate; Rate is at most 2^31-1.
	SlidingWindow
	// GCRA is the generic cell rate algorithm (virtual scheduling): one
	// theoretical arrival time per key. It admits exactly what TokenBucket
	// admits, in 8 bytes of state.
	GCRA
)

var algNames = [...]string{"", "token-bucket", "leaky-bucket", "leaky-queue", "fixed-window", "sliding-log", "sliding-window", "gcra"}

// String returns the algorithm's name, e.g. "token-bucket".
func (a Algorithm) String() string {
	if int(a) < len(algNames) && a != 0 {
		return algNames[a]
	}
	return fmt.Sprintf("Algorithm(%d)", uint8(a))
}

// Valid reports whether a is one of the defined algorithms.
func (a Algorithm) Valid() bool { return a >= TokenBucket && a <= GCRA }

// bucket reports whether a is one of the bucket algorithms that use Burst.
func (a Algorithm) bucket() bool {
	return a == TokenBucket || a == LeakyBucket || a == LeakyQueue || a == GCRA
}

// Limit is one rate: Rate events per Period, with bursts of up to Burst for
// the bucket algorithms. The zero value is not valid; build limits with
// [PerSecond], [PerMinute], [PerHour], [PerDay] or a literal.
type Limit struct {
	// Rate is the number of events allowed per Period; it must be > 0.
	Rate int
	// Period is the length of the window (window algorithms) or the time
	// in which Rate tokens are refilled (bucket algorithms); it must be > 0.
	Period time.Duration
	// Burst is the bucket capacity for TokenBucket, LeakyBucket,
	// LeakyQueue and GCRA; 0 means Rate. Window algorithms require 0 or Rate.
	Burst int
	// Name names the policy in HTTP headers; empty means "default".
	Name string
}

// PerSecond returns a limit of n events per second (burst n).
func PerSecond(n int) Limit { return Limit{Rate: n, Period: time.Second} }

// PerMinute returns a limit of n events per minute (burst n).
func PerMinute(n int) Limit { return Limit{Rate: n, Period: time.Minute} }

// PerHour returns a limit of n events per hour (burst n).
func PerHour(n int) Limit { return Limit{Rate: n, Period: time.Hour} }

// PerDay returns a limit of n events per 24 hours (burst n).
func PerDay(n int) Limit { return Limit{Rate: n, Period: 24 * time.Hour} }

// WithBurst returns a copy of l with Burst set to b.
func (l Limit) WithBurst(b int) Limit { l.Burst = b; return l }

// WithName returns a copy of l with Name set to name.
func (l Limit) WithName(name string) Limit { l.Name = name; return l }

// BurstSize returns the effective burst: Burst, or Rate when Burst is 0.
func (l Limit) BurstSize() int {
	if l.Burst == 0 {
		return l.Rate
	}
	return l.Burst
}

// PolicyName returns Name, or "default" when it is empty.
func (l Limit) PolicyName() string {
	if l.Name == "" {
		return "default"
	}
	return l.Name
}

// Interval returns the emission interval Period/Rate, rounded down to a
// whole nanosecond: the time in which a bucket algorithm refills one token.
func (l Limit) Interval() time.Duration {
	if l.Rate <= 0 {
		return 0
	}
	return l.Period / time.Duration(l.Rate)
}

// String formats l as "10/1s burst 20 (name)".
func (l Limit) String() string {
	s := fmt.Sprintf("%d/%v", l.Rate, l.Period)
	if l.Burst != 0 && l.Burst != l.Rate {
		s += fmt.Sprintf(" burst %d", l.Burst)
	}
	if l.Name != "" {
		s += " (" + l.Name + ")"
	}
	return s
}

// Validate reports whether l is usable with algorithm a; the error wraps
// [ErrInvalidLimit].
func (l Limit) Validate(a Algorithm) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %v: %s", ErrInvalidLimit, l, fmt.Sprintf(format, args...))
	}
	if !a.Valid() {
		return fmt.Errorf("%w: %v", ErrInvalidAlgorithm, a)
	}
	switch {
	case l.Rate <= 0:
		return bad("rate must be > 0")
	case l.Period <= 0:
		return bad("period must be > 0")
	case l.Burst < 0:
		return bad("burst must be >= 0")
	}
	if a.bucket() {
		t := l.Interval()
		if t == 0 {
			return bad("rate above one event per nanosecond")
		}
		if int64(l.BurstSize()) > math.MaxInt64/4/int64(t) {
			return bad("burst × interval overflows")
		}
		return nil
	}
	if l.Burst != 0 && l.Burst != l.Rate {
		return bad("%v takes no burst (use 0 or rate)", a)
	}
	if a == SlidingWindow && l.Rate > math.MaxInt32 {
		return bad("sliding window rate above 2^31-1")
	}
	if l.Period > math.MaxInt64/4 {
		return bad("period too long")
	}
	return nil
}

// Result is the outcome of one decision.
type Result struct {
	// Allowed reports whether the request may proceed.
	Allowed bool
	// Limit is the limit that decided: the one that denied the request, or,
	// when allowed, the one with the fewest remaining events.
	Limit Limit
	// Remaining is how many more events of size 1 Limit would admit now.
	Remaining int
	// RetryAfter is, when not allowed, how long until the same request
	// would be allowed if nothing else happens; 0 when allowed.
	RetryAfter time.Duration
	// ResetAfter is how long until Limit is back to its initial, fully
	// available state if nothing else happens.
	ResetAfter time.Duration
	// Delay is, for LeakyQueue, how long the admitted request must wait
	// for its turn to leave the queue; 0 for every other algorithm.
	Delay time.Duration
}

// Errors returned by this package. Test with errors.Is.
var (
	// ErrInvalidLimit reports a limit that cannot be used (zero or negative
	// rate or period, a burst with a window algorithm, overflow).
	ErrInvalidLimit = errors.New("ratelimit: invalid limit")
	// ErrInvalidAlgorithm reports an Algorithm value that is not defined.
	ErrInvalidAlgorithm = errors.New("ratelimit: invalid algorithm")
	// ErrNoLimits reports a constructor called without limits.
	ErrNoLimits = errors.New("ratelimit: no limits")
	// ErrExceedsBurst reports a request of n events that no limit state
	// could ever admit (n above the burst, or above Rate for windows). The
	// error is a *[BurstError].
	ErrExceedsBurst = errors.New("ratelimit: n exceeds burst")
	// ErrNegativeN reports a negative event count.
	ErrNegativeN = errors.New("ratelimit: negative n")
	// ErrWouldExceedDeadline reports that Wait would have to sleep past the
	// context's deadline.
	ErrWouldExceedDeadline = errors.New("ratelimit: wait would exceed context deadline")
)

// BurstError is the error for a request larger than a limit could ever
// admit. It wraps [ErrExceedsBurst].
type BurstError struct {
	N     int   // the requested number of events
	Limit Limit // the limit it exceeds
	Max   int   // the largest n Limit admits
}

// Error formats the error with n, the largest admissible n and the limit.
func (e *BurstError) Error() string {
	return fmt.Sprintf("ratelimit: n=%d exceeds burst %d of limit %v", e.N, e.Max, e.Limit)
}

// Unwrap returns ErrExceedsBurst.
func (e *BurstError) Unwrap() error { return ErrExceedsBurst }
