package redisstore_test

import (
	"context"
	"fmt"
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/sysdesign-go/sysdesign/internal/redistest"
	"github.com/sysdesign-go/sysdesign/ratelimit"
	"github.com/sysdesign-go/sysdesign/ratelimit/redisstore"
)

// Two limiters, as on two servers, share one limit of 3 per hour through
// Redis. When no redis-server is installed the example points at an address
// where nothing listens, and the FailLocal policy decides in memory: the
// output is the same, which is the point of the fallback.
func Example() {
	addr := "127.0.0.1:1" // nothing listens here
	if redistest.Available() {
		dir, _ := os.MkdirTemp("", "redis")
		defer os.RemoveAll(dir)
		srv, err := redistest.Launch(dir)
		if err != nil {
			panic(err)
		}
		defer srv.Stop()
		addr = srv.Addr
	}
	client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1})
	defer client.Close()

	limit := []ratelimit.Limit{ratelimit.PerHour(3).WithName("hourly")}
	fallback, _ := ratelimit.NewStore(ratelimit.GCRA, limit, ratelimit.Options{})
	opts := redisstore.Options{Policy: redisstore.FailLocal, Fallback: fallback}
	a, _ := redisstore.New(client, ratelimit.GCRA, limit, opts)
	b, _ := redisstore.New(client, ratelimit.GCRA, limit, opts)
	defer a.Close()
	defer b.Close()

	ctx := context.Background()
	for i, l := range []*redisstore.Limiter{a, b, a, b} {
		r, err := l.Allow(ctx, "user:42")
		if err != nil {
			panic(err)
		}
		fmt.Printf("request %d on server %c: allowed=%v remaining=%d\n", i, 'A'+i%2, r.Allowed, r.Remaining)
	}
	// Output:
	// request 0 on server A: allowed=true remaining=2
	// request 1 on server B: allowed=true remaining=1
	// request 2 on server A: allowed=true remaining=0
	// request 3 on server B: allowed=false remaining=0
}
