package skiplist

import (
	"context"
	"fmt"
	"sync"
)

// Standing is one row of a leaderboard: a user, their score and their
// 0-based rank (0 is the top).
type Standing struct {
	User  string
	Score float64
	Rank  int
}

// Leaderboard ranks users by score, highest first, ties broken by user name
// in descending byte order (the order of Redis ZREVRANGE). [MemoryLeaderboard]
// keeps it in a [SortedSet] in this process; the skiplist/redisboard package
// keeps it in a Redis sorted set shared by many servers, behind this same
// interface, so a game can grow from one process to a Redis fleet without
// rewriting. Implementations are safe for concurrent use.
type Leaderboard interface {
	// Submit records score for user, keeping the user's best (highest)
	// score (ZADD GT).
	Submit(ctx context.Context, user string, score float64) error
	// Incr adds delta to user's score, creating the user at delta, and
	// returns the new score (ZINCRBY).
	Incr(ctx context.Context, user string, delta float64) (float64, error)
	// Top returns the n best users, best first.
	Top(ctx context.Context, n int) ([]Standing, error)
	// Rank returns user's standing; ok is false if the user has no score.
	Rank(ctx context.Context, user string) (s Standing, ok bool, err error)
	// Around returns up to k users above user, user, and up to k users
	// below, best first; it returns nil if the user has no score.
	Around(ctx context.Context, user string, k int) ([]Standing, error)
	// Remove deletes user from the board.
	Remove(ctx context.Context, user string) error
}

// MemoryLeaderboard is a [Leaderboard] on an in-process [SortedSet] behind a
// mutex. It is safe for concurrent use. The zero value is not usable; use
// [NewMemoryLeaderboard].
type MemoryLeaderboard struct {
	mu  sync.RWMutex
	set *SortedSet
}

var _ Leaderboard = (*MemoryLeaderboard)(nil)

// NewMemoryLeaderboard returns an empty in-memory leaderboard.
func NewMemoryLeaderboard(opts Options) (*MemoryLeaderboard, error) {
	s, err := NewSortedSet(opts)
	if err != nil {
		return nil, err
	}
	return &MemoryLeaderboard{set: s}, nil
}

// Submit implements [Leaderboard]; it never blocks, and ctx is ignored.
func (l *MemoryLeaderboard) Submit(_ context.Context, user string, score float64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err := l.set.Add(AddOptions{GT: true}, Entry{user, score})
	return err
}

// Incr implements [Leaderboard].
func (l *MemoryLeaderboard) Incr(_ context.Context, user string, delta float64) (float64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.set.IncrBy(user, delta)
}

func standings(es []Entry, firstRank int) []Standing {
	out := make([]Standing, len(es))
	for i, e := range es {
		out[i] = Standing{User: e.Member, Score: e.Score, Rank: firstRank + i}
	}
	return out
}

// Top implements [Leaderboard]. O(log N + n).
func (l *MemoryLeaderboard) Top(_ context.Context, n int) ([]Standing, error) {
	if n < 0 {
		return nil, fmt.Errorf("%w: top %d", ErrNegativeCount, n)
	}
	if n == 0 {
		return nil, nil
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	return standings(l.set.RangeByRank(0, n-1, true), 0), nil
}

// Rank implements [Leaderboard]. O(log N).
func (l *MemoryLeaderboard) Rank(_ context.Context, user string) (Standing, bool, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	r, sc, ok := l.set.RevRank(user)
	if !ok {
		return Standing{}, false, nil
	}
	return Standing{User: user, Score: sc, Rank: r}, true, nil
}

// Around implements [Leaderboard]. O(log N + k).
func (l *MemoryLeaderboard) Around(_ context.Context, user string, k int) ([]Standing, error) {
	if k < 0 {
		return nil, fmt.Errorf("%w: around %d", ErrNegativeCount, k)
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	win, r, ok, err := l.set.AppendWindow(nil, user, k, k, true)
	if !ok || err != nil {
		return nil, err
	}
	return standings(win, r-min(k, r)), nil
}

// Remove implements [Leaderboard].
func (l *MemoryLeaderboard) Remove(_ context.Context, user string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.set.Remove(user)
	return nil
}
