package redisstore

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrCircuitOpen is the error the Policy sees for a decision that was not
// sent to Redis because the circuit breaker is open (see [Breaker]).
// Under FailClosed, AllowN returns an error wrapping both ErrUnavailable and
// ErrCircuitOpen.
var ErrCircuitOpen = errors.New("redisstore: circuit open, redis not tried")

// BreakerState is the state of a Limiter's circuit breaker.
type BreakerState uint32

const (
	// BreakerClosed: decisions go to Redis. The normal state.
	BreakerClosed BreakerState = iota
	// BreakerOpen: Redis failed repeatedly; decisions go straight to the
	// Policy without touching the network until the backoff ends.
	BreakerOpen
	// BreakerHalfOpen: the backoff ended; one probe decision goes to
	// Redis, the others still go to the Policy. Success closes the
	// breaker, failure opens it again for twice the previous backoff.
	BreakerHalfOpen
)

// String returns "closed", "open" or "half-open".
func (s BreakerState) String() string {
	switch s {
	case BreakerClosed:
		return "closed"
	case BreakerOpen:
		return "open"
	case BreakerHalfOpen:
		return "half-open"
	}
	return fmt.Sprintf("BreakerState(%d)", uint32(s))
}

// Breaker configures the circuit breaker of a [Limiter], which keeps a
// Redis outage from costing every call a failed dial or a timeout. The
// zero value means the documented defaults.
//
// After Failures consecutive failed decisions the breaker opens: for
// Backoff, every decision goes straight to the Policy (with
// [ErrCircuitOpen]). Then it is half-open: the next decision is a probe
// sent to Redis while the others keep going to the Policy; a successful
// probe closes the breaker, a failed one opens it again for twice the last
// backoff, at most MaxBackoff. Only transport failures count (dial errors,
// timeouts, closed connections); an error reply from a live server, such as
// a script error, does not.
type Breaker struct {
	// Failures is the number of consecutive failures that opens the
	// breaker; 0 means 5; negative disables the breaker.
	Failures int
	// Backoff is how long the breaker stays open the first time; 0 means
	// 1 second.
	Backoff time.Duration
	// MaxBackoff caps the doubling after failed probes; 0 means 30
	// seconds (or Backoff, if larger).
	MaxBackoff time.Duration
	// OnStateChange is called on every transition, outside the breaker's
	// lock, in order; nil means no call. It must not block.
	OnStateChange func(from, to BreakerState)
	// Now is the clock used for the backoff; nil means time.Now.
	Now func() time.Time
}

// Stats is a snapshot of a Limiter's counters, for metrics.
type Stats struct {
	// State is the circuit breaker's state now.
	State BreakerState
	// Failures counts decisions that failed in Redis (transport errors).
	Failures uint64
	// ShortCircuited counts decisions given to the Policy without trying
	// Redis because the breaker was open.
	ShortCircuited uint64
	// Opened counts how many times the breaker opened.
	Opened uint64
}

// breaker is the circuit breaker: the closed-state fast path is one atomic
// load on the way in and one on the way out.
type breaker struct {
	cfg   Breaker
	state atomic.Uint32 // BreakerState
	fails atomic.Int64  // consecutive failures while closed

	mu      sync.Mutex
	until   time.Time     // end of the open period
	backoff time.Duration // current open period
	probing bool          // a half-open probe is in flight

	failures, short, opened atomic.Uint64
}

func newBreaker(cfg Breaker) (*breaker, error) {
	if cfg.Backoff < 0 || cfg.MaxBackoff < 0 {
		return nil, errors.New("redisstore: negative Breaker.Backoff or MaxBackoff")
	}
	if cfg.Failures == 0 {
		cfg.Failures = 5
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = time.Second
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = max(30*time.Second, cfg.Backoff)
	}
	cfg.MaxBackoff = max(cfg.MaxBackoff, cfg.Backoff)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &breaker{cfg: cfg, backoff: cfg.Backoff}, nil
}

// permit is the verdict of allow.
type permit uint8

const (
	permitNormal permit = iota // closed: send
	permitProbe                // half-open probe: send, then report
	permitDeny                 // open: do not send
)

// allow says whether a decision may go to Redis.
func (b *breaker) allow() permit {
	if b.cfg.Failures < 0 || BreakerState(b.state.Load()) == BreakerClosed {
		return permitNormal
	}
	b.mu.Lock()
	st := BreakerState(b.state.Load())
	var from BreakerState
	p := permitDeny
	switch {
	case st == BreakerClosed:
		p = permitNormal
	case st == BreakerOpen && !b.cfg.Now().Before(b.until):
		b.state.Store(uint32(BreakerHalfOpen))
		b.probing = true
		from, p = BreakerOpen, permitProbe
	case st == BreakerHalfOpen && !b.probing:
		b.probing = true
		p = permitProbe
	}
	b.mu.Unlock()
	if p == permitProbe && from == BreakerOpen {
		b.notify(BreakerOpen, BreakerHalfOpen)
	}
	if p == permitDeny {
		b.short.Add(1)
	}
	return p
}

// done records the outcome of a decision allowed with p.
func (b *breaker) done(p permit, err error) {
	if b.cfg.Failures < 0 || p == permitDeny {
		return
	}
	if errors.Is(err, ErrClosed) {
		b.abandon(p)
		return
	}
	failed := isTransportError(err)
	if failed {
		b.failures.Add(1)
	}
	if p == permitNormal {
		if !failed {
			if b.fails.Load() != 0 {
				b.fails.Store(0)
			}
			return
		}
		if b.fails.Add(1) < int64(b.cfg.Failures) {
			return
		}
		b.mu.Lock()
		opened := BreakerState(b.state.Load()) == BreakerClosed
		if opened {
			b.open(b.cfg.Backoff)
		}
		b.mu.Unlock()
		if opened {
			b.notify(BreakerClosed, BreakerOpen)
		}
		return
	}
	// the probe
	b.mu.Lock()
	b.probing = false
	to := BreakerClosed
	if failed {
		to = BreakerOpen
		b.open(min(2*b.backoff, b.cfg.MaxBackoff))
	} else {
		b.backoff = b.cfg.Backoff
		b.fails.Store(0)
		b.state.Store(uint32(BreakerClosed))
	}
	b.mu.Unlock()
	b.notify(BreakerHalfOpen, to)
}

// open moves to BreakerOpen for d; b.mu is held.
func (b *breaker) open(d time.Duration) {
	b.backoff = d
	b.until = b.cfg.Now().Add(d)
	b.state.Store(uint32(BreakerOpen))
	b.opened.Add(1)
}

func (b *breaker) notify(from, to BreakerState) {
	if b.cfg.OnStateChange != nil {
		b.cfg.OnStateChange(from, to)
	}
}

func (b *breaker) stats() Stats {
	return Stats{State: BreakerState(b.state.Load()), Failures: b.failures.Load(), ShortCircuited: b.short.Load(), Opened: b.opened.Load()}
}

// isTransportError reports whether err means Redis could not be reached
// or did not answer (as opposed to an error reply from a live server).
func isTransportError(err error) bool {
	if err == nil || errors.Is(err, ErrClosed) {
		return false
	}
	var rerr redis.Error // an error reply: the server is up
	return !errors.As(err, &rerr)
}

// abandon releases a decision allowed with p whose outcome is unknown (the
// caller's context ended): a probe lets the next decision probe instead.
func (b *breaker) abandon(p permit) {
	if p != permitProbe {
		return
	}
	b.mu.Lock()
	b.probing = false
	b.mu.Unlock()
}
