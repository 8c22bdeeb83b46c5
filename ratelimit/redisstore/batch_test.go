package redisstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sysdesign-go/sysdesign/internal/redistest"
	"github.com/sysdesign-go/sysdesign/ratelimit"
)

// appendAnyInt encodes v with the given MessagePack type, to test every
// integer width the decoder accepts.
func appendAnyInt(b []byte, h byte, v int64) []byte {
	b = append(b, h)
	switch h {
	case 0xcc, 0xd0:
		return append(b, byte(v))
	case 0xcd, 0xd1:
		return binary.BigEndian.AppendUint16(b, uint16(v))
	case 0xce, 0xd2:
		return binary.BigEndian.AppendUint32(b, uint32(v))
	case 0xcb:
		return binary.BigEndian.AppendUint64(b, math.Float64bits(float64(v)))
	}
	return binary.BigEndian.AppendUint64(b, uint64(v))
}

func TestDecodeInts(t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 70000} {
		want := make([]int64, n)
		b := appendArrayHeader(nil, n)
		for i := range want {
			want[i] = int64(i*7919) - 3000
			b = appendInt(b, want[i])
		}
		got, err := decodeInts(nil, b)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("n=%d: round trip: %v (%d values)", n, err, len(got))
		}
	}
	cases := []struct {
		h byte
		v int64
	}{{0xcc, 200}, {0xd0, -100}, {0xcd, 60000}, {0xd1, -30000}, {0xce, 4e9}, {0xd2, -2e9}, {0xcf, 1 << 62}, {0xd3, -1 << 62}, {0xcb, 123456789}}
	b := appendArrayHeader(nil, len(cases)+1)
	var want []int64
	for _, c := range cases {
		b = appendAnyInt(b, c.h, c.v)
		want = append(want, c.v)
	}
	b = append(b, 0xff) // negative fixint -1
	want = append(want, -1)
	if got, err := decodeInts(nil, b); err != nil || !slices.Equal(got, want) {
		t.Errorf("widths: %v %v; want %v", got, err, want)
	}
	bad := [][]byte{
		nil,
		{0x91},             // missing element
		{0x91, 0x01, 0x01}, // trailing byte
		{0x91, 0xa1, 'x'},  // a string
		{0x91, 0xcd, 0x01}, // short uint16
		{0xdc, 0x00},       // short header
		{0x91, 0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}, // 1.5
		{0x01}, // not an array
	}
	for _, p := range bad {
		if _, err := decodeInts(nil, p); err == nil {
			t.Errorf("% x accepted", p)
		}
	}
}

func FuzzDecodeInts(f *testing.F) {
	f.Add(appendInt(appendInt(appendArrayHeader(nil, 2), 5), -1<<40))
	f.Add([]byte{0x93, 0xcc, 0xff, 0xd1, 0x80, 0x00, 0xcb, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0xdd, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, p []byte) {
		got, err := decodeInts(nil, p)
		if err != nil {
			return
		}
		// whatever decodes re-encodes (canonically) and decodes the same
		b := appendArrayHeader(nil, len(got))
		for _, v := range got {
			b = appendInt(b, v)
		}
		again, err := decodeInts(nil, b)
		if err != nil || !slices.Equal(again, got) {
			t.Fatalf("re-encoded %v: %v %v", got, again, err)
		}
	})
}

// runBatch decides reqs (key, n) in one call of l's batch path, as a
// sender would, and returns the calls.
func runBatch(l *Limiter, reqs []call) []*call {
	batch := make([]*call, len(reqs))
	for i, r := range reqs {
		batch[i] = &call{key: r.key, n: r.n, done: make(chan struct{}, 1)}
	}
	l.execBatch(&batcher{}, batch)
	return batch
}

// sameResult compares a batched and a single decision: everything but the
// durations exactly, the durations to within a few seconds (the two
// limiters' requests happen at slightly different times).
func sameResult(a, b ratelimit.Result) bool {
	near := func(x, y time.Duration) bool { return (x - y).Abs() < 5*time.Second }
	return a.Allowed == b.Allowed && a.Remaining == b.Remaining && a.Limit == b.Limit &&
		near(a.RetryAfter, b.RetryAfter) && near(a.ResetAfter, b.ResetAfter) && near(a.Delay, b.Delay)
}

// The batch scripts (the generic one and GCRA's compact one) decide a
// request stream exactly as the single-request script does, one request
// at a time: batches of random sizes mixing keys, repeating a key within a
// batch, n = 0 (peek), n that the remaining budget cannot take, and one or
// two limits per key. Day-long limits keep time out of the comparison.
func TestBatchScriptMatchesSingle(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	day := func(rate int) ratelimit.Limit { return ratelimit.Limit{Rate: rate, Period: 24 * time.Hour} }
	r := rand.New(rand.NewPCG(3, 4))
	for _, alg := range allAlgorithms {
		for li, limits := range [][]ratelimit.Limit{{day(10)}, {day(12).WithName("small"), ratelimit.PerDay(20).WithName("big")}} {
			prefix := fmt.Sprintf("%v-%d", alg, li)
			single := newLimiter(t, c, alg, limits, Options{MaxBatch: 1, Prefix: "s-" + prefix})
			batched := newLimiter(t, c, alg, limits, Options{Prefix: "b-" + prefix})
			if !batched.multi {
				t.Fatal("a *redis.Client limiter does not use the batch script")
			}
			for step := 0; step < 60; {
				size := 1 + r.IntN(12)
				reqs := make([]call, size)
				for i := range reqs {
					reqs[i] = call{key: fmt.Sprint("k", r.IntN(4)), n: r.IntN(5)}
				}
				got := runBatch(batched, reqs)
				for i, req := range reqs {
					want, err := single.AllowN(ctx, req.key, req.n)
					if err != nil || got[i].err != nil || !sameResult(got[i].res, want) {
						t.Fatalf("%v limits %d step %d: %s n=%d: batched %+v %v; single %+v %v",
							alg, li, step, req.key, req.n, got[i].res, got[i].err, want, err)
					}
					step++
				}
			}
		}
	}
}

// A decision whose key holds another type fails alone: the decisions
// before and after it in the same batch script call (including another
// decision on the same good key) are decided and applied normally, and
// the failure is an error reply that the circuit breaker does not count.
// GCRA's batch never fails this way: it reads with MGET (nil for another
// type) and overwrites with SET.
func TestBatchDecisionErrorIsolated(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	for _, alg := range allAlgorithms {
		l := newLimiter(t, c, alg, []ratelimit.Limit{slow(10)}, Options{Prefix: "iso-" + alg.String(), Breaker: Breaker{Failures: 1}})
		bad := l.Keys("bad")[0]
		if alg == ratelimit.GCRA || alg == ratelimit.LeakyQueue {
			err := c.HSet(ctx, bad, "f", "v").Err() // GET-style reads see no string
			if err != nil {
				t.Fatal(err)
			}
		} else if err := c.Set(ctx, bad, "not a hash or sorted set", 0).Err(); err != nil {
			t.Fatal(err)
		}
		got := runBatch(l, []call{{key: "good", n: 1}, {key: "bad", n: 1}, {key: "good", n: 2}, {key: "other", n: 10}})
		if compactReply(alg) {
			for i, want := range []int{9, 9, 7, 0} {
				if got[i].err != nil || !got[i].res.Allowed || got[i].res.Remaining != want {
					t.Errorf("%v: decision %d: %+v %v; want allowed, %d remaining", alg, i, got[i].res, got[i].err, want)
				}
			}
			continue
		}
		var rerr redis.Error
		if err := got[1].err; err == nil || !errors.As(err, &rerr) || !strings.Contains(err.Error(), "WRONGTYPE") {
			t.Errorf("%v: bad key: %+v %v; want a WRONGTYPE error reply", alg, got[1].res, err)
		}
		for i, want := range map[int]int{0: 9, 2: 7, 3: 0} {
			if got[i].err != nil || !got[i].res.Allowed || got[i].res.Remaining != want {
				t.Errorf("%v: decision %d: %+v %v; want allowed, %d remaining", alg, i, got[i].res, got[i].err, want)
			}
		}
		// the good key's state holds both admitted requests
		if r, err := l.AllowN(ctx, "good", 0); err != nil || r.Remaining != 7 {
			t.Errorf("%v: good key after the batch: %+v %v; want 7 remaining", alg, r, err)
		}
		// through AllowN, the failure is reported and the breaker stays closed
		if _, err := l.Allow(ctx, "bad"); err == nil || !strings.Contains(err.Error(), "WRONGTYPE") {
			t.Errorf("%v: Allow on the bad key: %v; want WRONGTYPE", alg, err)
		}
		if st := l.Stats(); st.State != BreakerClosed {
			t.Errorf("%v: breaker %v after a WRONGTYPE reply; want closed", alg, st.State)
		}
	}
}

func appendStrings(b []byte, ss []string) []byte {
	b = appendArrayHeader(b, len(ss))
	for _, s := range ss {
		b = append(appendStrHeader(b, len(s)), s...)
	}
	return b
}

func TestDecodeStrings(t *testing.T) {
	want := []string{"", "WRONGTYPE Operation against a key holding the wrong kind of value", strings.Repeat("x", 70000)}
	if got, err := decodeStrings(appendStrings(nil, want)); err != nil || !slices.Equal(got, want) {
		t.Fatalf("round trip: %v (%d strings)", err, len(got))
	}
	// str8 and bin8, which newer cmsgpack versions may use
	if got, err := decodeStrings([]byte{0x92, 0xd9, 2, 'o', 'k', 0xc4, 1, 'b'}); err != nil || !slices.Equal(got, []string{"ok", "b"}) {
		t.Errorf("str8/bin8: %q %v", got, err)
	}
	for _, p := range [][]byte{nil, {0x91}, {0x91, 0xa2, 'x'}, {0x91, 0xa1, 'x', 'y'}, {0x91, 0x01}, {0xa1, 'x'}, {0x91, 0xdb, 0xff, 0xff, 0xff, 0xff}} {
		if _, err := decodeStrings(p); err == nil {
			t.Errorf("% x accepted", p)
		}
	}
	// a reply with failed decisions: ints, then their errors
	b := appendStrings(appendInt(appendInt(appendArrayHeader(nil, 2), -1), 1), []string{"ERR x"})
	vals, rest, err := splitInts(nil, b)
	if err != nil || !slices.Equal(vals, []int64{-1, 1}) {
		t.Fatalf("splitInts: %v %v", vals, err)
	}
	if errs, err := decodeStrings(rest); err != nil || !slices.Equal(errs, []string{"ERR x"}) {
		t.Errorf("errors after the ints: %q %v", errs, err)
	}
}

func FuzzDecodeStrings(f *testing.F) {
	f.Add(appendStrings(nil, []string{"a", "WRONGTYPE"}))
	f.Add([]byte{0x92, 0xd9, 2, 'o', 'k', 0xc4, 1, 'b'})
	f.Add([]byte{0xdd, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, p []byte) {
		got, err := decodeStrings(p)
		if err != nil {
			return
		}
		again, err := decodeStrings(appendStrings(nil, got))
		if err != nil || !slices.Equal(again, got) {
			t.Fatalf("re-encoded %q: %q %v", got, again, err)
		}
	})
}

// GCRA's batch script writes each key once, with its final state and an
// expiry, however many of the batch's decisions admitted it.
func TestGCRABatchWritesEachKeyOnce(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	ctx := context.Background()
	for _, alg := range []ratelimit.Algorithm{ratelimit.GCRA, ratelimit.LeakyQueue} {
		l := newLimiter(t, c, alg, []ratelimit.Limit{slow(10)}, Options{Prefix: "once-" + alg.String()})
		if err := c.ScriptLoad(ctx, l.batch.src).Err(); err != nil {
			t.Fatal(err)
		}
		if err := c.ConfigResetStat(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		reqs := []call{{key: "hot", n: 1}, {key: "hot", n: 2}, {key: "a", n: 1}, {key: "hot", n: 0}, {key: "hot", n: 8}, {key: "hot", n: 3}}
		got := runBatch(l, reqs)
		for i, want := range []struct {
			ok  bool
			rem int
		}{{true, 9}, {true, 7}, {true, 9}, {true, 7}, {false, 7}, {true, 4}} {
			if got[i].err != nil || got[i].res.Allowed != want.ok || got[i].res.Remaining != want.rem {
				t.Errorf("%v: decision %d: %+v %v; want allowed=%v remaining %d", alg, i, got[i].res, got[i].err, want.ok, want.rem)
			}
		}
		info, err := c.Info(ctx, "commandstats").Result()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(info, "cmdstat_set:calls=2,") {
			t.Errorf("%v: want 2 SET calls (one per key); commandstats:\n%s", alg, info)
		}
		for _, k := range []string{"hot", "a"} {
			if ttl, err := c.PTTL(ctx, l.Keys(k)[0]).Result(); err != nil || ttl <= 0 {
				t.Errorf("%v: key %q ttl %v %v; want an expiry", alg, k, ttl, err)
			}
		}
		if r, err := l.AllowN(ctx, "hot", 0); err != nil || r.Remaining != 4 {
			t.Errorf("%v: hot key after the batch: %+v %v; want 4 remaining", alg, r, err)
		}
	}
}
