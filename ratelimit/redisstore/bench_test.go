package redisstore

import (
	"context"
	"strconv"
	"strings"
	"syscall"
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
	for _, o := range []struct {
		name string
		opts Options
	}{
		{"batching=off", Options{MaxBatch: 1}},
		{"batching=on/pipelines=1", Options{Pipelines: 1}},
		{"batching=on/pipelines=2", Options{Pipelines: 2}},
		{"batching=on/pipelines=4", Options{Pipelines: 4}},
	} {
		b.Run(o.name, func(b *testing.B) {
			l, err := New(c, ratelimit.GCRA, []ratelimit.Limit{ratelimit.PerSecond(1_000_000)}, o.opts)
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			ctx := context.Background()
			c.ConfigResetStat(ctx)
			cpu0 := redisCPU(b, c)
			var self0 syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &self0)
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
			var self1 syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &self1)
			b.ReportMetric(float64(self1.Utime.Nano()+self1.Stime.Nano()-self0.Utime.Nano()-self0.Stime.Nano())/1e3/float64(b.N), "client-cpu-µs/op")
			b.ReportMetric((redisCPU(b, c)-cpu0)/float64(b.N), "redis-cpu-µs/op")
			us, calls := redisMicros(b, c)
			b.ReportMetric(us/float64(b.N), "redis-µs/op")
			b.ReportMetric(float64(b.N)/calls, "decisions/call")
		})
	}
}

// redisCPU returns the server's CPU time in microseconds (INFO cpu), which
// unlike the command statistics includes reading and writing the network.
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
