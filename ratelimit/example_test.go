package ratelimit_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/sysdesign-go/sysdesign/ratelimit"
)

var start = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func Example() {
	// 2 requests per second with bursts of 3, and 5 per minute, per user.
	// The token bucket refills continuously: one token of the minute limit
	// every 12 s.
	s, err := ratelimit.NewStore(ratelimit.TokenBucket, []ratelimit.Limit{
		ratelimit.PerSecond(2).WithBurst(3).WithName("second"),
		ratelimit.PerMinute(5).WithName("minute"),
	}, ratelimit.Options{})
	if err != nil {
		panic(err)
	}
	for i, at := range []time.Duration{0, 0, 0, 0, 500 * time.Millisecond, time.Second, 2 * time.Second} {
		r, _ := s.AllowAt("alice", start.Add(at))
		fmt.Printf("request %d at %v: allowed=%v remaining=%d (%s) retry=%v\n",
			i, at, r.Allowed, r.Remaining, r.Limit.Name, r.RetryAfter)
	}
	// Output:
	// request 0 at 0s: allowed=true remaining=2 (second) retry=0s
	// request 1 at 0s: allowed=true remaining=1 (second) retry=0s
	// request 2 at 0s: allowed=true remaining=0 (second) retry=0s
	// request 3 at 0s: allowed=false remaining=0 (second) retry=500ms
	// request 4 at 500ms: allowed=true remaining=0 (second) retry=0s
	// request 5 at 1s: allowed=true remaining=0 (second) retry=0s
	// request 6 at 2s: allowed=false remaining=0 (minute) retry=10s
}

func ExampleStore_AllowNAt() {
	// A fixed window of 3 per second: the window edge resets the count.
	s, _ := ratelimit.NewStore(ratelimit.FixedWindow, []ratelimit.Limit{ratelimit.PerSecond(3)}, ratelimit.Options{})
	for _, at := range []time.Duration{0, 300 * time.Millisecond, 600 * time.Millisecond, 900 * time.Millisecond, time.Second} {
		r, _ := s.AllowNAt("k", start.Add(at), 1)
		fmt.Println(at, r.Allowed, r.Remaining, r.RetryAfter)
	}
	// Output:
	// 0s true 2 0s
	// 300ms true 1 0s
	// 600ms true 0 0s
	// 900ms false 0 100ms
	// 1s true 2 0s
}

func Example_leakyQueue() {
	// The leaky bucket as a queue: requests arriving together are admitted
	// with increasing delays, one interval (100 ms) apart, until the queue
	// of 3 is full. Store.Wait sleeps these delays for the caller.
	s, _ := ratelimit.NewStore(ratelimit.LeakyQueue, []ratelimit.Limit{ratelimit.PerSecond(10).WithBurst(3)}, ratelimit.Options{})
	for range 4 {
		r, _ := s.AllowAt("job", start)
		fmt.Printf("allowed=%v delay=%v retry=%v\n", r.Allowed, r.Delay, r.RetryAfter)
	}
	// Output:
	// allowed=true delay=0s retry=0s
	// allowed=true delay=100ms retry=0s
	// allowed=true delay=200ms retry=0s
	// allowed=false delay=0s retry=100ms
}

func ExampleMiddleware() {
	s, _ := ratelimit.NewStore(ratelimit.GCRA, []ratelimit.Limit{ratelimit.PerMinute(2).WithName("api")}, ratelimit.Options{
		Now: func() time.Time { return start },
	})
	mw, _ := ratelimit.NewMiddleware([]ratelimit.Rule{{Path: "/api/", Limiter: s, Key: ratelimit.HeaderKey("X-API-Key")}}, ratelimit.MiddlewareOptions{})
	h := mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") }))
	for range 3 {
		req := httptest.NewRequest("GET", "/api/items", nil)
		req.Header.Set("X-API-Key", "k1")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Printf("%d RateLimit: %s Retry-After: %q\n", rec.Code, rec.Header().Get("RateLimit"), rec.Header().Get("Retry-After"))
	}
	// Output:
	// 200 RateLimit: "api";r=1;t=30 Retry-After: ""
	// 200 RateLimit: "api";r=0;t=60 Retry-After: ""
	// 429 RateLimit: "api";r=0;t=60 Retry-After: "30"
}

func ExampleBucket() {
	// One limit, no keys: 5 per second with bursts of 2, lock-free.
	b, _ := ratelimit.NewBucket(ratelimit.PerSecond(5).WithBurst(2), ratelimit.Options{})
	for _, at := range []time.Duration{0, 0, 0, 200 * time.Millisecond} {
		r, _ := b.AllowNAt(start.Add(at), 1)
		fmt.Println(at, r.Allowed, r.RetryAfter)
	}
	// Output:
	// 0s true 0s
	// 0s true 0s
	// 0s false 200ms
	// 200ms true 0s
}
