package ratelimit

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
)

func BenchmarkStore_Allow(b *testing.B) {
	for _, alg := range allAlgorithms {
		b.Run("alg="+alg.String(), func(b *testing.B) {
			s, _ := NewStore(alg, []Limit{PerSecond(1 << 20)}, Options{})
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				s.Allow(ctx, "key")
			}
		})
	}
}

func BenchmarkStore_AllowParallel(b *testing.B) {
	s, _ := NewStore(GCRA, []Limit{PerSecond(1 << 20)}, Options{})
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.Allow(ctx, "key")
		}
	})
}

func BenchmarkStore_AllowNAtManyKeys(b *testing.B) {
	s, _ := NewStore(GCRA, []Limit{PerSecond(10), PerDay(1000)}, Options{})
	keys := make([]string, 1<<16)
	for i := range keys {
		keys[i] = "user:" + strconv.Itoa(i)
	}
	now := time.Now()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.AllowNAt(keys[i&(len(keys)-1)], now, 1)
		i++
	}
}

func BenchmarkMiddleware_ServeHTTP(b *testing.B) {
	s, _ := NewStore(GCRA, []Limit{PerSecond(1 << 20)}, Options{})
	mw, _ := NewMiddleware([]Rule{{Limiter: s}}, MiddlewareOptions{})
	h := mw.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "192.0.2.1:1234"
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		clear(w.Header())
		h.ServeHTTP(w, r)
	}
}

func BenchmarkBucket_Allow(b *testing.B) {
	bk, _ := NewBucket(PerSecond(1_000_000_000), Options{})
	b.ReportAllocs()
	for b.Loop() {
		bk.Allow()
	}
}

func BenchmarkBucket_AllowParallel(b *testing.B) {
	bk, _ := NewBucket(PerSecond(1_000_000_000), Options{})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			bk.Allow()
		}
	})
}

// BenchmarkMiddleware_RateLimitHeader: the RateLimit value of a recurring
// result (cache=hit, what BenchmarkMiddleware_ServeHTTP sees) and of
// results that keep changing (cache=miss: one allocation each).
func BenchmarkMiddleware_RateLimitHeader(b *testing.B) {
	s, _ := NewStore(GCRA, []Limit{PerSecond(1 << 20)}, Options{})
	mw, _ := NewMiddleware([]Rule{{Limiter: s}}, MiddlewareOptions{})
	ru := &mw.rules[0]
	for _, miss := range []bool{false, true} {
		b.Run(fmt.Sprintf("cache=%s", map[bool]string{false: "hit", true: "miss"}[miss]), func(b *testing.B) {
			res := Result{Limit: PerSecond(1 << 20), Remaining: 1 << 19, ResetAfter: time.Second}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if miss {
					res.Remaining = i & (1<<16 - 1)
					i++
				}
				ru.rateLimitHeader(res)
			}
		})
	}
}
