package ratelimit

import "time"

// clock is the time source of the plain (not ...At) methods: Options.Now
// when set, else the wall time at construction advanced by the monotonic
// clock, which costs one clock read instead of time.Now's two and does not
// jump when the wall clock is stepped.
type clock struct {
	now      func() time.Time // nil: monotonic
	base     time.Time
	baseWall int64
}

func newClock(now func() time.Time) clock {
	c := clock{now: now}
	if now == nil {
		c.base = time.Now()
		c.baseWall = c.base.UnixNano()
	}
	return c
}

// nanos returns the current time in Unix nanoseconds.
func (c *clock) nanos() int64 {
	if c.now != nil {
		return c.now().UnixNano()
	}
	return c.baseWall + int64(time.Since(c.base))
}

// time returns the current time.
func (c *clock) time() time.Time {
	if c.now != nil {
		return c.now()
	}
	return c.base.Add(time.Since(c.base))
}
