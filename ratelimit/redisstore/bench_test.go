package redisstore

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/sysdesign-go/sysdesign/internal/redistest"
	"github.com/sysdesign-go/sysdesign/ratelimit"
)

func BenchmarkLimiter_Allow(b *testing.B) {
	srv := redistest.Start(b)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr, PoolSize: 64})
	b.Cleanup(func() { c.Close() })
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = "user:" + strconv.Itoa(i)
	}
	for _, batch := range []int{1, 0} {
		name := "batching=on"
		if batch == 1 {
			name = "batching=off"
		}
		b.Run(name, func(b *testing.B) {
			l, err := New(c, ratelimit.GCRA, []ratelimit.Limit{ratelimit.PerSecond(1_000_000)}, Options{MaxBatch: batch})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			ctx := context.Background()
			c.ConfigResetStat(ctx)
			b.ReportAllocs()
			b.SetParallelism(32) // 64 callers on 2 CPUs
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if _, err := l.Allow(ctx, keys[i&1023]); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
			us, calls := redisMicros(b, c)
			b.ReportMetric(us/float64(b.N), "redis-µs/op")
			b.ReportMetric(float64(b.N)/calls, "decisions/call")
		})
	}
}

// redisMicros returns the server CPU time spent in commands since the last
// CONFIG RESETSTAT and the number of evalsha calls (INFO commandstats).
func redisMicros(b *testing.B, c *redis.Client) (us, evalsha float64) {
	info, err := c.Info(context.Background(), "commandstats").Result()
	if err != nil {
		b.Fatal(err)
	}
	num := func(line, field string) float64 {
		_, rest, _ := strings.Cut(line, field+"=")
		v, _, _ := strings.Cut(rest, ",")
		f, _ := strconv.ParseFloat(v, 64)
		return f
	}
	for _, line := range strings.Split(info, "\n") {
		us += num(line, "usec")
		if strings.HasPrefix(line, "cmdstat_evalsha:") {
			evalsha = num(line, "calls")
		}
	}
	return us, evalsha
}
