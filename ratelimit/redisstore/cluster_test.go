package redisstore

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sysdesign-go/sysdesign/internal/redistest"
	"github.com/sysdesign-go/sysdesign/ratelimit"
)

// startCluster launches a one-node Redis Cluster (cluster mode, all 16384
// slots on the one node) for t and returns its address; it skips like
// redistest.Start when redis-server is missing.
func startCluster(t *testing.T) string {
	t.Helper()
	redistest.Start(t) // skips (or fails under SYSDESIGN_REQUIRE_REDIS=1) without redis-server
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := t.TempDir()
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir, "--protected-mode", "no",
		"--cluster-enabled", "yes", "--cluster-config-file", dir+"/nodes.conf")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
		}
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(ctx).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatal("cluster node did not come up")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := c.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", 0, 16383).Err(); err != nil {
		t.Fatalf("CLUSTER ADDSLOTSRANGE: %v", err)
	}
	for {
		info, err := c.ClusterInfo(ctx).Result()
		if err == nil && strings.Contains(info, "cluster_state:ok") {
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("cluster state not ok: %q %v", info, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestClusterAndRingPipelines runs the per-decision EVALSHA pipeline path
// (the one Cluster and Ring clients take) against real servers: a one-node
// Redis Cluster through redis.ClusterClient, and a one-shard redis.Ring.
// Two limiter instances share a limit from 64 goroutines, the keys carry
// their hash tag, and a SCRIPT FLUSH is survived.
func TestClusterAndRingPipelines(t *testing.T) {
	clusterAddr := startCluster(t)
	srv := redistest.Start(t)
	clients := map[string]func() redis.UniversalClient{
		"cluster": func() redis.UniversalClient {
			return redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{clusterAddr}})
		},
		"ring": func() redis.UniversalClient {
			return redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"shard1": srv.Addr}})
		},
	}
	ctx := context.Background()
	for name, mk := range clients {
		t.Run(name, func(t *testing.T) {
			var cs [2]redis.UniversalClient
			for i := range cs {
				cs[i] = mk()
				t.Cleanup(func() { cs[i].Close() })
			}
			for _, alg := range allAlgorithms {
				lim := slow(150)
				var ls [2]*Limiter
				for i := range ls {
					ls[i] = newLimiter(t, cs[i], alg, []ratelimit.Limit{lim, ratelimit.PerDay(100_000)}, Options{})
					if ls[i].multi {
						t.Fatal("cluster/ring limiter uses the batch script")
					}
				}
				var admitted atomic.Int64
				var wg sync.WaitGroup
				for g := range 64 {
					wg.Go(func() {
						for j := range 8 {
							r, err := ls[g%2].Allow(ctx, "shared")
							if err != nil {
								t.Error(err)
								return
							}
							if r.Allowed {
								admitted.Add(1)
							}
							// other keys, spread over slots, in the same batches
							if r, err := ls[g%2].AllowN(ctx, fmt.Sprintf("u%d-%d", g, j), 2); err != nil || !r.Allowed || r.Remaining != 148 {
								t.Errorf("fresh key: %+v %v", r, err)
								return
							}
						}
					})
				}
				wg.Wait()
				got := admitted.Load()
				if got > 2*150 || (got != 150 && (alg != ratelimit.FixedWindow && alg != ratelimit.SlidingWindow)) || got < 150 {
					t.Errorf("%v: two instances admitted %d of 512; want 150", alg, got)
				}
			}
			// NOSCRIPT after a flush: the pipeline path reloads and retries.
			var flush error
			switch c := cs[0].(type) {
			case *redis.ClusterClient:
				flush = c.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error { return n.ScriptFlush(ctx).Err() })
			case *redis.Ring:
				flush = c.ForEachShard(ctx, func(ctx context.Context, n *redis.Client) error { return n.ScriptFlush(ctx).Err() })
			}
			if flush != nil {
				t.Fatal(flush)
			}
			l := newLimiter(t, cs[0], ratelimit.GCRA, []ratelimit.Limit{slow(10)}, Options{Prefix: "flush"})
			var wg sync.WaitGroup
			var ok atomic.Int64
			for range 16 {
				wg.Go(func() {
					if r, err := l.Allow(ctx, "f"); err == nil && r.Allowed {
						ok.Add(1)
					} else if err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if ok.Load() != 10 {
				t.Errorf("after SCRIPT FLUSH: %d admitted; want 10", ok.Load())
			}
		})
	}
}
