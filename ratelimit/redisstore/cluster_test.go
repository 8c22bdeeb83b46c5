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

// shaCounter counts the EVALSHA commands a client sends, by script.
type shaCounter struct {
	mu   sync.Mutex
	shas map[string]int
}

func (s *shaCounter) count(cmds []redis.Cmder) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range cmds {
		if a := c.Args(); len(a) > 1 && strings.EqualFold(fmt.Sprint(a[0]), "evalsha") {
			s.shas[fmt.Sprint(a[1])]++
		}
	}
}
func (s *shaCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (s *shaCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		s.count([]redis.Cmder{cmd})
		return next(ctx, cmd)
	}
}
func (s *shaCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		s.count(cmds)
		return next(ctx, cmds)
	}
}

func TestKeySlot(t *testing.T) {
	// the CRC16/XMODEM check value, and slots from the cluster spec
	if got := crc16("123456789"); got != 0x31c3 {
		t.Errorf("crc16(123456789) = %#x; want 0x31c3", got)
	}
	addr := startCluster(t)
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	ctx := context.Background()
	keys := []string{"", "foo", "{user1000}.following", "{user1000}.followers", "foo{}{bar}", "foo{{bar}}zap", "foo{bar}{zap}",
		"{}", "{", "}", "a{b", "rl:{user:42}:gcra:10/1000000us:10", "rl:{}:gcra", "é{ü}", "x\x00{\xff}"}
	for i := range 50 {
		keys = append(keys, fmt.Sprintf("rl:{user:%d}:x", i*7919))
	}
	for _, k := range keys {
		want, err := c.ClusterKeySlot(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		if got := keySlot(k); int64(got) != want {
			t.Errorf("keySlot(%q) = %d; CLUSTER KEYSLOT says %d", k, got, want)
		}
	}
}

// On Cluster and Ring clients a batch is split by hash slot (Cluster) or
// hash tag (Ring): each group of two or more decisions is one call of the
// batch script routed by its first key, a lone decision one call of the
// single-request script, all in one pipeline; the results are those of
// the single-request path, decision by decision.
func TestClusterSlotGrouping(t *testing.T) {
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
	// "hot" ×5 and "u1" ×2 form groups; "u2" and "" (whose keys have an
	// empty tag and, with two limits, different slots) go alone.
	reqs := []call{{key: "hot", n: 1}, {key: "u1", n: 3}, {key: "hot", n: 4}, {key: "u2", n: 1}, {key: "hot", n: 0},
		{key: "", n: 1}, {key: "hot", n: 6}, {key: "u1", n: 1}, {key: "hot", n: 1}}
	for name, mk := range clients {
		for _, alg := range allAlgorithms {
			for _, noBatch := range []bool{false, true} {
				c := mk()
				sc := &shaCounter{shas: map[string]int{}}
				c.AddHook(sc)
				limits := []ratelimit.Limit{{Rate: 10, Period: 24 * time.Hour}, ratelimit.PerDay(1000)}
				prefix := fmt.Sprintf("g-%v-%v", alg, noBatch)
				l := newLimiter(t, c, alg, limits, Options{Prefix: prefix, NoBatchScript: noBatch})
				single := newLimiter(t, c, alg, limits, Options{Prefix: "s" + prefix, MaxBatch: 1})
				for _, src := range []string{l.script.src, l.batch.src} {
					if err := c.ScriptLoad(ctx, src).Err(); err != nil {
						t.Fatal(err)
					}
				}
				got := runBatch(l, reqs)
				sc.mu.Lock()
				batchCalls, singleCalls := sc.shas[l.batch.sha], sc.shas[l.script.sha]
				sc.mu.Unlock()
				for i, req := range reqs {
					want, err := single.AllowN(ctx, req.key, req.n)
					if req.key == "" && name == "cluster" {
						// two limits of the empty key are in two slots: both
						// paths fail the same way
						if err == nil || got[i].err == nil || !strings.Contains(got[i].err.Error(), "CROSSSLOT") {
							t.Errorf("%s %v: empty key: grouped %v; single %v; want CROSSSLOT", name, alg, got[i].err, err)
						}
						continue
					}
					if err != nil || got[i].err != nil || !sameResult(got[i].res, want) {
						t.Errorf("%s %v NoBatchScript=%v: decision %d (%q n=%d): grouped %+v %v; single %+v %v",
							name, alg, noBatch, i, req.key, req.n, got[i].res, got[i].err, want, err)
					}
				}
				wantBatch, wantSingle := 2, 2
				if noBatch {
					wantBatch, wantSingle = 0, len(reqs)
				}
				if batchCalls != wantBatch || singleCalls != wantSingle {
					t.Errorf("%s %v NoBatchScript=%v: %d batch and %d single script calls; want %d and %d",
						name, alg, noBatch, batchCalls, singleCalls, wantBatch, wantSingle)
				}
				c.Close()
			}
		}
	}
}
