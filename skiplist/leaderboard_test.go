package skiplist_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/redistest"
	"github.com/sysdesign-go/sysdesign/skiplist"
	"github.com/sysdesign-go/sysdesign/skiplist/redisboard"
)

// testLeaderboard runs the same script against any Leaderboard, so the
// in-memory and the Redis implementations are held to one behaviour.
func testLeaderboard(t *testing.T, lb skiplist.Leaderboard) {
	ctx := context.Background()
	for i := range 20 {
		if err := lb.Submit(ctx, fmt.Sprintf("p%02d", i), float64(i*10)); err != nil {
			t.Fatal(err)
		}
	}
	// Submit keeps the best score.
	if err := lb.Submit(ctx, "p19", 5); err != nil {
		t.Fatal(err)
	}
	if v, err := lb.Incr(ctx, "p00", 95); err != nil || v != 95 {
		t.Fatalf("Incr = %v, %v; want 95", v, err)
	}
	top, err := lb.Top(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []skiplist.Standing{{"p19", 190, 0}, {"p18", 180, 1}, {"p17", 170, 2}}
	if !slices.Equal(top, want) {
		t.Fatalf("Top(3) = %v; want %v", top, want)
	}
	st, ok, err := lb.Rank(ctx, "p00")
	// p00 has 95: above it are p10..p19 (10 users).
	if err != nil || !ok || st != (skiplist.Standing{User: "p00", Score: 95, Rank: 10}) {
		t.Fatalf("Rank(p00) = %v, %v, %v", st, ok, err)
	}
	if _, ok, err := lb.Rank(ctx, "nobody"); ok || err != nil {
		t.Fatalf("Rank(nobody) = %v, %v", ok, err)
	}
	around, err := lb.Around(ctx, "p00", 4)
	if err != nil {
		t.Fatal(err)
	}
	var users []string
	for i, s := range around {
		users = append(users, s.User)
		if s.Rank != 6+i {
			t.Errorf("Around rank %d = %d", i, s.Rank)
		}
	}
	if w := []string{"p13", "p12", "p11", "p10", "p00", "p09", "p08", "p07", "p06"}; !slices.Equal(users, w) {
		t.Fatalf("Around(p00, 4) = %v; want %v", users, w)
	}
	around, _ = lb.Around(ctx, "p19", 2)
	if len(around) != 3 || around[0].User != "p19" || around[0].Rank != 0 {
		t.Fatalf("Around(top, 2) = %v", around)
	}
	if a, err := lb.Around(ctx, "nobody", 4); a != nil || err != nil {
		t.Fatalf("Around(nobody) = %v, %v", a, err)
	}
	if err := lb.Remove(ctx, "p19"); err != nil {
		t.Fatal(err)
	}
	top, _ = lb.Top(ctx, 1)
	if len(top) != 1 || top[0].User != "p18" {
		t.Fatalf("Top after Remove = %v", top)
	}
	if _, err := lb.Top(ctx, -1); err == nil {
		t.Fatal("Top(-1) did not fail")
	}
	// Concurrent increments are all counted.
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				if _, err := lb.Incr(ctx, "busy", 1); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if st, _, _ := lb.Rank(ctx, "busy"); st.Score != 200 {
		t.Fatalf("concurrent Incr total %v; want 200", st.Score)
	}
}

func TestMemoryLeaderboard(t *testing.T) {
	lb, err := skiplist.NewMemoryLeaderboard(skiplist.Options{})
	if err != nil {
		t.Fatal(err)
	}
	testLeaderboard(t, lb)
}

func TestRedisLeaderboard(t *testing.T) {
	srv := redistest.Start(t)
	lb, err := redisboard.New(srv.Client(t), "board")
	if err != nil {
		t.Fatal(err)
	}
	testLeaderboard(t, lb)
	if _, err := redisboard.New(nil, "k"); err == nil {
		t.Fatal("nil client accepted")
	}
	if _, err := redisboard.New(srv.Client(t), ""); err == nil {
		t.Fatal("empty key accepted")
	}
}
