package ratelimit

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// Bucket is a single GCRA limit with no keys, the counterpart of
// golang.org/x/time/rate.Limiter: its whole state is one theoretical
// arrival time updated with compare-and-swap, so Allow takes no lock and
// does not allocate. It decides exactly like a [Store] with algorithm GCRA
// and the same limit, for one key.
//
// A Bucket is safe for concurrent use. Create it with [NewBucket]; the zero
// value is not usable.
type Bucket struct {
	p     params
	tat   atomic.Int64 // 0 means never used
	clock clock
}

// NewBucket returns a Bucket for lim; only Options.Now is used. Invalid
// limits are errors wrapping [ErrInvalidLimit].
func NewBucket(lim Limit, opts Options) (*Bucket, error) {
	if err := lim.Validate(GCRA); err != nil {
		return nil, err
	}
	return &Bucket{p: newParams(lim), clock: newClock(opts.Now)}, nil
}

// Limit returns the bucket's limit.
func (b *Bucket) Limit() Limit { return b.p.lim }

// Allow reports whether one event may happen now, and consumes it if so.
// It decides as AllowNAt(now, 1) with the bucket's clock does, but
// computes only the verdict: the Remaining and RetryAfter of a Result each
// cost an integer division, which on the hardware we measured is as slow as
// the rest of the decision. Allow reads the clock once and does one atomic
// load and, when admitted, one compare-and-swap.
func (b *Bucket) Allow() bool {
	t := b.clock.nanos()
	for {
		old := b.tat.Load()
		// gcra with n = 1: t ≤ tat' = max(old, t) + T, admitted when
		// tat' - t ≤ tau; tat' > old always (T ≥ 1), so admitting always
		// writes.
		next := max(old, t) + b.p.t
		if next-t > b.p.tau {
			return false
		}
		if b.tat.CompareAndSwap(old, next) {
			return true
		}
	}
}

// AllowN is shorthand for AllowNAt(now, n) with the bucket's clock.
func (b *Bucket) AllowN(n int) (Result, error) { return b.AllowNAt(b.clock.time(), n) }

// AllowNAt reports whether n events may happen at time now and consumes
// them if so; n = 0 only reports. It returns a *[BurstError] for n above
// the burst and [ErrNegativeN] for n < 0. Lock-free: one atomic load and,
// when admitted, one compare-and-swap (retried if another goroutine got
// there first).
func (b *Bucket) AllowNAt(now time.Time, n int) (Result, error) {
	if n < 0 {
		return Result{}, ErrNegativeN
	}
	if int64(n) > b.p.burst {
		return Result{}, &BurstError{N: n, Limit: b.p.lim, Max: int(b.p.burst)}
	}
	_, v := b.allow(now.UnixNano(), int64(n))
	return v.result(&b.p), nil
}

// allow decides n (already checked) at t with compare-and-swap.
func (b *Bucket) allow(t, n int64) (bool, verdict) {
	if n > b.p.burst {
		return false, verdict{}
	}
	for {
		old := b.tat.Load()
		ns, v := gcra(&b.p, state{a: old}, t, n)
		if !v.allowed || n == 0 || ns.a == old || b.tat.CompareAndSwap(old, ns.a) {
			return v.allowed, v
		}
	}
}

// Wait blocks until one event is admitted or ctx is done, like
// [Store.WaitN] with one key.
func (b *Bucket) Wait(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		now := b.clock.time()
		r, err := b.AllowNAt(now, 1)
		if err != nil || r.Allowed {
			return err
		}
		if dl, ok := ctx.Deadline(); ok && now.Add(r.RetryAfter).After(dl) {
			return fmt.Errorf("%w: need %v", ErrWouldExceedDeadline, r.RetryAfter)
		}
		tm := time.NewTimer(r.RetryAfter)
		select {
		case <-ctx.Done():
			tm.Stop()
			return ctx.Err()
		case <-tm.C:
		}
	}
}
