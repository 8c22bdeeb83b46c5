// Package newsfeed is the news feed system: posts fan out on write into
// followers' cached feeds (sorted sets from skiplist, sharded over cache
// nodes with hashring), while celebrities' posts are merged in on read, so
// one post by an account with millions of followers does not become
// millions of cache writes. Feeds page with a cursor that neither skips nor
// repeats posts sharing a millisecond.
//
// The run builds a follow graph with a few celebrities, publishes posts,
// checks every sampled user's first pages against a brute-force merge of the
// posts of everyone they follow, and reports fanout writes saved, read
// latency and how feeds spread over the cache shards.
//
//	go run ./examples/tour newsfeed [-users 2000] [-posts 5000]
package newsfeed

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/sysdesign-go/sysdesign/hashring"
)

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("newsfeed", flag.ContinueOnError)
	fs.SetOutput(w)
	users := fs.Int("users", 2000, "users")
	posts := fs.Int("posts", 5000, "posts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *users < 100 || *posts < 100 {
		return errors.New("newsfeed: need at least 100 users and 100 posts")
	}
	svc, err := NewService(Options{CelebrityFollowers: *users / 4})
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(3, 4))
	const celebrities = 3
	for u := range *users {
		for c := range celebrities {
			if u != c && r.IntN(10) < 6 {
				svc.Follow(u, c)
			}
		}
		for range 20 {
			if a := celebrities + r.IntN(*users-celebrities); a != u {
				svc.Follow(u, a)
			}
		}
	}
	base := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	naive := 0 // feed writes if everyone fanned out on write
	start := time.Now()
	for i := range *posts {
		author := celebrities + r.IntN(*users-celebrities)
		if r.IntN(10) == 0 {
			author = r.IntN(celebrities)
		}
		// Three posts per millisecond, so pages meet ties.
		if _, err := svc.Publish(author, fmt.Sprintf("post %d", i), base.Add(time.Duration(i/3)*time.Millisecond)); err != nil {
			return err
		}
		naive += len(svc.followers[author])
	}
	took := time.Since(start)
	fmt.Fprintf(w, "%d users (%d celebrities with about %d%% of users as followers), %d posts published in %v\n",
		*users, celebrities, 60, *posts, took.Round(time.Millisecond))
	fmt.Fprintf(w, "fanout on write: %d feed insertions; without the celebrity rule it would be %d (%.0f%% saved, merged on read instead)\n",
		svc.FanoutWrites, naive, 100*(1-float64(svc.FanoutWrites)/float64(naive)))

	// Every sampled user's first five pages against brute force.
	checked := 0
	var lat []time.Duration
	for u := 0; u < *users; u += max(1, *users/200) {
		want := svc.bruteForce(u, 100)
		var got []Post
		var after *Post
		for len(got) < 100 {
			t0 := time.Now()
			page, err := svc.Feed(u, 20, after)
			lat = append(lat, time.Since(t0))
			if err != nil {
				return err
			}
			if len(page) == 0 {
				break
			}
			got = append(got, page...)
			after = &page[len(page)-1]
		}
		if !slices.EqualFunc(got, want, func(a, b Post) bool { return a.ID == b.ID }) {
			return fmt.Errorf("newsfeed: user %d: feed has %d posts, differs from the %d of brute force", u, len(got), len(want))
		}
		checked++
	}
	slices.Sort(lat)
	fmt.Fprintf(w, "feeds of %d users paged 20 at a time, 100 deep: identical to a brute-force merge of everything they follow; page read p50 %v, p99 %v\n",
		checked, lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)*99/100].Round(time.Microsecond))

	loads := svc.ShardLoads()
	fmt.Fprintf(w, "cached feeds per shard: %v\n", loads)
	return showReshard(w, svc, *users)
}

// showReshard counts the users whose feed would move if a cache shard were
// added: on a consistent-hash ring, only those the new shard takes.
func showReshard(w io.Writer, svc *Service, users int) error {
	nodes := svc.ring.Nodes()
	nodes = append(nodes, hashring.Node{ID: fmt.Sprintf("cache-%d", len(nodes))})
	grown, err := hashring.New(hashring.Options{}, nodes...)
	if err != nil {
		return err
	}
	moved := 0
	for u := range users {
		before, _ := svc.ring.Get(fmt.Sprint(u))
		after, _ := grown.Get(fmt.Sprint(u))
		if before != after {
			if after != nodes[len(nodes)-1].ID {
				return fmt.Errorf("newsfeed: user %d moved between old shards", u)
			}
			moved++
		}
	}
	fmt.Fprintf(w, "adding a fifth cache shard would move %d of %d feeds (%.1f%%; ideal %.1f%%), all to the new shard\n",
		moved, users, 100*float64(moved)/float64(users), 100/float64(len(nodes)))
	return nil
}

// bruteForce returns the newest n posts by the authors user follows.
func (s *Service) bruteForce(user, n int) []Post {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var all []Post
	for _, p := range s.posts {
		if slices.Contains(s.following[user], p.Author) {
			all = append(all, p)
		}
	}
	slices.SortFunc(all, func(a, b Post) int {
		if c := b.At.Compare(a.At); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	return all[:min(n, len(all))]
}
