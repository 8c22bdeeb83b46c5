package ratelimit

import "context"

// Limiter is the interface every limiter in sysdesign satisfies: the
// in-memory [Store] and redisstore.Limiter. Implementations are safe for
// concurrent use.
//
// AllowN reports whether n events for key may happen now and consumes them
// if so; n = 0 only reports the current state. Allow is AllowN(ctx, key, 1).
// ctx matters only to implementations that do I/O (Redis); the error is
// non-nil only when no decision could be made (for example n above the
// burst, or a backing store that is down under a fail-closed policy), and
// the Result is then the zero value, which denies.
type Limiter interface {
	Allow(ctx context.Context, key string) (Result, error)
	AllowN(ctx context.Context, key string, n int) (Result, error)
}

// combine folds verdict v of limit i into the running decision: a denial
// beats an admission; among denials the longest retry wins; among
// admissions the fewest remaining wins. Delay is the largest of all.
func combine(best *verdict, bi *int, v verdict, i int) {
	if i == 0 {
		*best, *bi = v, 0
		return
	}
	delay := max(best.delay, v.delay)
	switch {
	case best.allowed && !v.allowed,
		!best.allowed && !v.allowed && v.retry > best.retry,
		best.allowed && v.allowed && v.remaining < best.remaining:
		*best, *bi = v, i
	}
	best.delay = delay
}
