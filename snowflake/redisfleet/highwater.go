package redisfleet

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// HighWater keeps a snowflake high-water mark in a Redis key, as decimal
// Unix nanoseconds. Store only ever raises the stored value (a script
// compares), so the mark never goes backwards. Redis must persist it (AOF
// with appendfsync always, or a replica acknowledged with WAIT) for the mark
// to survive a Redis restart; that is the Redis operator's choice. It is
// safe for concurrent use.
type HighWater struct {
	Client redis.UniversalClient
	// Key holds the mark; one key per generator (for example
	// "{snowflake}:hw:<machine id>").
	Key string
	// Timeout bounds each call. Default 2s.
	Timeout time.Duration
}

var raiseScript = redis.NewScript(`
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then
  redis.call('SET', KEYS[1], ARGV[1])
end
return 1`)

func (h HighWater) ctx() (context.Context, context.CancelFunc) {
	d := h.Timeout
	if d == 0 {
		d = 2 * time.Second
	}
	return context.WithTimeout(context.Background(), d)
}

// Load returns the stored mark, or the zero time when the key is missing.
func (h HighWater) Load() (time.Time, error) {
	ctx, cancel := h.ctx()
	defer cancel()
	ns, err := h.Client.Get(ctx, h.Key).Int64()
	if errors.Is(err, redis.Nil) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("redisfleet: load high-water %s: %w", h.Key, err)
	}
	return time.Unix(0, ns).UTC(), nil
}

// Store raises the stored mark to t (a lower t leaves it unchanged).
func (h HighWater) Store(t time.Time) error {
	ctx, cancel := h.ctx()
	defer cancel()
	if err := raiseScript.Run(ctx, h.Client, []string{h.Key}, t.UnixNano()).Err(); err != nil {
		return fmt.Errorf("redisfleet: store high-water %s: %w", h.Key, err)
	}
	return nil
}
