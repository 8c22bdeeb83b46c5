// Package redisboard is a [skiplist.Leaderboard] kept in a Redis sorted set,
// for games whose players are served by many processes. It issues the same
// commands the in-memory [skiplist.MemoryLeaderboard] mirrors: ZADD GT,
// ZINCRBY, ZREVRANGE, ZREVRANK, ZREM. Each method is one round trip and atomic: Rank
// sends ZREVRANK and ZSCORE in one MULTI/EXEC, Around runs ZREVRANK and
// ZREVRANGE in one Lua script, so the rank and the window come from the same
// moment.
//
// A Board is safe for concurrent use (go-redis clients are).
package redisboard

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"
	"github.com/sysdesign-go/sysdesign/skiplist"
)

// ErrInvalid is returned (wrapped) by [New] for a nil client or empty key and
// by methods for negative counts.
var ErrInvalid = errors.New("redisboard: invalid argument")

// Board is a leaderboard in the Redis sorted set at Key.
type Board struct {
	c   redis.Cmdable
	key string
}

var _ skiplist.Leaderboard = (*Board)(nil)

// New returns a Board on the sorted set key through client (a *redis.Client,
// *redis.ClusterClient or anything else implementing redis.Cmdable).
func New(client redis.Cmdable, key string) (*Board, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: nil client", ErrInvalid)
	}
	if key == "" {
		return nil, fmt.Errorf("%w: empty key", ErrInvalid)
	}
	return &Board{c: client, key: key}, nil
}

// Submit implements [skiplist.Leaderboard] with ZADD key GT score user.
func (b *Board) Submit(ctx context.Context, user string, score float64) error {
	return b.c.ZAddGT(ctx, b.key, redis.Z{Score: score, Member: user}).Err()
}

// Incr implements [skiplist.Leaderboard] with ZINCRBY.
func (b *Board) Incr(ctx context.Context, user string, delta float64) (float64, error) {
	return b.c.ZIncrBy(ctx, b.key, delta, user).Result()
}

func standings(zs []redis.Z, first int) []skiplist.Standing {
	out := make([]skiplist.Standing, len(zs))
	for i, z := range zs {
		m, _ := z.Member.(string)
		out[i] = skiplist.Standing{User: m, Score: z.Score, Rank: first + i}
	}
	return out
}

// Top implements [skiplist.Leaderboard] with ZREVRANGE 0 n-1 WITHSCORES.
func (b *Board) Top(ctx context.Context, n int) ([]skiplist.Standing, error) {
	if n < 0 {
		return nil, fmt.Errorf("%w: top %d", ErrInvalid, n)
	}
	if n == 0 {
		return nil, nil
	}
	zs, err := b.c.ZRevRangeWithScores(ctx, b.key, 0, int64(n-1)).Result()
	if err != nil {
		return nil, err
	}
	return standings(zs, 0), nil
}

// Rank implements [skiplist.Leaderboard] with ZREVRANK and ZSCORE.
func (b *Board) Rank(ctx context.Context, user string) (skiplist.Standing, bool, error) {
	var rank *redis.IntCmd
	var score *redis.FloatCmd
	_, err := b.c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		rank = p.ZRevRank(ctx, b.key, user)
		score = p.ZScore(ctx, b.key, user)
		return nil
	})
	if errors.Is(err, redis.Nil) {
		return skiplist.Standing{}, false, nil
	}
	if err != nil {
		return skiplist.Standing{}, false, err
	}
	return skiplist.Standing{User: user, Score: score.Val(), Rank: int(rank.Val())}, true, nil
}

// aroundScript returns {first rank, member, score, member, score, ...} or
// nil when the user is absent.
var aroundScript = redis.NewScript(`
local r = redis.call('ZREVRANK', KEYS[1], ARGV[1])
if not r then return false end
local lo = r - tonumber(ARGV[2])
if lo < 0 then lo = 0 end
local out = redis.call('ZREVRANGE', KEYS[1], lo, r + tonumber(ARGV[2]), 'WITHSCORES')
table.insert(out, 1, lo)
return out
`)

// Around implements [skiplist.Leaderboard] with ZREVRANK and ZREVRANGE
// rank-k rank+k WITHSCORES in one Lua script.
func (b *Board) Around(ctx context.Context, user string, k int) ([]skiplist.Standing, error) {
	if k < 0 {
		return nil, fmt.Errorf("%w: around %d", ErrInvalid, k)
	}
	res, err := aroundScript.Run(ctx, b.c, []string{b.key}, user, k).Slice()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(res) == 0 || len(res)%2 != 1 {
		return nil, fmt.Errorf("redisboard: unexpected script reply of %d items", len(res))
	}
	lo, ok := res[0].(int64)
	if !ok {
		return nil, fmt.Errorf("redisboard: unexpected script reply %T", res[0])
	}
	out := make([]skiplist.Standing, 0, len(res)/2)
	for i := 1; i+1 < len(res); i += 2 {
		m, _ := res[i].(string)
		sc, _ := res[i+1].(string)
		f, err := strconv.ParseFloat(sc, 64)
		if err != nil {
			return nil, fmt.Errorf("redisboard: bad score %q: %w", sc, err)
		}
		out = append(out, skiplist.Standing{User: m, Score: f, Rank: int(lo) + len(out)})
	}
	return out, nil
}

// Remove implements [skiplist.Leaderboard] with ZREM.
func (b *Board) Remove(ctx context.Context, user string) error {
	return b.c.ZRem(ctx, b.key, user).Err()
}
