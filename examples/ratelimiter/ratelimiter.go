// Package ratelimiter is the rate limiter system: an HTTP API served by two
// server instances behind ratelimit.Middleware, sharing their limits
// through Redis (ratelimit/redisstore) when a redis-server is installed, or
// through one in-process ratelimit.Store otherwise; the run says which. A
// client burst against both servers shows 200s turning into 429s with the
// RateLimit, RateLimit-Policy and Retry-After headers, and the total
// admitted across the two servers stays at the limit.
//
//	go run ./examples/tour ratelimiter [-requests 15] [-limit 10] [-memory]
package ratelimiter

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/sysdesign-go/sysdesign/internal/loopback"
	"github.com/sysdesign-go/sysdesign/internal/redistest"
	"github.com/sysdesign-go/sysdesign/ratelimit"
	"github.com/sysdesign-go/sysdesign/ratelimit/redisstore"
)

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("ratelimiter", flag.ContinueOnError)
	fs.SetOutput(w)
	requests := fs.Int("requests", 15, "requests in the client burst")
	limit := fs.Int("limit", 10, "API requests per minute per API key")
	memory := fs.Bool("memory", false, "share limits in memory even when redis-server is installed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *requests < 1 || *limit < 1 || *limit > 10_000 {
		return errors.New("ratelimiter: need at least one request and a limit of 1-10000")
	}

	apiLimit := ratelimit.PerMinute(*limit).WithName("api")
	loginLimit := ratelimit.PerMinute(3).WithName("login")

	// The backend both servers share.
	var api, login ratelimit.Limiter
	var shared *redisstore.Limiter // the Redis API limiter, for the outage demo
	var stopRedis func()
	if !*memory && redistest.Available() {
		dir, err := os.MkdirTemp("", "ratelimiter")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		srv, err := redistest.Launch(dir)
		if err != nil {
			return err
		}
		defer srv.Stop()
		client := redis.NewClient(&redis.Options{Addr: srv.Addr, MaxRetries: -1, DialerRetries: 1})
		defer client.Close()
		opts := redisstore.Options{Policy: redisstore.FailLocal}
		a, err := redisstore.New(client, ratelimit.GCRA, []ratelimit.Limit{apiLimit}, opts)
		if err != nil {
			return err
		}
		defer a.Close()
		l, err := redisstore.New(client, ratelimit.SlidingLog, []ratelimit.Limit{loginLimit}, opts)
		if err != nil {
			return err
		}
		defer l.Close()
		api, login, shared, stopRedis = a, l, a, srv.Stop
		fmt.Fprintf(w, "backend: redis-server at %s, shared by both servers (Lua scripts, server time, fail-local policy)\n", srv.Addr)
	} else {
		a, err := ratelimit.NewStore(ratelimit.GCRA, []ratelimit.Limit{apiLimit}, ratelimit.Options{})
		if err != nil {
			return err
		}
		l, err := ratelimit.NewStore(ratelimit.SlidingLog, []ratelimit.Limit{loginLimit}, ratelimit.Options{})
		if err != nil {
			return err
		}
		api, login = a, l
		reason := "redis-server not installed"
		if *memory {
			reason = "-memory"
		}
		fmt.Fprintf(w, "backend: in-memory ratelimit.Store shared in-process by both servers (%s)\n", reason)
	}

	// Two server instances, each with its own middleware over the shared backend.
	var urls [2]string
	for i := range urls {
		url, stop, err := serve(api, login)
		if err != nil {
			return err
		}
		defer stop()
		urls[i] = url
		fmt.Fprintf(w, "server %c: %s\n", 'A'+i, url)
	}
	fmt.Fprintf(w, "policy: GET /api/* %v per API key (gcra); POST /api/login %v per client IP (sliding log)\n\n", apiLimit, loginLimit)

	client := &http.Client{Timeout: 5 * time.Second}
	get := func(server int, method, path, key string) (*http.Response, string, error) {
		req, err := http.NewRequestWithContext(ctx, method, urls[server]+path, nil)
		if err != nil {
			return nil, "", err
		}
		if key != "" {
			req.Header.Set("X-API-Key", key)
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp, strings.TrimSpace(string(body)), err
	}

	fmt.Fprintf(w, "burst of %d requests from API key alice, alternating servers:\n", *requests)
	var ok, limited int
	var lastBody string
	for i := range *requests {
		resp, body, err := get(i%2, "GET", "/api/quote", "alice")
		if err != nil {
			return err
		}
		line := fmt.Sprintf("  #%02d server %c  %d  RateLimit: %s", i+1, 'A'+i%2, resp.StatusCode, resp.Header.Get("RateLimit"))
		switch resp.StatusCode {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			limited++
			lastBody = body
			line += "  Retry-After: " + resp.Header.Get("Retry-After")
		default:
			return fmt.Errorf("ratelimiter: unexpected status %d: %s", resp.StatusCode, body)
		}
		if i == 0 {
			line += "  RateLimit-Policy: " + resp.Header.Get("RateLimit-Policy")
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "alice: %d × 200, %d × 429 across both servers (limit %d per minute: held in total)\n", ok, limited, *limit)
	if lastBody != "" {
		fmt.Fprintf(w, "429 body (application/problem+json): %s\n", lastBody)
	}
	resp, _, err := get(1, "GET", "/api/quote", "bob")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "bob right after: %d (keys are limited independently)\n", resp.StatusCode)
	resp, _, err = get(0, "GET", "/api/quote", "")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "no API key: %d\n", resp.StatusCode)

	var codes []string
	for i := range 5 {
		resp, _, err := get(i%2, "POST", "/api/login", "")
		if err != nil {
			return err
		}
		codes = append(codes, fmt.Sprint(resp.StatusCode))
	}
	fmt.Fprintf(w, "login burst from 127.0.0.1 (per-route rule, 3 per minute): %s\n", strings.Join(codes, " "))
	if ok > *limit {
		return fmt.Errorf("ratelimiter: %d requests admitted over a limit of %d", ok, *limit)
	}
	if shared == nil {
		return nil
	}

	// Redis goes away: the fail-local policy decides with an in-memory
	// limit, and after 5 failed calls the circuit breaker stops trying
	// Redis at all for a while.
	stopRedis()
	codes = codes[:0]
	for i := range 8 {
		resp, _, err := get(i%2, "GET", "/api/quote", "carol")
		if err != nil {
			return err
		}
		codes = append(codes, fmt.Sprint(resp.StatusCode))
	}
	st := shared.Stats()
	fmt.Fprintf(w, "redis-server stopped; carol: %s (fail-local: in-memory fallback limit)\n", strings.Join(codes, " "))
	fmt.Fprintf(w, "circuit breaker: %v after %d failed Redis calls; %d decisions skipped Redis\n", st.State, st.Failures, st.ShortCircuited)
	return nil
}

// serve starts one API server on a loopback port.
func serve(api, login ratelimit.Limiter) (string, func(), error) {
	mw, err := ratelimit.NewMiddleware([]ratelimit.Rule{
		{Method: "POST", Path: "/api/login", Limiter: login, Key: ratelimit.ClientIP(nil)},
		{Path: "/api/", Limiter: api, Key: ratelimit.HeaderKey("X-API-Key")},
	}, ratelimit.MiddlewareOptions{})
	if err != nil {
		return "", nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/quote", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintln(w, `{"quote":"The limit holds across servers."}`)
	})
	mux.HandleFunc("POST /api/login", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "welcome")
	})
	return loopback.Serve(mw.Handler(mux))
}
