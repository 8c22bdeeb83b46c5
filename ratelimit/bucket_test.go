package ratelimit

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// A Bucket decides exactly like a GCRA Store on one key.
func TestBucketMatchesStore(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for trial := range 200 {
		lim := randomLimit(r, GCRA)
		b, err := NewBucket(lim, Options{})
		if err != nil {
			t.Fatal(err)
		}
		s, _ := NewStore(GCRA, []Limit{lim}, Options{})
		now := t0
		for i := range 100 {
			now = now.Add(time.Duration(r.Int64N(int64(lim.Interval()) * 3)))
			n := r.IntN(lim.BurstSize() + 1)
			got, err1 := b.AllowNAt(now, n)
			want, err2 := s.AllowNAt("k", now, n)
			if got != want || err1 != nil || err2 != nil {
				t.Fatalf("trial %d step %d %v n=%d: bucket %+v %v; store %+v %v", trial, i, lim, n, got, err1, want, err2)
			}
		}
	}
}

// Allow (the verdict-only fast path) decides exactly like AllowNAt(now, 1)
// (the reference path): two buckets fed the same clock, one through each,
// must agree on every call and end every step in the same state. The
// streams include steps shorter than the interval, long idle gaps, a clock
// stepping backwards, burst 1 and a 1 ns interval.
func TestBucketAllowMatchesAllowNAt(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	limits := []Limit{PerSecond(1), PerSecond(1_000_000_000), Limit{Rate: 1, Period: 3, Burst: 5}, Limit{Rate: 1, Period: time.Nanosecond, Burst: 1}}
	for range 200 {
		limits = append(limits, randomLimit(r, GCRA))
	}
	for trial, lim := range limits {
		now := t0
		fast, err := NewBucket(lim, Options{Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		ref, _ := NewBucket(lim, Options{})
		step := int64(lim.Interval())
		for i := range 300 {
			switch k := r.IntN(20); {
			case k == 0:
				now = now.Add(-time.Duration(r.Int64N(3*step + 1))) // clock steps back
			case k == 1:
				now = now.Add(time.Duration(r.Int64N(int64(lim.BurstSize())*step*2 + 1))) // idle
			case k < 10:
				// several calls at the same instant
			default:
				now = now.Add(time.Duration(r.Int64N(2*step + 1)))
			}
			got := fast.Allow()
			want, err := ref.AllowNAt(now, 1)
			if err != nil || got != want.Allowed {
				t.Fatalf("trial %d (%v) step %d: Allow %v; AllowNAt %+v %v", trial, lim, i, got, want, err)
			}
			if g, w := fast.tat.Load(), ref.tat.Load(); g != w {
				t.Fatalf("trial %d (%v) step %d: state %d; want %d", trial, lim, i, g, w)
			}
		}
	}
}

func TestBucketAllowNoAllocs(t *testing.T) {
	b, _ := NewBucket(PerSecond(1_000_000_000), Options{})
	if n := testing.AllocsPerRun(100, func() { b.Allow() }); n != 0 {
		t.Errorf("Allow: %v allocs; want 0", n)
	}
}

func TestBucketAllow(t *testing.T) {
	now := t0
	b, err := NewBucket(PerSecond(10), Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if !b.Allow() {
			t.Fatalf("request %d of the burst denied", i)
		}
	}
	if r, _ := b.AllowN(1); r.Allowed || r.RetryAfter != 100*ms {
		t.Fatalf("11th: %+v; want denied for 100ms", r)
	}
	now = now.Add(100 * ms)
	if !b.Allow() || b.Allow() {
		t.Fatal("after 100ms: want exactly one more")
	}
	if _, err := b.AllowN(11); !errors.Is(err, ErrExceedsBurst) {
		t.Errorf("n above burst: %v", err)
	}
	if _, err := b.AllowN(-1); !errors.Is(err, ErrNegativeN) {
		t.Errorf("negative n: %v", err)
	}
	if _, err := NewBucket(Limit{Rate: 0, Period: time.Second}, Options{}); !errors.Is(err, ErrInvalidLimit) {
		t.Errorf("zero rate: %v", err)
	}
	if b.Limit() != PerSecond(10) {
		t.Errorf("Limit: %v", b.Limit())
	}
}

// With the clock frozen, goroutines racing on compare-and-swap admit
// exactly the burst.
func TestBucketContention(t *testing.T) {
	b, _ := NewBucket(PerMinute(1000), Options{Now: func() time.Time { return t0 }})
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 500 {
				if b.Allow() {
					admitted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if got := admitted.Load(); got != 1000 {
		t.Errorf("admitted %d; want exactly 1000", got)
	}
}

func TestBucketWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, _ := NewBucket(PerSecond(4).WithBurst(1), Options{})
		start := time.Now()
		for range 3 {
			if err := b.Wait(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if got := time.Since(start); got != 500*ms {
			t.Errorf("3 waits took %v; want 500ms", got)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*ms)
		defer cancel()
		if err := b.Wait(ctx); !errors.Is(err, ErrWouldExceedDeadline) {
			t.Errorf("short deadline: %v", err)
		}
	})
}
