package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sysdesign-go/sysdesign/internal/redistest"
	"github.com/sysdesign-go/sysdesign/ratelimit"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type transitions struct {
	mu  sync.Mutex
	got []string
}

func (tr *transitions) record(from, to BreakerState) {
	tr.mu.Lock()
	tr.got = append(tr.got, from.String()+">"+to.String())
	tr.mu.Unlock()
}

func (tr *transitions) String() string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return fmt.Sprint(tr.got)
}

var errDial = &net.OpError{Op: "dial", Err: errors.New("connection refused")}

// TestBreakerStateMachine drives the breaker alone with a fake clock.
func TestBreakerStateMachine(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1000, 0)}
	var tr transitions
	b, err := newBreaker(Breaker{Failures: 3, Backoff: time.Second, MaxBackoff: 3 * time.Second, Now: clk.Now, OnStateChange: tr.record})
	if err != nil {
		t.Fatal(err)
	}
	fail := func() {
		t.Helper()
		p := b.allow()
		if p == permitDeny {
			t.Fatalf("denied in state %v", b.stats().State)
		}
		b.done(p, errDial)
	}
	// Failures that are not consecutive do not open it; error replies
	// from a live server count as successes.
	fail()
	fail()
	b.done(b.allow(), nil)
	fail()
	fail()
	b.done(b.allow(), redis.Error(proto("ERR wrong type")))
	b.done(b.allow(), redis.Error(proto("ERR wrong type")))
	if s := b.stats(); s.State != BreakerClosed || s.Failures != 4 {
		t.Fatalf("after interleaved failures: %+v", s)
	}
	fail()
	fail()
	if s := b.stats(); s.State != BreakerClosed {
		t.Fatalf("error reply did not reset the count: %+v", s)
	}
	fail() // third consecutive transport failure
	if s := b.stats(); s.State != BreakerOpen || s.Opened != 1 {
		t.Fatalf("after 3 consecutive failures: %+v", s)
	}
	for range 10 {
		if p := b.allow(); p != permitDeny {
			t.Fatalf("open breaker permitted %v", p)
		}
	}
	clk.Advance(999 * time.Millisecond)
	if p := b.allow(); p != permitDeny {
		t.Fatal("open breaker permitted before the backoff ended")
	}
	clk.Advance(time.Millisecond)
	probe := b.allow()
	if probe != permitProbe {
		t.Fatalf("after the backoff: %v; want a probe", probe)
	}
	if p := b.allow(); p != permitDeny {
		t.Fatal("second probe permitted while the first is in flight")
	}
	b.done(probe, errDial) // failed probe: open for 2 s
	clk.Advance(1999 * time.Millisecond)
	if p := b.allow(); p != permitDeny {
		t.Fatal("reopened breaker did not double its backoff")
	}
	clk.Advance(time.Millisecond)
	probe = b.allow()
	b.done(probe, errDial) // open for min(4 s, MaxBackoff 3 s)
	clk.Advance(3 * time.Second)
	probe = b.allow()
	if probe != permitProbe {
		t.Fatal("backoff not capped at MaxBackoff")
	}
	b.abandon(probe) // caller gave up: the next call probes
	probe = b.allow()
	if probe != permitProbe {
		t.Fatal("abandoned probe blocked the next one")
	}
	b.done(probe, nil)
	if p := b.allow(); p != permitNormal {
		t.Fatalf("after a good probe: %v", p)
	}
	want := "[closed>open open>half-open half-open>open open>half-open half-open>open open>half-open half-open>closed]"
	if got := tr.String(); got != want {
		t.Errorf("transitions:\n got %s\nwant %s", got, want)
	}
	s := b.stats()
	if s.State != BreakerClosed || s.Opened != 3 || s.ShortCircuited != 13 || s.Failures != 9 {
		t.Errorf("final stats %+v", s)
	}
	// After closing, the count starts again from zero and the backoff
	// from Backoff.
	fail()
	fail()
	fail()
	clk.Advance(time.Second)
	if p := b.allow(); p != permitProbe {
		t.Errorf("backoff not reset after closing: %v", p)
	}

	if _, err := newBreaker(Breaker{Backoff: -1}); err == nil {
		t.Error("negative backoff accepted")
	}
	off, _ := newBreaker(Breaker{Failures: -1})
	for range 20 {
		p := off.allow()
		if p != permitNormal {
			t.Fatal("disabled breaker denied")
		}
		off.done(p, errDial)
	}
}

type proto string

func (p proto) Error() string { return string(p) }
func (proto) RedisError()     {}

// TestBreakerConcurrentProbe: many goroutines racing at the end of the
// backoff get exactly one probe.
func TestBreakerConcurrentProbe(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	b, _ := newBreaker(Breaker{Failures: 1, Now: clk.Now})
	b.done(b.allow(), errDial)
	clk.Advance(time.Second)
	var probes atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for range 100 {
				if b.allow() == permitProbe {
					probes.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := probes.Load(); n != 1 {
		t.Errorf("%d probes; want 1", n)
	}
}

// switchDialer dials whatever address it currently points at, and counts
// dials: a Redis "server" that can go away and come back elsewhere.
type switchDialer struct {
	addr  atomic.Value // string
	dials atomic.Int64
}

func (d *switchDialer) dial(ctx context.Context, network, _ string) (net.Conn, error) {
	d.dials.Add(1)
	var nd net.Dialer
	return nd.DialContext(ctx, network, d.addr.Load().(string))
}

// TestBreakerAgainstRedis: a limiter whose Redis dies opens its breaker
// and stops dialling; when a server is reachable again, the probe after the
// backoff closes it and decisions come from Redis again.
func TestBreakerAgainstRedis(t *testing.T) {
	for _, batch := range []int{1, 0} {
		t.Run(fmt.Sprintf("MaxBatch=%d", batch), func(t *testing.T) {
			srv := redistest.Start(t)
			d := &switchDialer{}
			d.addr.Store(srv.Addr)
			c := redis.NewClient(&redis.Options{Addr: srv.Addr, Dialer: d.dial, MaxRetries: -1, DialTimeout: 500 * time.Millisecond, DialerRetries: 1})
			t.Cleanup(func() { c.Close() })
			clk := &fakeClock{t: time.Unix(0, 0)}
			var tr transitions
			var reported atomic.Int64
			l := newLimiter(t, c, ratelimit.GCRA, []ratelimit.Limit{slow(1000)}, Options{
				MaxBatch: batch,
				Policy:   FailLocal,
				Fallback: mustStore(t, slow(2)),
				OnError:  func(error) { reported.Add(1) },
				Breaker:  Breaker{Failures: 3, Backoff: 10 * time.Second, Now: clk.Now, OnStateChange: tr.record},
			})
			ctx := context.Background()
			if r, err := l.Allow(ctx, "k"); err != nil || r.Remaining != 999 {
				t.Fatalf("redis up: %+v %v", r, err)
			}
			srv.Stop()
			for i := range 3 {
				if _, err := l.Allow(ctx, "k"); err != nil {
					t.Fatalf("failure %d under FailLocal: %v", i, err)
				}
			}
			if s := l.Stats(); s.State != BreakerOpen || s.Failures != 3 || reported.Load() != 3 {
				t.Fatalf("after 3 failures: %+v, OnError %d", s, reported.Load())
			}
			dials := d.dials.Load()
			// Open: the local fallback (2 per hour) decides a fresh key
			// without a dial.
			var got []bool
			for range 4 {
				r, err := l.Allow(ctx, "k2")
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, r.Allowed)
			}
			if fmt.Sprint(got) != "[true true false false]" {
				t.Errorf("open breaker, fallback 2/hour: %v", got)
			}
			if n := d.dials.Load() - dials; n != 0 {
				t.Errorf("open breaker dialled %d times", n)
			}
			if s := l.Stats(); s.ShortCircuited != 4 || reported.Load() != 3 {
				t.Errorf("open: %+v, OnError %d", s, reported.Load())
			}
			// A new server comes up where the dialer now points; the
			// breaker does not notice until the backoff ends.
			srv2 := redistest.Start(t)
			d.addr.Store(srv2.Addr)
			clk.Advance(10 * time.Second)
			if r, err := l.Allow(ctx, "k"); err != nil || !r.Allowed || r.Remaining != 999 {
				t.Fatalf("probe against the new server: %+v %v", r, err)
			}
			if r, err := l.Allow(ctx, "k"); err != nil || r.Remaining != 998 {
				t.Fatalf("closed again: %+v %v", r, err)
			}
			if s := l.Stats(); s.State != BreakerClosed || s.Opened != 1 {
				t.Errorf("after recovery: %+v", s)
			}
			if got, want := tr.String(), "[closed>open open>half-open half-open>closed]"; got != want {
				t.Errorf("transitions %s; want %s", got, want)
			}
		})
	}
}

// TestBreakerFailClosed: under FailClosed a short-circuited call reports
// both ErrUnavailable and ErrCircuitOpen.
func TestBreakerFailClosed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond, DialerRetries: 1})
	t.Cleanup(func() { c.Close() })
	l := newLimiter(t, c, ratelimit.GCRA, []ratelimit.Limit{slow(10)}, Options{Breaker: Breaker{Failures: 1}})
	ctx := context.Background()
	if _, err := l.Allow(ctx, "k"); !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrCircuitOpen) {
		t.Errorf("first failure: %v", err)
	}
	if _, err := l.Allow(ctx, "k"); !errors.Is(err, ErrUnavailable) || !errors.Is(err, ErrCircuitOpen) {
		t.Errorf("short-circuited: %v", err)
	}
	if _, err := New(c, ratelimit.GCRA, []ratelimit.Limit{slow(1)}, Options{Breaker: Breaker{MaxBackoff: -1}}); err == nil {
		t.Error("negative MaxBackoff accepted")
	}
}

func mustStore(t *testing.T, lim ratelimit.Limit) *ratelimit.Store {
	t.Helper()
	s, err := ratelimit.NewStore(ratelimit.GCRA, []ratelimit.Limit{lim}, ratelimit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
