// Package redisfleet coordinates a fleet of snowflake generators through
// Redis: each process leases a machine ID that no other live process holds,
// and can keep its snowflake high-water mark in Redis instead of a file.
//
// A lease is a key {prefix}:machine:<id> set with SET NX PX to a random
// token. The holder renews it every TTL/3 with a script that extends the key
// only while it still holds the token. The lease is [Lease.Valid] until the
// TTL, counted from before the last successful renewal was sent, runs out:
// a process cut off from Redis stops issuing IDs before Redis lets another
// process take its machine ID, provided the clocks of the two machines do not
// drift apart by more than the safety margin (TTL/10 by default) within one
// TTL.
//
// Keys carry the hash tag {prefix}, so on Redis Cluster all of a fleet's
// keys live in one slot. A Lease is safe for concurrent use.
package redisfleet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrNoFreeID reports that every machine ID is leased by another process.
var ErrNoFreeID = errors.New("redisfleet: no free machine id")

// LeaseOptions configures [Acquire]. The zero value leases one of 1,024
// machine IDs for 10 seconds under the prefix "snowflake".
type LeaseOptions struct {
	// Prefix names the fleet; its keys are {Prefix}:machine:<id>.
	// Default "snowflake".
	Prefix string
	// IDs is the number of machine IDs, 0 to IDs-1: 1<<MachineBits (or
	// 1<<(DatacenterBits+MachineBits)) of the layout. Default 1,024.
	IDs int64
	// TTL is the lease time; a crashed holder's ID is free after it.
	// Default 10s.
	TTL time.Duration
	// Margin is subtracted from the TTL when judging validity locally, to
	// absorb clock drift between machines. Default TTL/10.
	Margin time.Duration
}

// Lease is a machine ID held in Redis. It renews itself in the background
// until [Lease.Release]; use it as a snowflake Config.Guard so the generator
// stops when the lease is lost.
type Lease struct {
	client  redis.UniversalClient
	key     string
	token   string
	id      int64
	ttl     time.Duration
	margin  time.Duration
	validTo atomic.Int64 // Unix nanoseconds (monotonic-derived) until which the lease is ours

	start   time.Time // for monotonic arithmetic
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
	lastErr atomic.Value // error from the last failed renewal
}

var renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`)

var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`)

// Acquire leases the first free machine ID, trying them in order from a
// random starting point, and starts renewing it. It returns an error
// wrapping [ErrNoFreeID] when all are taken, or the Redis error.
func Acquire(ctx context.Context, client redis.UniversalClient, opts LeaseOptions) (*Lease, error) {
	if opts.Prefix == "" {
		opts.Prefix = "snowflake"
	}
	if opts.IDs == 0 {
		opts.IDs = 1024
	}
	if opts.TTL == 0 {
		opts.TTL = 10 * time.Second
	}
	if opts.Margin == 0 {
		opts.Margin = opts.TTL / 10
	}
	if opts.IDs < 0 || opts.TTL < 10*time.Millisecond || opts.Margin < 0 || opts.Margin >= opts.TTL {
		return nil, fmt.Errorf("redisfleet: invalid options: IDs %d, TTL %v, Margin %v", opts.IDs, opts.TTL, opts.Margin)
	}
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, err
	}
	token := hex.EncodeToString(raw[:])
	first := int64(raw[0])<<8 | int64(raw[1])
	for i := int64(0); i < opts.IDs; i++ {
		id := (first + i) % opts.IDs
		key := "{" + opts.Prefix + "}:machine:" + strconv.FormatInt(id, 10)
		sent := time.Now()
		ok, err := client.SetNX(ctx, key, token, opts.TTL).Result()
		if err != nil {
			return nil, fmt.Errorf("redisfleet: acquire %s: %w", key, err)
		}
		if !ok {
			continue
		}
		l := &Lease{client: client, key: key, token: token, id: id, ttl: opts.TTL, margin: opts.Margin,
			start: sent, stop: make(chan struct{}), done: make(chan struct{})}
		l.extendFrom(sent)
		go l.renewLoop()
		return l, nil
	}
	return nil, fmt.Errorf("%w: all %d ids of fleet %q are leased", ErrNoFreeID, opts.IDs, opts.Prefix)
}

// ID returns the leased machine ID.
func (l *Lease) ID() int64 { return l.id }

// Valid reports whether the lease is still held: the last successful renewal
// was sent less than TTL minus the margin ago. It is an atomic load and a
// clock read, cheap enough for every Next.
func (l *Lease) Valid() bool {
	return int64(time.Since(l.start)) < l.validTo.Load()
}

// Err returns the error of the last failed renewal, or nil.
func (l *Lease) Err() error {
	if err, ok := l.lastErr.Load().(error); ok {
		return err
	}
	return nil
}

// extendFrom records that the key was (re)set to expire TTL after sent.
func (l *Lease) extendFrom(sent time.Time) {
	l.validTo.Store(int64(sent.Sub(l.start) + l.ttl - l.margin))
}

func (l *Lease) renewLoop() {
	defer close(l.done)
	t := time.NewTicker(l.ttl / 3)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			l.renew()
		}
	}
}

func (l *Lease) renew() {
	ctx, cancel := context.WithTimeout(context.Background(), l.ttl/3)
	defer cancel()
	sent := time.Now()
	n, err := renewScript.Run(ctx, l.client, []string{l.key}, l.token, l.ttl.Milliseconds()).Int()
	switch {
	case err != nil:
		l.lastErr.Store(fmt.Errorf("redisfleet: renew %s: %w", l.key, err))
	case n == 0:
		// Someone else holds the key now: the lease is gone for good.
		l.lastErr.Store(fmt.Errorf("redisfleet: lease %s lost to another holder", l.key))
		l.validTo.Store(0)
	default:
		if l.Valid() { // never revive a lapsed lease: another process may have used the ID
			l.extendFrom(sent)
		}
	}
}

// Release stops renewing and deletes the key if this lease still holds it,
// freeing the ID at once. The lease is invalid afterwards.
func (l *Lease) Release(ctx context.Context) error {
	l.once.Do(func() { close(l.stop) })
	<-l.done
	l.validTo.Store(0)
	if err := releaseScript.Run(ctx, l.client, []string{l.key}, l.token).Err(); err != nil {
		return fmt.Errorf("redisfleet: release %s: %w", l.key, err)
	}
	return nil
}
