package newsfeed

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := Run(context.Background(), &out, []string{"-users", "300", "-posts", "600"}); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"fanout on write:", "identical to a brute-force merge", "all to the new shard"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := Run(context.Background(), new(strings.Builder), []string{"-users", "5"}); err == nil {
		t.Error("Run accepted 5 users")
	}
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func ids(posts []Post) []string {
	var out []string
	for _, p := range posts {
		out = append(out, p.Text)
	}
	return out
}

func TestPagingAcrossEqualTimestamps(t *testing.T) {
	svc, err := NewService(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Follow(1, 2); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 25 {
		// Five posts in each millisecond.
		if _, err := svc.Publish(2, fmt.Sprint(i), t0.Add(time.Duration(i/5)*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprint(i))
	}
	slices.Reverse(want) // newest first; within a millisecond, later IDs first
	for _, size := range []int{1, 3, 4, 7, 25, 30} {
		var got []Post
		var after *Post
		for {
			page, err := svc.Feed(1, size, after)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			got = append(got, page...)
			after = &page[len(page)-1]
		}
		if !slices.Equal(ids(got), want) {
			t.Errorf("pages of %d: %v; want %v", size, ids(got), want)
		}
	}
	if _, err := svc.Feed(1, 0, nil); err == nil {
		t.Error("Feed accepted n = 0")
	}
	if err := svc.Follow(3, 3); err == nil {
		t.Error("a user followed themselves")
	}
}

func TestCelebritiesAreMergedOnRead(t *testing.T) {
	svc, err := NewService(Options{CelebrityFollowers: 3, FeedLen: 5})
	if err != nil {
		t.Fatal(err)
	}
	for u := 10; u < 14; u++ {
		svc.Follow(u, 1) // 1 becomes a celebrity
	}
	svc.Follow(10, 2)
	if !svc.Celebrity(1) || svc.Celebrity(2) {
		t.Fatal("celebrity threshold not applied")
	}
	svc.Publish(1, "star", t0)
	svc.Publish(2, "friend", t0.Add(time.Millisecond))
	if svc.FanoutWrites != 1 {
		t.Errorf("FanoutWrites = %d; want 1 (only the friend's post to user 10)", svc.FanoutWrites)
	}
	feed, err := svc.Feed(10, 10, nil)
	if err != nil || !slices.Equal(ids(feed), []string{"friend", "star"}) {
		t.Errorf("Feed(10) = %v, %v; want friend then star", ids(feed), err)
	}
	// The cached feed keeps only FeedLen posts.
	for i := range 8 {
		svc.Publish(2, fmt.Sprint(i), t0.Add(time.Duration(2+i)*time.Millisecond))
	}
	feed, _ = svc.Feed(10, 100, nil)
	if got := ids(feed); len(got) != 6 || got[0] != "7" || got[5] != "star" {
		t.Errorf("capped feed = %v; want the newest 5 fanned-out posts and the celebrity's", got)
	}
}

func TestNewServiceRejectsBadOptions(t *testing.T) {
	if _, err := NewService(Options{Shards: -1}); err == nil {
		t.Error("NewService accepted -1 shards")
	}
}
