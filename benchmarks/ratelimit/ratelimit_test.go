// Package ratelimitbench compares sysdesign/ratelimit with the Go rate
// limiters people use, on the same workloads:
//
//   - Allow on one key, serial and parallel: ratelimit.Bucket (impl=sysdesign)
//     and a ratelimit.Store used with one key (impl=sysdesign-keyed) against
//     x/time/rate, uber-go/ratelimit
//     (a pacer: Take, at a rate where it never sleeps), ulule/limiter
//     (memory store), throttled (GCRA, memstore), sethvargo/go-limiter.
//   - Allow over 1,000,000 distinct keys, with the heap bytes per key.
//   - Redis with 64 concurrent callers: redisstore against redis_rate, on
//     the same local redis-server.
//   - HTTP middleware on a no-op handler (impl=none is the bare handler;
//     impl=sysdesign-draining uses a limit whose Remaining changes on
//     almost every request, so the RateLimit header value is rebuilt).
package ratelimitbench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	redisrate "github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	sethlimiter "github.com/sethvargo/go-limiter"
	"github.com/sethvargo/go-limiter/httplimit"
	"github.com/sethvargo/go-limiter/memorystore"
	"github.com/throttled/throttled/v2"
	"github.com/throttled/throttled/v2/store/memstore"
	ulule "github.com/ulule/limiter/v3"
	ululestdlib "github.com/ulule/limiter/v3/drivers/middleware/stdlib"
	ulmemory "github.com/ulule/limiter/v3/drivers/store/memory"
	uber "go.uber.org/ratelimit"
	xrate "golang.org/x/time/rate"

	"github.com/sysdesign-go/sysdesign/internal/cputime"
	"github.com/sysdesign-go/sysdesign/internal/redistest"
	"github.com/sysdesign-go/sysdesign/ratelimit"
	"github.com/sysdesign-go/sysdesign/ratelimit/redisstore"
)

// A rate high enough that every call is admitted: we measure the decision.
const high = 1_000_000_000

// keyed is the common shape: allow one event for key.
type keyed func(ctx context.Context, key string) bool

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func sysdesignKeyed(alg ratelimit.Algorithm, lim ratelimit.Limit) keyed {
	s := must(ratelimit.NewStore(alg, []ratelimit.Limit{lim}, ratelimit.Options{}))
	return func(ctx context.Context, key string) bool {
		r, _ := s.Allow(ctx, key)
		return r.Allowed
	}
}

func ululeKeyed(rate int, per time.Duration) keyed {
	l := ulule.New(ulmemory.NewStore(), ulule.Rate{Period: per, Limit: int64(rate)})
	return func(ctx context.Context, key string) bool {
		c, _ := l.Get(ctx, key)
		return !c.Reached
	}
}

func throttledKeyed(rate int, maxKeys int) keyed {
	st := must(memstore.NewCtx(maxKeys))
	rl := must(throttled.NewGCRARateLimiterCtx(st, throttled.RateQuota{MaxRate: throttled.PerSec(rate), MaxBurst: rate}))
	return func(ctx context.Context, key string) bool {
		limited, _, _ := rl.RateLimitCtx(ctx, key, 1)
		return !limited
	}
}

func sethvargoKeyed(rate int) (keyed, sethlimiter.Store) {
	st := must(memorystore.New(&memorystore.Config{Tokens: uint64(rate), Interval: time.Second}))
	return func(ctx context.Context, key string) bool {
		_, _, _, ok, _ := st.Take(ctx, key)
		return ok
	}, st
}

func BenchmarkRatelimit_Allow(b *testing.B) {
	x := xrate.NewLimiter(xrate.Limit(high), high)
	u := uber.New(high, uber.WithoutSlack)
	seth, st := sethvargoKeyed(high)
	defer st.Close(context.Background())
	bucket := must(ratelimit.NewBucket(ratelimit.PerSecond(high), ratelimit.Options{}))
	impls := []struct {
		name  string
		allow keyed
	}{
		{"sysdesign", func(context.Context, string) bool { return bucket.Allow() }},
		{"sysdesign-keyed", sysdesignKeyed(ratelimit.GCRA, ratelimit.PerSecond(high))},
		{"xtime", func(context.Context, string) bool { return x.Allow() }},
		{"uber", func(context.Context, string) bool { u.Take(); return true }},
		{"ulule", ululeKeyed(high, time.Second)},
		{"throttled", throttledKeyed(high, 1024)},
		{"sethvargo", seth},
	}
	ctx := context.Background()
	for _, mode := range []string{"serial", "parallel"} {
		for _, im := range impls {
			b.Run("mode="+mode+"/impl="+im.name, func(b *testing.B) {
				b.ReportAllocs()
				if mode == "serial" {
					done := cputime.Start(b)
					for b.Loop() {
						im.allow(ctx, "key")
					}
					done()
					return
				}
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						im.allow(ctx, "key")
					}
				})
			})
		}
	}
}

// BenchmarkRatelimit_ManyKeys touches 1,000,000 distinct keys once to
// populate each store, reports the heap growth per key, then times Allow
// cycling over them.
func BenchmarkRatelimit_ManyKeys(b *testing.B) {
	const n = 1_000_000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "user:" + strconv.Itoa(i)
	}
	ctx := context.Background()
	impls := []struct {
		name string
		make func() (keyed, func())
	}{
		{"sysdesign", func() (keyed, func()) {
			return sysdesignKeyed(ratelimit.GCRA, ratelimit.PerMinute(100)), func() {}
		}},
		{"ulule", func() (keyed, func()) { return ululeKeyed(100, time.Minute), func() {} }},
		{"throttled", func() (keyed, func()) { return throttledKeyed(100, 2*n), func() {} }},
		{"sethvargo", func() (keyed, func()) {
			k, st := sethvargoKeyed(100)
			return k, func() { st.Close(ctx) }
		}},
	}
	for _, im := range impls {
		b.Run("keys=1000000/impl="+im.name, func(b *testing.B) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			allow, done := im.make()
			defer done()
			for _, k := range keys {
				allow(ctx, k)
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			perKey := float64(after.HeapAlloc-before.HeapAlloc) / n
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				allow(ctx, keys[i%n])
				i++
			}
			b.ReportMetric(perKey, "B/key")
			runtime.KeepAlive(allow)
		})
	}
}

// BenchmarkRatelimit_Redis: 64 concurrent callers deciding on 1,024 keys
// through one local redis-server.
func BenchmarkRatelimit_Redis(b *testing.B) {
	srv := redistest.Start(b)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, PoolSize: 128})
	defer rdb.Close()
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = "user:" + strconv.Itoa(i)
	}
	ctx := context.Background()
	lim := ratelimit.PerSecond(1_000_000)
	batched := must(redisstore.New(rdb, ratelimit.GCRA, []ratelimit.Limit{lim}, redisstore.Options{}))
	defer batched.Close()
	unbatched := must(redisstore.New(rdb, ratelimit.GCRA, []ratelimit.Limit{lim}, redisstore.Options{MaxBatch: 1}))
	rr := redisrate.NewLimiter(rdb)
	impls := []struct {
		name  string
		allow keyed
	}{
		{"sysdesign", func(ctx context.Context, k string) bool { r, _ := batched.Allow(ctx, k); return r.Allowed }},
		{"sysdesign-unbatched", func(ctx context.Context, k string) bool { r, _ := unbatched.Allow(ctx, k); return r.Allowed }},
		{"redis_rate", func(ctx context.Context, k string) bool {
			r, err := rr.Allow(ctx, k, redisrate.PerSecond(1_000_000))
			return err == nil && r.Allowed > 0
		}},
	}
	for _, im := range impls {
		b.Run("callers=64/impl="+im.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0, self0 := redisCPU(b, rdb), selfCPU()
			b.SetParallelism((64 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if !im.allow(ctx, keys[i&1023]) {
						b.Error("denied or failed")
						return
					}
					i++
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
			// CPU per decision, of the server and of this process: on a
			// shared machine, wall-clock throughput follows the CPU the
			// benchmark gets; these do not.
			b.ReportMetric((redisCPU(b, rdb)-cpu0)/float64(b.N), "redis-cpu-µs/op")
			b.ReportMetric((selfCPU()-self0)/float64(b.N), "client-cpu-µs/op")
		})
	}
}

// redisCPU returns the server's CPU time so far in microseconds (INFO cpu).
func redisCPU(b *testing.B, c *redis.Client) float64 {
	info, err := c.Info(context.Background(), "cpu").Result()
	if err != nil {
		b.Fatal(err)
	}
	total := 0.0
	for _, line := range strings.Split(info, "\n") {
		for _, f := range []string{"used_cpu_sys:", "used_cpu_user:"} {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), f); ok {
				x, _ := strconv.ParseFloat(v, 64)
				total += x
			}
		}
	}
	return total * 1e6
}

// selfCPU returns this process's CPU time so far in microseconds.
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e3
}

func BenchmarkRatelimit_Middleware(b *testing.B) {
	noop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	ours := must(ratelimit.NewStore(ratelimit.GCRA, []ratelimit.Limit{ratelimit.PerSecond(high)}, ratelimit.Options{}))
	mw := must(ratelimit.NewMiddleware([]ratelimit.Rule{{Limiter: ours}}, ratelimit.MiddlewareOptions{}))
	// A limit that runs down (1e6/s, refilled slower than requests arrive,
	// with a burst that outlasts the run): Remaining changes on almost
	// every request, so the RateLimit value is rarely one built lately.
	draining := must(ratelimit.NewStore(ratelimit.GCRA, []ratelimit.Limit{ratelimit.PerSecond(1_000_000).WithBurst(high)}, ratelimit.Options{}))
	mwDraining := must(ratelimit.NewMiddleware([]ratelimit.Rule{{Limiter: draining}}, ratelimit.MiddlewareOptions{}))
	ul := ulule.New(ulmemory.NewStore(), ulule.Rate{Period: time.Second, Limit: high})
	tst := must(memstore.NewCtx(1024))
	trl := must(throttled.NewGCRARateLimiterCtx(tst, throttled.RateQuota{MaxRate: throttled.PerSec(high), MaxBurst: high}))
	sst := must(memorystore.New(&memorystore.Config{Tokens: high, Interval: time.Second}))
	defer sst.Close(context.Background())
	smw := must(httplimit.NewMiddleware(sst, httplimit.IPKeyFunc()))
	impls := []struct {
		name string
		h    http.Handler
	}{
		{"sysdesign", mw.Handler(noop)},
		{"sysdesign-draining", mwDraining.Handler(noop)},
		{"none", noop},
		{"ulule", ululestdlib.NewMiddleware(ul).Handler(noop)},
		{"throttled", (&throttled.HTTPRateLimiterCtx{RateLimiter: trl, VaryBy: &throttled.VaryBy{RemoteAddr: true}}).RateLimit(noop)},
		{"sethvargo", smw.Handle(noop)},
	}
	for _, im := range impls {
		b.Run("impl="+im.name, func(b *testing.B) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = "192.0.2.1:1234"
			w := &recorder{h: http.Header{}}
			denied := 0
			b.ReportAllocs()
			done := cputime.Start(b)
			for b.Loop() {
				clear(w.h)
				w.code = 0
				im.h.ServeHTTP(w, r)
				if w.code != 0 && w.code != http.StatusOK {
					denied++
				}
			}
			done()
			// Every limiter is configured to admit everything; a peer that
			// still denies some requests shows it here.
			b.ReportMetric(float64(denied)/float64(b.N), "denied/op")
		})
	}
}

// recorder is a reusable http.ResponseWriter that keeps only the status.
type recorder struct {
	h    http.Header
	code int
}

func (r *recorder) Header() http.Header { return r.h }
func (r *recorder) Write(p []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return len(p), nil
}
func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}
