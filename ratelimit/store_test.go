package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sysdesign-go/sysdesign/internal/raceflag"
)

// Several limits on one key are decided together: 2/s and 5/min. A request
// denied by one limit consumes nothing from the others.
func TestStoreMultipleLimits(t *testing.T) {
	for _, alg := range allAlgorithms {
		perSec := PerSecond(2).WithName("second")
		perMin := PerMinute(5).WithName("minute")
		s, err := NewStore(alg, []Limit{perSec, perMin}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		admitted := 0
		var last Result
		for sec := range 10 {
			for range 3 {
				r, err := s.AllowNAt("user", t0.Add(time.Duration(sec)*time.Second), 1)
				if err != nil {
					t.Fatal(err)
				}
				if r.Allowed {
					admitted++
				}
				last = r
			}
		}
		if admitted != 5 {
			t.Errorf("%v: admitted %d in a minute; want 5", alg, admitted)
		}
		if last.Allowed || last.Limit.Name != "minute" {
			t.Errorf("%v: last result %+v; want denied by the minute limit", alg, last)
		}
		// In the first second the per-second limit denies the third request
		// and does not charge the minute limit: 2 of 5 used.
		s2, _ := NewStore(alg, []Limit{perSec, perMin}, Options{})
		s2.AllowNAt("u", t0, 2)
		r, _ := s2.AllowNAt("u", t0, 1)
		if r.Allowed || r.Limit.Name != "second" {
			t.Errorf("%v: got %+v; want denied by the second limit", alg, r)
		}
		r, _ = s2.AllowNAt("u", t0.Add(2*time.Second), 0)
		if r.Remaining != 2 || r.Limit.Name != "second" {
			// per-second back to 2, per-minute at 3: fewest remaining is 2 (second)
			t.Errorf("%v: after 2s got %+v; want 2 remaining", alg, r)
		}
		s2.AllowNAt("u", t0.Add(2*time.Second), 2)
		r, _ = s2.AllowNAt("u", t0.Add(4*time.Second), 0)
		if r.Remaining != 1 || r.Limit.Name != "minute" {
			t.Errorf("%v: after 4 events got %+v; want the minute limit with 1 remaining", alg, r)
		}
	}
}

// Eviction never resets a busy key: a key used steadily while a flood of
// one-shot keys forces many sweeps (and map rebuilds) decides exactly like a
// model that never evicts.
func TestStoreEvictionKeepsBusyKeys(t *testing.T) {
	for _, alg := range allAlgorithms {
		lim := PerSecond(10)
		s, err := NewStore(alg, []Limit{lim}, Options{Shards: 1, SweepInterval: 50 * ms})
		if err != nil {
			t.Fatal(err)
		}
		model := &sim{alg: alg, p: newParams(lim)}
		now := t0
		sweeps := 0
		for i := range 3000 {
			now = now.Add(7 * ms)
			before := s.Len()
			// the busy key asks a bit faster than its rate
			got, _ := s.AllowNAt("busy", now, 1)
			want := model.apply(now.UnixNano(), 1).result(&model.p)
			if got != want {
				t.Fatalf("%v step %d: busy key got %+v; never-evicting model %+v", alg, i, got, want)
			}
			for k := range 5 {
				s.AllowNAt(fmt.Sprintf("once-%d-%d", i, k), now, 1)
			}
			if s.Len() < before {
				sweeps++
			}
		}
		if sweeps < 15 { // windows free keys once per period (~21 times here)
			t.Errorf("%v: only %d sweeps; the test did not exercise eviction", alg, sweeps)
		}
		// Memory stays bounded: the one-shot keys die after they go idle.
		// Keys live at most two periods (sliding window) plus one sweep interval.
		if n := s.Len(); n > 1+5*int((2*time.Second+50*ms)/(7*ms)+1) {
			t.Errorf("%v: %d keys stored; want only recently active keys", alg, n)
		}
		s.Sweep(now.Add(time.Hour))
		if n := s.Len(); n != 0 {
			t.Errorf("%v: %d keys after a full sweep an hour later; want 0", alg, n)
		}
	}
}

// Many goroutines hammering one key never get more than the limit: with the
// clock frozen inside one window, exactly the limit is admitted.
func TestStoreContention(t *testing.T) {
	workers, each := 16, 2000
	if raceflag.Enabled {
		each = 500
	}
	for _, alg := range allAlgorithms {
		lim := PerMinute(1000)
		s, err := NewStore(alg, []Limit{lim}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		var admitted atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range each {
					r, err := s.AllowNAt("hot", t0, 1)
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
		if got := admitted.Load(); got != 1000 {
			t.Errorf("%v: %d admitted under contention; want exactly 1000", alg, got)
		}
	}
}

func TestStoreClockAndLimiter(t *testing.T) {
	now := t0
	s, err := NewStore(GCRA, []Limit{PerSecond(1)}, Options{Now: func() time.Time { return now }, Shards: 3})
	if err != nil {
		t.Fatal(err)
	}
	var l Limiter = s
	ctx := context.Background()
	if r, _ := l.Allow(ctx, "a"); !r.Allowed {
		t.Fatal("first request denied")
	}
	if r, _ := l.AllowN(ctx, "a", 1); r.Allowed || r.RetryAfter != time.Second {
		t.Fatalf("second request: got %+v; want denied for 1s", r)
	}
	now = now.Add(time.Second)
	if r, _ := s.AllowAt("a", now); !r.Allowed {
		t.Fatal("request after 1s denied")
	}
	if got := s.Limits(); len(got) != 1 || got[0] != PerSecond(1) || s.Algorithm() != GCRA {
		t.Errorf("Limits %v Algorithm %v", got, s.Algorithm())
	}
}

func TestStoreWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := NewStore(TokenBucket, []Limit{PerSecond(10).WithBurst(1)}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		start := time.Now()
		for range 5 {
			if err := s.Wait(ctx, "k"); err != nil {
				t.Fatal(err)
			}
		}
		if got := time.Since(start); got != 400*ms {
			t.Errorf("5 waits took %v of fake time; want 400ms", got)
		}
		dctx, cancel := context.WithTimeout(ctx, 50*ms)
		defer cancel()
		if err := s.Wait(dctx, "k"); !errors.Is(err, ErrWouldExceedDeadline) {
			t.Errorf("short deadline: got %v; want ErrWouldExceedDeadline", err)
		}
		cctx, cancel2 := context.WithCancel(ctx)
		go func() { time.Sleep(10 * ms); cancel2() }()
		if err := s.Wait(cctx, "k"); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled: got %v; want context.Canceled", err)
		}
		if err := s.WaitN(ctx, "k", 2); !errors.Is(err, ErrExceedsBurst) {
			t.Errorf("n above burst: got %v", err)
		}
	})
}

// The queue form paces: concurrent waiters leave one interval apart, in
// the order they were queued.
func TestStoreWaitQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := NewStore(LeakyQueue, []Limit{PerSecond(10).WithBurst(5)}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		var mu sync.Mutex
		var done []time.Duration
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() {
				if err := s.Wait(context.Background(), "k"); err != nil {
					t.Error(err)
				}
				mu.Lock()
				done = append(done, time.Since(start))
				mu.Unlock()
			})
		}
		wg.Wait()
		for i, d := range done {
			if want := time.Duration(i) * 100 * ms; d != want {
				t.Errorf("waiter %d left at %v; want %v", i, d, want)
			}
		}
		// a sixth immediate request overflows the queue
		if r, _ := s.AllowAt("k", time.Now()); r.Allowed {
			// the queue drained while we waited; refill it and check overflow
			t.Logf("queue drained: %+v", r)
		}
		for range 5 {
			s.AllowAt("q", time.Now())
		}
		if r, _ := s.AllowAt("q", time.Now()); r.Allowed {
			t.Errorf("queue of 5 admitted a sixth request: %+v", r)
		}
	})
}
