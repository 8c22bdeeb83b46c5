package ratelimit

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// t0 is aligned to a whole minute, so windows start at t0.
var t0 = time.Unix(1_700_000_040, 0)

type step struct {
	at        time.Duration // since t0
	n         int
	allowed   bool
	remaining int
	retry     time.Duration
	reset     time.Duration
	delay     time.Duration
}

func runSteps(t *testing.T, alg Algorithm, lim Limit, steps []step) {
	t.Helper()
	s, err := NewStore(alg, []Limit{lim}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range steps {
		r, err := s.AllowNAt("key", t0.Add(st.at), st.n)
		if err != nil {
			t.Fatalf("%v step %d: %v", alg, i, err)
		}
		want := Result{Allowed: st.allowed, Limit: lim, Remaining: st.remaining, RetryAfter: st.retry, ResetAfter: st.reset, Delay: st.delay}
		if r != want {
			t.Errorf("%v step %d (at %v, n=%d):\n got %+v\nwant %+v", alg, i, st.at, st.n, r, want)
		}
	}
}

const ms = time.Millisecond

// The three bucket meters admit the same requests and report the same
// numbers: 10/s with burst 10 refills one token every 100 ms.
func TestBucketBoundaries(t *testing.T) {
	steps := []step{
		{at: 0, n: 0, allowed: true, remaining: 10},                        // new key starts full
		{at: 0, n: 10, allowed: true, remaining: 0, reset: time.Second},    // the whole burst at once
		{at: 0, n: 1, allowed: false, retry: 100 * ms, reset: time.Second}, // empty
		{at: 99 * ms, n: 1, allowed: false, retry: 1 * ms, reset: 901 * ms},
		{at: 100 * ms, n: 1, allowed: true, remaining: 0, reset: time.Second}, // exactly one token refilled
		{at: 350 * ms, n: 3, allowed: false, remaining: 2, retry: 50 * ms, reset: 750 * ms},
		{at: 350 * ms, n: 2, allowed: true, remaining: 0, reset: 950 * ms},
		{at: 5 * time.Second, n: 0, allowed: true, remaining: 10}, // refill caps at burst
	}
	for _, alg := range []Algorithm{TokenBucket, LeakyBucket, GCRA} {
		runSteps(t, alg, PerSecond(10), steps)
	}
}

// Refill rounding: the interval is Period/Rate rounded down to a nanosecond.
func TestBucketIntervalRounding(t *testing.T) {
	lim := PerSecond(3).WithBurst(1) // interval 333,333,333 ns
	steps := []step{
		{at: 0, n: 1, allowed: true, reset: 333333333},
		{at: 333333332, n: 1, allowed: false, retry: 1, reset: 1},
		{at: 333333333, n: 1, allowed: true, reset: 333333333},
	}
	for _, alg := range []Algorithm{TokenBucket, LeakyBucket, GCRA} {
		runSteps(t, alg, lim, steps)
	}
}

func TestLeakyQueueBoundaries(t *testing.T) {
	runSteps(t, LeakyQueue, PerSecond(10).WithBurst(3), []step{
		{at: 0, n: 1, allowed: true, remaining: 2, reset: 100 * ms},
		{at: 0, n: 1, allowed: true, remaining: 1, reset: 200 * ms, delay: 100 * ms},
		{at: 0, n: 1, allowed: true, remaining: 0, reset: 300 * ms, delay: 200 * ms},
		{at: 0, n: 1, allowed: false, remaining: 0, retry: 100 * ms, reset: 300 * ms}, // queue full
		{at: 100 * ms, n: 1, allowed: true, remaining: 0, reset: 300 * ms, delay: 200 * ms},
		{at: time.Second, n: 2, allowed: true, remaining: 1, reset: 200 * ms}, // drained
	})
}

func TestFixedWindowBoundaries(t *testing.T) {
	runSteps(t, FixedWindow, PerSecond(3), []step{
		{at: 0, n: 1, allowed: true, remaining: 2, reset: time.Second},
		{at: 500 * ms, n: 2, allowed: true, remaining: 0, reset: 500 * ms},
		{at: 999 * ms, n: 1, allowed: false, retry: 1 * ms, reset: 1 * ms},       // last ms of the window
		{at: time.Second, n: 1, allowed: true, remaining: 2, reset: time.Second}, // window edge: new window
		// The known weakness: a full window's worth on each side of an edge.
		{at: 1999 * ms, n: 2, allowed: true, remaining: 0, reset: 1 * ms},
		{at: 2000 * ms, n: 3, allowed: true, remaining: 0, reset: time.Second},
		{at: 2000*ms - 1, n: 0, allowed: true, remaining: 0, reset: time.Second + 1}, // clock backwards: stays in the stored window
	})
}

func TestSlidingLogBoundaries(t *testing.T) {
	runSteps(t, SlidingLog, PerSecond(3), []step{
		{at: 0, n: 1, allowed: true, remaining: 2, reset: time.Second},
		{at: 400 * ms, n: 1, allowed: true, remaining: 1, reset: time.Second},
		{at: 800 * ms, n: 1, allowed: true, remaining: 0, reset: time.Second},
		{at: 999 * ms, n: 1, allowed: false, retry: 1 * ms, reset: 801 * ms},
		{at: time.Second, n: 1, allowed: true, remaining: 0, reset: time.Second}, // event at 0 left at exactly +1s
		{at: time.Second, n: 2, allowed: false, retry: 800 * ms, reset: time.Second},
	})
}

func TestSlidingWindowBoundaries(t *testing.T) {
	runSteps(t, SlidingWindow, PerSecond(10), []step{
		{at: 0, n: 10, allowed: true, remaining: 0, reset: 2 * time.Second},
		// Next window: previous count 10 weighs 100%, falling 1 per 100 ms.
		{at: time.Second, n: 1, allowed: false, remaining: 0, retry: 100 * ms, reset: time.Second},
		{at: 1100*ms - 1, n: 1, allowed: false, remaining: 0, retry: 1, reset: 900*ms + 1},
		{at: 1100 * ms, n: 1, allowed: true, remaining: 0, reset: 1900 * ms},
		{at: 1150 * ms, n: 1, allowed: false, remaining: 0, retry: 50 * ms, reset: 1850 * ms},
		{at: 1200 * ms, n: 1, allowed: true, remaining: 0, reset: 1800 * ms},
		// Two windows later everything is forgotten.
		{at: 3 * time.Second, n: 0, allowed: true, remaining: 10},
	})
}

// sim drives one key of one limit through the unexported core, so tests can
// look at the state between decisions.
type sim struct {
	alg Algorithm
	p   params
	st  state
	has bool
	log tslog
}

func (s *sim) decide(now, n int64) verdict {
	if s.alg == SlidingLog {
		v, _, _ := logDecide(&s.p, &s.log, now, n)
		return v
	}
	st := s.st
	if !s.has {
		st = fresh(s.alg, &s.p, now)
	}
	_, v := decide(s.alg, &s.p, st, now, n)
	return v
}

func (s *sim) apply(now, n int64) verdict {
	if s.alg == SlidingLog {
		v, i, at := logDecide(&s.p, &s.log, now, n)
		if v.allowed && n > 0 {
			s.log.commit(i, at, n)
		}
		return v
	}
	st := s.st
	if !s.has {
		st = fresh(s.alg, &s.p, now)
	}
	ns, v := decide(s.alg, &s.p, st, now, n)
	if v.allowed && n > 0 {
		s.st, s.has = ns, true
	}
	return v
}

func (s *sim) idle(now int64) bool {
	if s.alg == SlidingLog {
		return s.log.idle(&s.p, now)
	}
	return !s.has || idle(s.alg, &s.p, s.st, now)
}

var allAlgorithms = []Algorithm{TokenBucket, LeakyBucket, LeakyQueue, FixedWindow, SlidingLog, SlidingWindow, GCRA}

func randomLimit(r *rand.Rand, alg Algorithm) Limit {
	l := Limit{Rate: 1 + r.IntN(20), Period: time.Duration(1+r.IntN(5000)) * ms}
	if alg.bucket() {
		l.Burst = 1 + r.IntN(20)
	}
	return l
}

// Properties every algorithm keeps, on random request streams:
//   - RetryAfter is exact: the same request is denied 1 ns earlier and
//     admitted at RetryAfter (nothing else happening);
//   - after ResetAfter the key is idle;
//   - an idle state decides exactly like a fresh one, so eviction is safe.
func TestAlgorithmProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, alg := range allAlgorithms {
		for trial := range 200 {
			lim := randomLimit(r, alg)
			s := &sim{alg: alg, p: newParams(lim)}
			now := t0.UnixNano()
			for range 60 {
				now += r.Int64N(int64(lim.Period) / int64(lim.Rate) * 2)
				n := int64(r.IntN(int(s.p.max(alg)) + 1))
				v := s.apply(now, n)
				ctx := fmt.Sprintf("%v %v trial %d at %d n=%d", alg, lim, trial, now-t0.UnixNano(), n)
				if !v.allowed {
					if v.retry <= 0 {
						t.Fatalf("%s: denied with retry %d", ctx, v.retry)
					}
					if s.decide(now+v.retry-1, n).allowed {
						t.Fatalf("%s: admitted 1ns before RetryAfter %d", ctx, v.retry)
					}
					if !s.decide(now+v.retry, n).allowed {
						t.Fatalf("%s: denied at RetryAfter %d", ctx, v.retry)
					}
				}
				if !s.idle(now + v.reset) {
					t.Fatalf("%s: not idle after ResetAfter %d", ctx, v.reset)
				}
				if v.remaining < 0 || v.remaining > s.p.max(alg) {
					t.Fatalf("%s: remaining %d out of range", ctx, v.remaining)
				}
				// Idle states decide like fresh ones.
				for _, later := range []int64{now, now + v.reset, now + r.Int64N(3*int64(lim.Period))} {
					if !s.idle(later) {
						continue
					}
					f := &sim{alg: alg, p: s.p}
					for k := int64(0); k <= s.p.max(alg); k++ {
						if got, want := s.decide(later, k), f.decide(later, k); got != want {
							t.Fatalf("%s: idle state at %d decides %+v, fresh %+v", ctx, later, got, want)
						}
					}
				}
			}
		}
	}
}

// TokenBucket, LeakyBucket, GCRA and the admission of LeakyQueue are the
// same limit in different clothes: identical verdicts on any stream.
func TestBucketEquivalence(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := range 300 {
		lim := randomLimit(r, GCRA)
		sims := []*sim{{alg: TokenBucket}, {alg: LeakyBucket}, {alg: GCRA}, {alg: LeakyQueue}}
		for _, s := range sims {
			s.p = newParams(lim)
		}
		now := t0.UnixNano()
		for i := range 100 {
			now += r.Int64N(int64(lim.Interval()) * 3)
			n := int64(r.IntN(lim.BurstSize() + 1))
			want := sims[0].apply(now, n)
			for _, s := range sims[1:] {
				got := s.apply(now, n)
				got.delay = 0
				if got != want {
					t.Fatalf("trial %d step %d %v: %v got %+v; token bucket %+v", trial, i, lim, s.alg, got, want)
				}
			}
		}
	}
}

// The limit is never exceeded, checked against each algorithm's guarantee
// on the list of admitted events.
func TestNeverExceeds(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, alg := range allAlgorithms {
		for trial := range 100 {
			lim := randomLimit(r, alg)
			s := &sim{alg: alg, p: newParams(lim)}
			var times []int64 // one entry per admitted event
			now := t0.UnixNano()
			for range 150 {
				now += r.Int64N(int64(lim.Period) / int64(lim.Rate))
				n := int64(1 + r.IntN(int(s.p.max(alg))))
				if s.apply(now, n).allowed {
					for range n {
						times = append(times, now)
					}
				}
			}
			P, T := int64(lim.Period), int64(lim.Interval())
			for i := range times {
				for j := i; j < len(times); j++ {
					count := int64(j - i + 1)
					span := times[j] - times[i]
					var ok bool
					switch alg {
					case FixedWindow, SlidingWindow:
						// at most Rate in one aligned window (the sliding counter is stricter)
						ok = windowStart(times[i], P) != windowStart(times[j], P) || count <= s.p.rate
					case SlidingLog:
						ok = span >= P || count <= s.p.rate
					default:
						ok = count <= s.p.burst+span/T
					}
					if !ok {
						t.Fatalf("%v %v trial %d: %d events in %v", alg, lim, trial, count, time.Duration(span))
					}
				}
			}
		}
	}
}
