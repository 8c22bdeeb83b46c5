package ratelimit

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestLimitValidate(t *testing.T) {
	cases := []struct {
		alg  Algorithm
		lim  Limit
		want error
	}{
		{TokenBucket, PerSecond(10), nil},
		{TokenBucket, PerSecond(10).WithBurst(100), nil},
		{TokenBucket, Limit{Rate: 0, Period: time.Second}, ErrInvalidLimit},
		{TokenBucket, Limit{Rate: -1, Period: time.Second}, ErrInvalidLimit},
		{GCRA, Limit{Rate: 1, Period: 0}, ErrInvalidLimit},
		{GCRA, Limit{Rate: 1, Period: -time.Second}, ErrInvalidLimit},
		{LeakyBucket, PerSecond(1).WithBurst(-1), ErrInvalidLimit},
		{LeakyQueue, Limit{Rate: 2, Period: 1}, ErrInvalidLimit}, // interval rounds to 0
		{GCRA, PerDay(1).WithBurst(math.MaxInt), ErrInvalidLimit},
		{FixedWindow, PerMinute(5), nil},
		{FixedWindow, PerMinute(5).WithBurst(5), nil},
		{FixedWindow, PerMinute(5).WithBurst(6), ErrInvalidLimit},
		{SlidingLog, PerMinute(5).WithBurst(1), ErrInvalidLimit},
		{SlidingWindow, PerMinute(math.MaxInt32 + 1), ErrInvalidLimit},
		{SlidingWindow, PerDay(1_000_000_000), nil},
		{Algorithm(0), PerSecond(1), ErrInvalidAlgorithm},
		{Algorithm(99), PerSecond(1), ErrInvalidAlgorithm},
	}
	for _, c := range cases {
		err := c.lim.Validate(c.alg)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%v %v: got %v; want %v", c.alg, c.lim, err, c.want)
		}
		if _, err2 := NewStore(c.alg, []Limit{c.lim}, Options{}); (err == nil) != (err2 == nil) {
			t.Errorf("%v %v: NewStore error %v disagrees with Validate %v", c.alg, c.lim, err2, err)
		}
	}
}

func TestNewStoreErrors(t *testing.T) {
	if _, err := NewStore(GCRA, nil, Options{}); !errors.Is(err, ErrNoLimits) {
		t.Errorf("no limits: got %v; want ErrNoLimits", err)
	}
	many := make([]Limit, MaxLimits+1)
	for i := range many {
		many[i] = PerSecond(i + 1)
	}
	if _, err := NewStore(GCRA, many, Options{}); !errors.Is(err, ErrInvalidLimit) {
		t.Errorf("too many limits: got %v; want ErrInvalidLimit", err)
	}
	if _, err := NewStore(GCRA, []Limit{PerSecond(1)}, Options{Shards: -1}); err == nil {
		t.Error("negative shards: got nil error")
	}
}

func TestLimitHelpers(t *testing.T) {
	l := PerMinute(60).WithBurst(5).WithName("api")
	if l.Interval() != time.Second || l.BurstSize() != 5 || l.PolicyName() != "api" {
		t.Errorf("got interval %v burst %d name %q", l.Interval(), l.BurstSize(), l.PolicyName())
	}
	if got, want := l.String(), "60/1m0s burst 5 (api)"; got != want {
		t.Errorf("String: got %q; want %q", got, want)
	}
	if PerHour(3).BurstSize() != 3 || PerHour(3).PolicyName() != "default" {
		t.Error("defaults of PerHour wrong")
	}
	for a := TokenBucket; a <= GCRA; a++ {
		if !a.Valid() || a.String() == "" || a.String()[0] == 'A' {
			t.Errorf("algorithm %d: String %q", a, a)
		}
	}
	if Algorithm(42).String() != "Algorithm(42)" {
		t.Errorf("got %q", Algorithm(42).String())
	}
}

func TestBurstError(t *testing.T) {
	for _, alg := range []Algorithm{TokenBucket, LeakyBucket, LeakyQueue, GCRA, FixedWindow, SlidingLog, SlidingWindow} {
		s, err := NewStore(alg, []Limit{PerSecond(10).WithBurst(burstFor(alg, 10, 4)), PerMinute(100)}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		max := burstFor(alg, 10, 4)
		if max == 0 {
			max = 10
		}
		_, err = s.AllowNAt("k", t0, max+1)
		var be *BurstError
		if !errors.As(err, &be) || !errors.Is(err, ErrExceedsBurst) || be.N != max+1 || be.Max != max {
			t.Errorf("%v: n=%d: got %v (%#v)", alg, max+1, err, be)
		}
		if r, err := s.AllowNAt("k", t0, max); err != nil || !r.Allowed {
			t.Errorf("%v: n=max: got %+v, %v; want allowed", alg, r, err)
		}
		if _, err := s.AllowNAt("k", t0, -1); !errors.Is(err, ErrNegativeN) {
			t.Errorf("%v: n=-1: got %v", alg, err)
		}
	}
}

// burstFor returns b for bucket algorithms and 0 (meaning Rate) for windows.
func burstFor(a Algorithm, rate, b int) int {
	if a.bucket() {
		return b
	}
	_ = rate
	return 0
}
