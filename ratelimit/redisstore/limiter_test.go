package redisstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sysdesign-go/sysdesign/internal/redistest"
	"github.com/sysdesign-go/sysdesign/ratelimit"
)

var allAlgorithms = []ratelimit.Algorithm{ratelimit.TokenBucket, ratelimit.LeakyBucket, ratelimit.LeakyQueue, ratelimit.FixedWindow, ratelimit.SlidingLog, ratelimit.SlidingWindow, ratelimit.GCRA}

// slow limits: nothing refills during a test (one token per 36 s), and the
// hour window is long enough that a test never crosses its edge... unless it
// starts in the last seconds of an hour, which the window tests allow for.
func slow(rate int) ratelimit.Limit { return ratelimit.PerHour(rate) }

func newLimiter(t *testing.T, c redis.UniversalClient, alg ratelimit.Algorithm, limits []ratelimit.Limit, opts Options) *Limiter {
	t.Helper()
	l, err := New(c, alg, limits, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestBurstThenDeny(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	for _, alg := range allAlgorithms {
		for _, batch := range []int{1, 0} {
			lim := slow(100)
			l := newLimiter(t, c, alg, []ratelimit.Limit{lim}, Options{MaxBatch: batch, Prefix: fmt.Sprintf("t%d", batch)})
			key := "user-" + alg.String()
			r, err := l.AllowN(ctx, key, 0)
			if err != nil || !r.Allowed || r.Remaining != 100 {
				t.Fatalf("%v: peek on a new key: %+v %v", alg, r, err)
			}
			r, err = l.AllowN(ctx, key, 60)
			if err != nil || !r.Allowed || r.Remaining != 40 {
				t.Fatalf("%v: 60 of 100: %+v %v", alg, r, err)
			}
			if alg == ratelimit.LeakyQueue && r.Delay != 0 {
				t.Errorf("%v: first request delayed %v", alg, r.Delay)
			}
			r, err = l.AllowN(ctx, key, 41)
			if err != nil || r.Allowed || r.RetryAfter <= 0 || r.Remaining != 40 {
				t.Fatalf("%v: 41 of the 40 left: %+v %v", alg, r, err)
			}
			r, _ = l.AllowN(ctx, key, 40)
			if !r.Allowed || r.Remaining != 0 || r.ResetAfter <= 0 {
				t.Fatalf("%v: the last 40: %+v", alg, r)
			}
			if alg == ratelimit.LeakyQueue && r.Delay < 59*36*time.Second {
				t.Errorf("%v: queued request delayed only %v", alg, r.Delay)
			}
			if _, err := l.AllowN(ctx, key, 101); !errors.Is(err, ratelimit.ErrExceedsBurst) {
				t.Errorf("%v: n above burst: %v", alg, err)
			}
			if _, err := l.AllowN(ctx, key, -1); !errors.Is(err, ratelimit.ErrNegativeN) {
				t.Errorf("%v: negative n: %v", alg, err)
			}
			// Every key has an expiry, and the keys share a hash tag.
			keys := l.Keys(key)
			if alg == ratelimit.SlidingLog {
				keys = append(keys, keys[0]+":seq")
			}
			for _, k := range keys {
				if !strings.Contains(k, "{"+key+"}") {
					t.Errorf("%v: key %q lacks the hash tag", alg, k)
				}
				ttl, err := c.PTTL(ctx, k).Result()
				if err != nil || ttl <= 0 {
					t.Errorf("%v: key %q ttl %v %v; want an expiry", alg, k, ttl, err)
				}
			}
		}
	}
}

// Two limiter instances (separate clients, as on two servers) hammering one
// key from 64 goroutines never admit more than the limit in total.
func TestTwoInstancesShareLimit(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	for _, alg := range allAlgorithms {
		lim := slow(150)
		var ls [2]*Limiter
		for i := range ls {
			// a second, looser limit exercises the multi-limit batch script
			ls[i] = newLimiter(t, srv.Client(t), alg, []ratelimit.Limit{lim, ratelimit.PerDay(100_000)}, Options{})
		}
		var admitted atomic.Int64
		var wg sync.WaitGroup
		for g := range 64 {
			wg.Go(func() {
				for range 8 {
					r, err := ls[g%2].Allow(ctx, "shared")
					if err != nil {
						t.Error(err)
						return
					}
					if r.Allowed {
						admitted.Add(1)
					}
				}
			})
		}
		wg.Wait()
		got := admitted.Load()
		// Buckets and the log admit exactly 150 of 512; a window algorithm
		// may see one window edge during the test (at most 2×).
		if got > 2*150 || (got != 150 && (alg != ratelimit.FixedWindow && alg != ratelimit.SlidingWindow)) || got < 150 {
			t.Errorf("%v: two instances admitted %d of 512; want 150", alg, got)
		}
	}
}

func TestMultipleLimits(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	for _, alg := range allAlgorithms {
		l := newLimiter(t, c, alg, []ratelimit.Limit{slow(10).WithName("small"), ratelimit.PerDay(1000).WithName("day")}, Options{})
		r, _ := l.AllowN(ctx, "k", 10)
		if !r.Allowed || r.Limit.Name != "small" || r.Remaining != 0 {
			t.Errorf("%v: %+v", alg, r)
		}
		r, _ = l.AllowN(ctx, "k", 1)
		if r.Allowed || r.Limit.Name != "small" {
			t.Errorf("%v: over the small limit: %+v", alg, r)
		}
		// The denied request consumed nothing from the day limit.
		day := newLimiter(t, c, alg, []ratelimit.Limit{ratelimit.PerDay(1000).WithName("day")}, Options{})
		if r, _ := day.AllowN(ctx, "k", 0); r.Remaining != 990 {
			t.Errorf("%v: day limit has %d remaining; want 990", alg, r.Remaining)
		}
	}
}

func TestScriptReloadAfterFlush(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	for _, batch := range []int{1, 0} {
		l := newLimiter(t, c, ratelimit.GCRA, []ratelimit.Limit{slow(5)}, Options{MaxBatch: batch})
		for i := range 3 {
			if err := c.ScriptFlush(ctx).Err(); err != nil {
				t.Fatal(err)
			}
			if r, err := l.Allow(ctx, fmt.Sprint("k", batch)); err != nil || !r.Allowed || r.Remaining != 4-i {
				t.Fatalf("batch=%d call %d after SCRIPT FLUSH: %+v %v", batch, i, r, err)
			}
		}
	}
}

type pipeCounter struct{ pipes, cmds atomic.Int64 }

func (p *pipeCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (p *pipeCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		p.pipes.Add(1)
		p.cmds.Add(1)
		return next(ctx, cmd)
	}
}
func (p *pipeCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		p.pipes.Add(1)
		p.cmds.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

// Concurrent decisions share round trips, with the batch script and with
// one EVALSHA per decision in a pipeline; the decisions are still right.
func TestAutomaticPipelining(t *testing.T) {
	srv := redistest.Start(t)
	for _, noBatchScript := range []bool{false, true} {
		c := srv.Client(t)
		var pc pipeCounter
		c.AddHook(&pc)
		l := newLimiter(t, c, ratelimit.GCRA, []ratelimit.Limit{slow(30)}, Options{Pipelines: 2, NoBatchScript: noBatchScript, Prefix: fmt.Sprint("p", noBatchScript)})
		ctx := context.Background()
		var admitted atomic.Int64
		var wg sync.WaitGroup
		for g := range 64 {
			wg.Go(func() {
				for i := range 50 {
					r, err := l.Allow(ctx, fmt.Sprint("k", (g+i)%4))
					if err != nil {
						t.Error(err)
						return
					}
					if r.Allowed {
						admitted.Add(1)
					}
				}
			})
		}
		wg.Wait()
		trips := pc.pipes.Load()
		t.Logf("NoBatchScript=%v: 3200 decisions in %d round trips (%d commands)", noBatchScript, trips, pc.cmds.Load())
		if trips*4 > 3200 {
			t.Errorf("NoBatchScript=%v: 3200 decisions took %d round trips; want at least 4 decisions per round trip", noBatchScript, trips)
		}
		if got := admitted.Load(); got != 4*30 {
			t.Errorf("NoBatchScript=%v: admitted %d; want 4 keys × 30", noBatchScript, got)
		}
	}
}

func TestFailurePolicies(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	dead := func() *redis.Client {
		// a port nobody listens on
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond, DialerRetries: 1})
		t.Cleanup(func() { c.Close() })
		return c
	}
	lim := []ratelimit.Limit{slow(2)}
	for _, batch := range []int{1, 0} {
		var reported atomic.Int64
		onErr := func(error) { reported.Add(1) }

		closed := newLimiter(t, dead(), ratelimit.GCRA, lim, Options{MaxBatch: batch, OnError: onErr})
		if r, err := closed.Allow(ctx, "k"); !errors.Is(err, ErrUnavailable) || r.Allowed {
			t.Errorf("fail closed: %+v %v", r, err)
		}
		open := newLimiter(t, dead(), ratelimit.GCRA, lim, Options{MaxBatch: batch, Policy: FailOpen, OnError: onErr})
		for range 5 {
			if r, err := open.Allow(ctx, "k"); err != nil || !r.Allowed {
				t.Errorf("fail open: %+v %v", r, err)
			}
		}
		local := newLimiter(t, dead(), ratelimit.GCRA, lim, Options{MaxBatch: batch, Policy: FailLocal, OnError: onErr})
		var got []bool
		for range 3 {
			r, err := local.Allow(ctx, "k")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, r.Allowed)
		}
		if fmt.Sprint(got) != "[true true false]" {
			t.Errorf("fail local with 2/hour: got %v", got)
		}
		if n := reported.Load(); n != 9 {
			t.Errorf("OnError called %d times; want 9", n)
		}
	}

	// A server that goes away mid-life: decisions fall back, then the
	// limiter reports the outage.
	c := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond, DialerRetries: 1})
	t.Cleanup(func() { c.Close() })
	l := newLimiter(t, c, ratelimit.GCRA, lim, Options{})
	if r, err := l.Allow(ctx, "x"); err != nil || !r.Allowed {
		t.Fatalf("before stop: %+v %v", r, err)
	}
	srv.Stop()
	if _, err := l.Allow(ctx, "x"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("after stop: got %v; want ErrUnavailable", err)
	}
}

func TestNewAndClose(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	if _, err := New(c, ratelimit.GCRA, nil, Options{}); !errors.Is(err, ratelimit.ErrNoLimits) {
		t.Errorf("no limits: %v", err)
	}
	if _, err := New(c, ratelimit.GCRA, []ratelimit.Limit{{Rate: 0, Period: time.Second}}, Options{}); !errors.Is(err, ratelimit.ErrInvalidLimit) {
		t.Errorf("zero rate: %v", err)
	}
	if _, err := New(c, ratelimit.GCRA, []ratelimit.Limit{{Rate: 10, Period: 5 * time.Microsecond}}, Options{}); !errors.Is(err, ratelimit.ErrInvalidLimit) {
		t.Errorf("sub-microsecond interval: %v", err)
	}
	if _, err := New(c, ratelimit.Algorithm(0), []ratelimit.Limit{slow(1)}, Options{}); !errors.Is(err, ratelimit.ErrInvalidAlgorithm) {
		t.Errorf("bad algorithm: %v", err)
	}
	if _, err := New(nil, ratelimit.GCRA, []ratelimit.Limit{slow(1)}, Options{}); err == nil {
		t.Error("nil client accepted")
	}
	for _, batch := range []int{1, 0} {
		l, err := New(c, ratelimit.GCRA, []ratelimit.Limit{slow(1)}, Options{MaxBatch: batch})
		if err != nil {
			t.Fatal(err)
		}
		if got := l.String(); got != "redisstore gcra [1/1h0m0s]" {
			t.Errorf("String: %q", got)
		}
		l.Close()
		l.Close()
		if _, err := l.Allow(context.Background(), "k"); !errors.Is(err, ErrClosed) {
			t.Errorf("after Close: %v", err)
		}
	}
}

// TestGCRAReadsDecimalState: GCRA state written as a decimal string (by
// earlier versions) is still read; new state is written as 17 bytes.
func TestGCRAReadsDecimalState(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	for _, batch := range []int{1, 0} {
		l := newLimiter(t, c, ratelimit.GCRA, []ratelimit.Limit{slow(100)}, Options{MaxBatch: batch, Prefix: fmt.Sprint("legacy", batch)})
		now, err := c.Time(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		key := l.Keys("old")[0]
		tat := now.UnixMicro() + 50*36_000_000 // 50 of 100 used
		if err := c.Set(ctx, key, fmt.Sprint(tat), time.Hour).Err(); err != nil {
			t.Fatal(err)
		}
		r, err := l.AllowN(ctx, "old", 1)
		if err != nil || !r.Allowed || r.Remaining != 49 {
			t.Fatalf("batch %d: decimal state: %+v %v; want 49 remaining", batch, r, err)
		}
		if v, err := c.Get(ctx, key).Result(); err != nil || len(v) != 17 {
			t.Errorf("batch %d: state %q %v; want 17 bytes", batch, v, err)
		}
		if r, _ := l.AllowN(ctx, "old", 0); r.Remaining != 49 {
			t.Errorf("batch %d: binary state read back: %+v", batch, r)
		}
	}
}

// readGCRAState decodes the 17-byte GCRA state: tat and the expiry e recorded
// with it, in Redis server microseconds.
func readGCRAState(t *testing.T, c redis.UniversalClient, key string) (tat, e float64, ttl time.Duration) {
	t.Helper()
	ctx := context.Background()
	v, err := c.Get(ctx, key).Bytes()
	if err != nil || len(v) != 17 || v[0] != 1 {
		t.Fatalf("state of %q: %x %v; want 17 bytes starting with 1", key, v, err)
	}
	tat = math.Float64frombits(binary.BigEndian.Uint64(v[1:]))
	e = math.Float64frombits(binary.BigEndian.Uint64(v[9:]))
	if ttl, err = c.PTTL(ctx, key).Result(); err != nil {
		t.Fatal(err)
	}
	return tat, e, ttl
}

// A GCRA write sets an expiry 2·tau ahead (PXAT) only when the recorded
// expiry would come before the new tat (a new key, legacy state, or a key
// whose tat caught up with it), and otherwise keeps the key's expiry
// (KEEPTTL): the key never expires while its state differs from a new
// key's, and lives at most 2·tau after its last admitted request. Both the
// single-request and the batch script.
func TestGCRAExpiryKeptUntilNeeded(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	const tau = 100 * 36 * time.Second // burst 100 at 100/h
	serverNow := func() float64 {
		now, err := c.Time(ctx).Result()
		if err != nil {
			t.Fatal(err)
		}
		return float64(now.UnixMicro())
	}
	for _, batch := range []int{1, 0} {
		for _, alg := range []ratelimit.Algorithm{ratelimit.GCRA, ratelimit.LeakyQueue} {
			name := fmt.Sprintf("%v batch=%d", alg, batch)
			l := newLimiter(t, c, alg, []ratelimit.Limit{slow(100)}, Options{MaxBatch: batch, Prefix: fmt.Sprint("exp", batch, alg)})
			key := l.Keys("k")[0]
			// A new key: expiry 2·tau after now.
			now := serverNow()
			if r, err := l.AllowN(ctx, "k", 10); err != nil || !r.Allowed {
				t.Fatalf("%s: first: %+v %v", name, r, err)
			}
			tat, e, ttl := readGCRAState(t, c, key)
			if tat > e || e < now+float64(2*tau/time.Microsecond) || ttl < 2*tau-time.Minute || ttl > 2*tau+time.Second {
				t.Fatalf("%s: new key: tat %.0f e %.0f now %.0f ttl %v; want e ≥ now+2·tau and ttl ≈ 2·tau", name, tat, e, now, ttl)
			}
			// Another admission keeps the expiry: e unchanged, ttl not reset.
			if err := c.PExpire(ctx, key, 2*tau-time.Hour).Err(); err != nil { // mark the ttl
				t.Fatal(err)
			}
			if r, err := l.AllowN(ctx, "k", 10); err != nil || !r.Allowed || r.Remaining != 80 {
				t.Fatalf("%s: second: %+v %v", name, r, err)
			}
			tat2, e2, ttl2 := readGCRAState(t, c, key)
			if e2 != e || tat2 <= tat || ttl2 > 2*tau-time.Hour {
				t.Errorf("%s: second write: e %.0f -> %.0f, tat %.0f -> %.0f, ttl %v; want e and ttl kept", name, e, e2, tat, tat2, ttl2)
			}
			// A recorded expiry before the new tat is moved 2·tau ahead.
			now = serverNow()
			old := make([]byte, 17)
			old[0] = 1
			binary.BigEndian.PutUint64(old[1:], math.Float64bits(now+float64(tau/2/time.Microsecond)))
			binary.BigEndian.PutUint64(old[9:], math.Float64bits(now+float64(tau/2/time.Microsecond)+1))
			if err := c.Set(ctx, key, old, time.Hour).Err(); err != nil {
				t.Fatal(err)
			}
			if r, err := l.AllowN(ctx, "k", 1); err != nil || !r.Allowed || r.Remaining != 49 {
				t.Fatalf("%s: third: %+v %v; want 49 remaining", name, r, err)
			}
			tat3, e3, ttl3 := readGCRAState(t, c, key)
			if tat3 > e3 || e3 < now+float64(2*tau/time.Microsecond) || ttl3 < 2*tau-time.Minute {
				t.Errorf("%s: expiry before tat: tat %.0f e %.0f ttl %v; want a new expiry 2·tau ahead", name, tat3, e3, ttl3)
			}
			// Legacy 8-byte state (expiry unknown) gets a recorded expiry.
			binary.BigEndian.PutUint64(old, math.Float64bits(now))
			if err := c.Set(ctx, key, old[:8], time.Minute).Err(); err != nil {
				t.Fatal(err)
			}
			if r, err := l.AllowN(ctx, "k", 1); err != nil || !r.Allowed || r.Remaining != 99 {
				t.Fatalf("%s: legacy: %+v %v; want 99 remaining", name, r, err)
			}
			if _, e4, ttl4 := readGCRAState(t, c, key); e4 < now+float64(2*tau/time.Microsecond) || ttl4 < 2*tau-time.Minute {
				t.Errorf("%s: legacy state: e %.0f ttl %v; want a new expiry 2·tau ahead", name, e4, ttl4)
			}
		}
	}
}

// A caller whose ctx ends while its batch is in Redis gets ctx.Err() at
// once; callers with a live cancellable ctx and with context.Background
// (which AllowN waits for without a select) are decided normally.
func TestCallerContextEnds(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	l := newLimiter(t, c, ratelimit.GCRA, []ratelimit.Limit{slow(10)}, Options{})
	bg := context.Background()
	if err := c.ClientPause(bg, 400*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(bg, 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := l.Allow(ctx, "k"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Allow with a ctx ending during a paused server: %v; want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 300*time.Millisecond {
		t.Errorf("Allow returned %v after its ctx ended; want at once", d)
	}
	live, cancelLive := context.WithCancel(bg)
	defer cancelLive()
	for i, ctx := range []context.Context{bg, live} {
		r, err := l.Allow(ctx, "k")
		// The abandoned decision may have been applied: 8 or 9 remain.
		if err != nil || !r.Allowed || r.Remaining < 8-i || r.Remaining > 9-i {
			t.Errorf("decision %d after the pause: %+v %v", i, r, err)
		}
	}
}
