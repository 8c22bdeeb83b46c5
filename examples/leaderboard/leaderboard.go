// Package leaderboard is the real-time game leaderboard system: game servers
// report points won by players, and the board answers the top 10, a
// player's rank, and the four players above and below them.
//
// The run replays the same stream of match results against the in-memory
// board (skiplist.MemoryLeaderboard, one process) from several goroutines,
// checks every answer against a full sort of the final scores, and then,
// when redis-server is installed, replays the stream against a Redis sorted
// set through skiplist/redisboard (a real redis-server on a loopback port)
// behind the same skiplist.Leaderboard interface and shows that both boards
// give the same answers, with the cost per operation of each.
//
//	go run ./examples/tour leaderboard [-players 50000] [-matches 100000] [-redis auto|on|off]
package leaderboard

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sysdesign-go/sysdesign/internal/redistest"
	"github.com/sysdesign-go/sysdesign/skiplist"
	"github.com/sysdesign-go/sysdesign/skiplist/redisboard"
)

type result struct {
	player string
	points float64
}

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("leaderboard", flag.ContinueOnError)
	fs.SetOutput(w)
	players := fs.Int("players", 50_000, "number of players")
	matches := fs.Int("matches", 100_000, "match results to report")
	redisMode := fs.String("redis", "auto", "also run on Redis: auto (when redis-server is installed), on, off")
	workers := fs.Int("servers", 4, "game servers reporting concurrently")
	seed := fs.Uint64("seed", 1, "random seed for the match stream")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *players < 10 || *matches < 1 || *workers < 1 {
		return errors.New("leaderboard: need at least 10 players, 1 match and 1 server")
	}
	switch *redisMode {
	case "auto", "on", "off":
	default:
		return fmt.Errorf("leaderboard: -redis must be auto, on or off, not %q", *redisMode)
	}

	stream, names := makeStream(*players, *matches, *seed)
	want := expected(stream)
	me := names[len(names)/3]
	if _, ok := want.score[me]; !ok {
		me = want.order[len(want.order)/2].Member
	}

	mem, err := skiplist.NewMemoryLeaderboard(skiplist.Options{Seed: *seed})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%d players, %d match results from %d game servers\n\n", *players, *matches, *workers)
	memView, err := runBoard(ctx, w, "in memory (skiplist.SortedSet)", mem, stream, *workers, me, want)
	if err != nil {
		return err
	}

	if *redisMode == "off" || (*redisMode == "auto" && !redistest.Available()) {
		fmt.Fprintln(w, "\nredis: skipped (install redis-server or pass -redis on to run the same board on Redis)")
		return nil
	}
	dir, err := os.MkdirTemp("", "leaderboard-redis")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srv, err := redistest.Launch(dir)
	if err != nil {
		return fmt.Errorf("leaderboard: start redis-server: %w", err)
	}
	defer srv.Stop()
	client := redis.NewClient(&redis.Options{Addr: srv.Addr, PoolSize: *workers * 2})
	defer client.Close()
	rb, err := redisboard.New(client, "leaderboard:season1")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n")
	redisView, err := runBoard(ctx, w, "on Redis "+srv.Addr+" (ZINCRBY/ZREVRANGE/ZREVRANK)", rb, stream, *workers, me, want)
	if err != nil {
		return err
	}
	same := memView == redisView
	fmt.Fprintf(w, "\nsame answers in memory and on Redis: %v\n", yesNo(same))
	if !same {
		return errors.New("leaderboard: the in-memory and Redis boards disagree")
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// makeStream returns match results where a few players win much more often
// (Zipf), like a real game.
func makeStream(players, matches int, seed uint64) ([]result, []string) {
	r := rand.New(rand.NewPCG(seed, 7))
	names := make([]string, players)
	for i := range names {
		names[i] = fmt.Sprintf("player%06d", i)
	}
	z := rand.NewZipf(r, 1.07, 2, uint64(players-1))
	stream := make([]result, matches)
	for i := range stream {
		stream[i] = result{names[z.Uint64()], float64(1 + r.IntN(30))}
	}
	return stream, names
}

// truth is the answer computed the slow, obvious way: sum, then sort.
type truth struct {
	score map[string]float64
	order []skiplist.Entry // best first, ties by name descending (Redis order)
}

func expected(stream []result) truth {
	t := truth{score: map[string]float64{}}
	for _, r := range stream {
		t.score[r.player] += r.points
	}
	for p, s := range t.score {
		t.order = append(t.order, skiplist.Entry{Member: p, Score: s})
	}
	slices.SortFunc(t.order, func(a, b skiplist.Entry) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(b.Member, a.Member)
	})
	return t
}

// runBoard replays the stream into lb, prints the views, checks them against
// the truth and returns them rendered, for comparing boards.
func runBoard(ctx context.Context, w io.Writer, title string, lb skiplist.Leaderboard, stream []result, workers int, me string, want truth) (string, error) {
	fmt.Fprintf(w, "-- %s\n", title)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := range workers {
		wg.Go(func() {
			for j := i; j < len(stream); j += workers {
				if _, err := lb.Incr(ctx, stream[j].player, stream[j].points); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return "", err
	}
	ingest := time.Since(start)
	fmt.Fprintf(w, "ingested %d results in %v (%.0f updates/s)\n", len(stream), ingest.Round(time.Millisecond), float64(len(stream))/ingest.Seconds())

	const reads = 2000
	start = time.Now()
	var top, around []skiplist.Standing
	var mine skiplist.Standing
	var err error
	for range reads {
		if top, err = lb.Top(ctx, 10); err != nil {
			return "", err
		}
		if mine, _, err = lb.Rank(ctx, me); err != nil {
			return "", err
		}
		if around, err = lb.Around(ctx, me, 4); err != nil {
			return "", err
		}
	}
	perRead := time.Since(start) / (3 * reads)

	var b strings.Builder
	fmt.Fprintln(&b, "top 10:")
	for _, s := range top {
		fmt.Fprintf(&b, "  #%-3d %s %6.0f\n", s.Rank+1, s.User, s.Score)
	}
	fmt.Fprintf(&b, "%s is #%d with %.0f points; 4 above and below:\n", me, mine.Rank+1, mine.Score)
	for _, s := range around {
		mark := " "
		if s.User == me {
			mark = ">"
		}
		fmt.Fprintf(&b, " %s#%-6d %s %6.0f\n", mark, s.Rank+1, s.User, s.Score)
	}
	view := b.String()
	fmt.Fprint(w, view)
	fmt.Fprintf(w, "reads (top 10, rank, ±4 window): %v per call on average\n", perRead)

	// Check against the full sort.
	ok := len(top) == 10 && mine.User == me && mine.Rank >= 0 && mine.Rank < len(want.order) &&
		want.order[mine.Rank].Member == me && mine.Score == want.score[me]
	for i, s := range top {
		ok = ok && s.User == want.order[i].Member && s.Score == want.order[i].Score
	}
	for _, s := range around {
		ok = ok && s.Rank < len(want.order) && want.order[s.Rank].Member == s.User
	}
	lo := max(mine.Rank-4, 0)
	ok = ok && len(around) == min(mine.Rank+4, len(want.order)-1)-lo+1
	fmt.Fprintf(w, "checked against a full sort of %d players: %s\n", len(want.order), map[bool]string{true: "ok", false: "MISMATCH"}[ok])
	if !ok {
		return "", fmt.Errorf("leaderboard: %s answers differ from a full sort", title)
	}
	return view, nil
}
