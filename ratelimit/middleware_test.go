package ratelimit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ffff::/48")}
	cases := []struct {
		name    string
		trusted []netip.Prefix
		remote  string
		xff     []string
		want    string
		wantErr bool
	}{
		{"ipv4", nil, "203.0.113.7:5555", nil, "203.0.113.7", false},
		{"ipv6 keyed by /64", nil, "[2001:db8:1:2:3:4:5:6]:443", nil, "2001:db8:1:2::/64", false},
		{"same /64 same key", nil, "[2001:db8:1:2:ffff::1]:443", nil, "2001:db8:1:2::/64", false},
		{"v4-mapped v6 is v4", nil, "[::ffff:198.51.100.1]:80", nil, "198.51.100.1", false},
		{"no port", nil, "198.51.100.2", nil, "198.51.100.2", false},
		{"xff ignored by default", nil, "10.1.2.3:1", []string{"198.51.100.9"}, "10.1.2.3", false},
		{"xff from untrusted peer ignored", trusted, "203.0.113.1:1", []string{"198.51.100.9"}, "203.0.113.1", false},
		{"xff from trusted proxy", trusted, "10.1.2.3:1", []string{"198.51.100.9"}, "198.51.100.9", false},
		{"rightmost untrusted wins", trusted, "10.1.2.3:1", []string{"6.6.6.6, 198.51.100.9, 10.9.9.9"}, "198.51.100.9", false},
		{"several header lines", trusted, "10.1.2.3:1", []string{"6.6.6.6", "198.51.100.9, 10.0.0.1"}, "198.51.100.9", false},
		{"all trusted: leftmost", trusted, "10.1.2.3:1", []string{"10.5.5.5, 10.6.6.6"}, "10.5.5.5", false},
		{"garbage stops the walk", trusted, "10.1.2.3:1", []string{"6.6.6.6, nonsense, 10.0.0.1"}, "10.0.0.1", false},
		{"xff with port", trusted, "10.1.2.3:1", []string{"198.51.100.9:1234"}, "198.51.100.9", false},
		{"xff ipv6 client", trusted, "[2001:db8:ffff::1]:1", []string{"2001:db8:7:7::9"}, "2001:db8:7:7::/64", false},
		{"non-canonical ipv4-in-xff", trusted, "10.1.2.3:1", []string{" 198.51.100.9 "}, "198.51.100.9", false},
		{"bad remote", nil, "not-an-ip", nil, "", true},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		got, err := ClientIP(c.trusted)(r)
		if (err != nil) != c.wantErr || got != c.want {
			t.Errorf("%s: got %q, %v; want %q (error %v)", c.name, got, err, c.want, c.wantErr)
		}
		if c.wantErr && !errors.Is(err, ErrNoKey) {
			t.Errorf("%s: error %v does not wrap ErrNoKey", c.name, err)
		}
	}
}

func TestClientIPNoAllocs(t *testing.T) {
	kf := ClientIP(nil)
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "203.0.113.7:5555"
	if a := testing.AllocsPerRun(100, func() { kf(r) }); a != 0 {
		t.Errorf("ClientIP on IPv4 allocates %v times; want 0", a)
	}
}

func TestHeaderKey(t *testing.T) {
	kf := HeaderKey("x-api-key")
	r := httptest.NewRequest("GET", "/", nil)
	if _, err := kf(r); !errors.Is(err, ErrNoKey) {
		t.Errorf("missing header: got %v", err)
	}
	r.Header.Set("X-Api-Key", "secret")
	if k, err := kf(r); k != "secret" || err != nil {
		t.Errorf("got %q, %v", k, err)
	}
}

type failing struct{ err error }

func (f failing) Allow(ctx context.Context, key string) (Result, error) { return f.AllowN(ctx, key, 1) }
func (f failing) AllowN(context.Context, string, int) (Result, error)   { return Result{}, f.err }

func TestMiddleware(t *testing.T) {
	now := t0
	clock := func() time.Time { return now }
	login, _ := NewStore(SlidingLog, []Limit{PerMinute(2).WithName("login")}, Options{Now: clock})
	api, _ := NewStore(TokenBucket, []Limit{PerSecond(10).WithBurst(3).WithName("burst"), PerHour(100).WithName("hour")}, Options{Now: clock})
	var errs []error
	mw, err := NewMiddleware([]Rule{
		{Method: "POST", Path: "/login", Limiter: login},
		{Path: "/api/", Limiter: api, Key: HeaderKey("X-API-Key"), Cost: func(r *http.Request) int {
			if r.Method == "DELETE" {
				return 2
			}
			return 1
		}},
		{Path: "/down", Limiter: failing{errors.New("redis down")}},
	}, MiddlewareOptions{OnError: func(r *http.Request, err error) { errs = append(errs, err) }})
	if err != nil {
		t.Fatal(err)
	}
	h := mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	do := func(method, path, apiKey string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, nil)
		r.RemoteAddr = "192.0.2.1:1000"
		if apiKey != "" {
			r.Header.Set("X-API-Key", apiKey)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}

	// Unmatched routes pass untouched.
	if w := do("GET", "/login", ""); w.Code != 200 || w.Header().Get("RateLimit") != "" {
		t.Errorf("GET /login: %d %v", w.Code, w.Header())
	}
	// Login: 2 per minute per IP.
	for i, want := range []int{200, 200, 429} {
		if w := do("POST", "/login", ""); w.Code != want {
			t.Errorf("POST /login #%d: got %d; want %d", i, w.Code, want)
		}
	}
	w := do("POST", "/login", "")
	if got := w.Header().Get("Retry-After"); got != "60" {
		t.Errorf("Retry-After: got %q; want 60", got)
	}
	if got := w.Header().Get("RateLimit-Policy"); got != `"login";q=2;w=60` {
		t.Errorf("RateLimit-Policy: got %q", got)
	}
	if got := w.Header().Get("RateLimit"); got != `"login";r=0;t=60` {
		t.Errorf("RateLimit: got %q", got)
	}
	if got := w.Header().Get("Content-Type"); got != "application/problem+json" {
		t.Errorf("Content-Type: got %q", got)
	}
	var p problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Status != 429 || p.Title != "Too Many Requests" || p.RetryAfter != 60 || p.Policy != "login" {
		t.Errorf("problem body %q: %+v %v", w.Body, p, err)
	}
	// API: keyed by header, two policies announced, DELETE costs 2.
	w = do("GET", "/api/x", "k1")
	if w.Code != 200 || w.Header().Get("RateLimit-Policy") != `"burst";q=10;w=1, "hour";q=100;w=3600` || w.Header().Get("RateLimit") != `"burst";r=2;t=1` {
		t.Errorf("GET /api/x: %d %v", w.Code, w.Header())
	}
	if w := do("DELETE", "/api/x", "k1"); w.Code != 200 || w.Header().Get("RateLimit") != `"burst";r=0;t=1` {
		t.Errorf("DELETE /api/x: %d %v", w.Code, w.Header())
	}
	if w := do("GET", "/api/x", "k1"); w.Code != 429 || w.Header().Get("Retry-After") != "1" {
		t.Errorf("GET /api/x over burst: %d %v", w.Code, w.Header())
	}
	if w := do("GET", "/api/x", "k2"); w.Code != 200 {
		t.Errorf("other key: got %d", w.Code)
	}
	if w := do("GET", "/api/x", ""); w.Code != 400 {
		t.Errorf("missing API key: got %d; want 400", w.Code)
	}
	now = now.Add(time.Second)
	if w := do("GET", "/api/x", "k1"); w.Code != 200 {
		t.Errorf("after refill: got %d", w.Code)
	}
	// Limiter errors are 503 and reported.
	if w := do("GET", "/down", ""); w.Code != 503 || !strings.Contains(w.Body.String(), "redis down") {
		t.Errorf("/down: %d %s", w.Code, w.Body)
	}
	if len(errs) != 2 {
		t.Errorf("OnError called %d times; want 2 (missing key, redis down)", len(errs))
	}
	if _, err := NewMiddleware([]Rule{{Path: "/"}}, MiddlewareOptions{}); err == nil {
		t.Error("rule without limiter accepted")
	}
}

func TestMiddlewareQueueDelays(t *testing.T) {
	q, _ := NewStore(LeakyQueue, []Limit{PerSecond(1000).WithBurst(5)}, Options{})
	mw, _ := NewMiddleware([]Rule{{Limiter: q}}, MiddlewareOptions{})
	served := 0
	h := mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served++ }))
	for range 3 {
		r := httptest.NewRequest("GET", "/", nil)
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	if served != 3 {
		t.Errorf("served %d; want 3", served)
	}
}

// ipv4HostPort (the fast path of ClientIP) accepts only what
// netip.ParseAddrPort accepts as an IPv4 address and port, returns the
// canonical address text, and accepts every such input whose port has at
// most five digits.
func FuzzIPv4HostPort(f *testing.F) {
	for _, s := range []string{
		"192.0.2.1:1234", "0.0.0.0:0", "255.255.255.255:65535", "1.2.3.4:65536", "1.2.3.4:99999",
		"01.2.3.4:80", "1.2.3.4:080", "1.2.3.4:", "1.2.3:4", "1.2.3.4.5:6", "256.1.1.1:1",
		"1.2.3.4:123456", "[1.2.3.4]:5", "::ffff:1.2.3.4", "1.2.3.4", "1..3.4:5", "1.2.3.4:+5", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		host, ok := ipv4HostPort(s)
		ap, err := netip.ParseAddrPort(s)
		ref := err == nil && ap.Addr().Is4()
		if ok {
			if !ref {
				t.Fatalf("ipv4HostPort(%q) = %q, true; netip.ParseAddrPort: %v, %v", s, host, ap, err)
			}
			if want := ap.Addr().String(); host != want {
				t.Fatalf("ipv4HostPort(%q) = %q; want %q", s, host, want)
			}
			return
		}
		if ref {
			port := s[strings.LastIndexByte(s, ':')+1:]
			if len(port) <= 5 && strings.Trim(port, "0123456789") == "" && ap.Addr().String() == s[:len(s)-len(port)-1] {
				t.Fatalf("ipv4HostPort(%q) rejects an address netip.ParseAddrPort accepts", s)
			}
		}
	})
}

func FuzzClientIP(f *testing.F) {
	f.Add("10.0.0.1:80", "198.51.100.9, 10.0.0.2")
	f.Add("[2001:db8::1]:443", "2001:db8:1::1, garbage")
	f.Add("10.0.0.1", ",,,")
	f.Add("::ffff:10.0.0.1", "[::1]:80, 1.2.3.4:5")
	kf := ClientIP([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")})
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := &http.Request{RemoteAddr: remote, Header: http.Header{"X-Forwarded-For": {xff}}}
		k, err := kf(r)
		if err != nil {
			if !errors.Is(err, ErrNoKey) {
				t.Fatalf("error %v does not wrap ErrNoKey", err)
			}
			return
		}
		// A key is an IPv4 address or an IPv6 /64 prefix.
		if a, err := netip.ParseAddr(k); err == nil {
			if !a.Is4() {
				t.Fatalf("key %q is an IPv6 address, not a /64", k)
			}
		} else if p, err := netip.ParsePrefix(k); err != nil || p.Bits() != 64 || !p.Addr().Is6() {
			t.Fatalf("key %q is neither IPv4 nor an IPv6 /64", k)
		}
	})
}

// FuzzStore decodes a byte string into a stream of (time step, key, n)
// requests and checks the store against the never-exceed guarantee of the
// sliding log, and that no input panics.
func FuzzStore(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{255, 255, 0, 0, 7, 7, 7, 7})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, alg := range allAlgorithms {
			s, err := NewStore(alg, []Limit{PerSecond(4), {Rate: 7, Period: 3 * time.Second}}, Options{Shards: 2, SweepInterval: 100 * ms})
			if err != nil {
				t.Fatal(err)
			}
			now := t0
			var hist []time.Time // admitted events of key 0
			for i := 0; i+1 < len(data); i += 2 {
				now = now.Add(time.Duration(data[i]) * 5 * ms)
				key := []string{"a", "b"}[data[i+1]&1]
				n := int(data[i+1]>>1) % 5
				r, err := s.AllowNAt(key, now, n)
				if err != nil {
					t.Fatal(err)
				}
				if r.Allowed && key == "a" {
					for range n {
						hist = append(hist, now)
					}
				}
			}
			// Bucket algorithms: at most 4 + elapsed/250ms in any span;
			// windows: at most 4 per aligned second, 7 per 3 s.
			for i := range hist {
				for j := i; j < len(hist); j++ {
					c, span := j-i+1, hist[j].Sub(hist[i])
					limit := 4 + int(span/(250*ms))
					if !alg.bucket() {
						limit = 8 * (1 + int(span/time.Second))
					}
					if c > limit {
						t.Fatalf("%v: %d events in %v", alg, c, span)
					}
				}
			}
		}
	})
}

// TestRateLimitHeaderNames: the RateLimit header is right for short and
// long policy names, for a Limits list given to the rule that differs from
// the limiter's (no precomputed head matches), and costs at most two
// allocations per admitted request.
func TestRateLimitHeaderNames(t *testing.T) {
	long := strings.Repeat("a-very-long-policy-name-", 3)
	for _, tc := range []struct {
		name      string
		announced []Limit
		want      string
	}{
		{"hourly", nil, `"hourly";r=4;t=720`},
		{long, nil, `"` + long + `";r=4;t=720`},
		{"hourly", []Limit{{Rate: 1, Period: time.Second, Name: "other"}}, `"hourly";r=4;t=720`},
	} {
		lim := Limit{Rate: 5, Period: time.Hour, Name: tc.name}
		st, err := NewStore(GCRA, []Limit{lim}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		mw, err := NewMiddleware([]Rule{{Limiter: st, Limits: tc.announced}}, MiddlewareOptions{})
		if err != nil {
			t.Fatal(err)
		}
		h := mw.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "192.0.2.7:5555"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if got := w.Header().Get("RateLimit"); got != tc.want {
			t.Errorf("RateLimit %q; want %q", got, tc.want)
		}
	}
	st, _ := NewStore(GCRA, []Limit{PerSecond(1_000_000_000)}, Options{})
	mw, _ := NewMiddleware([]Rule{{Limiter: st}}, MiddlewareOptions{})
	h := mw.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "192.0.2.7:5555"
	hdr := http.Header{}
	w := headerOnly{hdr}
	allocs := testing.AllocsPerRun(100, func() {
		clear(hdr)
		h.ServeHTTP(w, r)
	})
	if allocs > 2 {
		t.Errorf("%v allocations per admitted request; want at most 2", allocs)
	}
}

type headerOnly struct{ h http.Header }

func (w headerOnly) Header() http.Header       { return w.h }
func (headerOnly) Write(p []byte) (int, error) { return len(p), nil }
func (headerOnly) WriteHeader(int)             {}

// The RateLimit values (cached or built) are exactly the header's format,
// for the rule's limits (looked up in the cache), a limit the rule does not
// know (never cached), negative remaining counts, sub-second and long
// resets, and a policy name too long for the inline buffer; a recurring
// value allocates nothing. Run concurrently, so -race sees the table's
// readers and writers together.
func TestRateLimitHeaderCache(t *testing.T) {
	long := strings.Repeat("p", 60)
	lims := []Limit{PerSecond(50).WithName("burst"), PerDay(5000), PerMinute(7).WithName(long)}
	s, _ := NewStore(GCRA, lims, Options{})
	m, err := NewMiddleware([]Rule{{Limiter: s}}, MiddlewareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ru := &m.rules[0]
	other := PerHour(3).WithName("other")
	want := func(res Result) string {
		return fmt.Sprintf("%q;r=%d;t=%d", res.Limit.PolicyName(), max(res.Remaining, 0), ceilSeconds(res.ResetAfter))
	}
	resets := []time.Duration{0, 1, 999 * ms, time.Second, time.Second + 1, 90 * time.Second, 26 * time.Hour}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 5))
			for range 3000 {
				lim := other
				if k := r.IntN(10); k < 9 {
					lim = lims[k%3]
				}
				res := Result{Limit: lim, Remaining: r.IntN(60) - 5, ResetAfter: resets[r.IntN(len(resets))]}
				got := ru.rateLimitHeader(res)
				if len(got) != 1 || cap(got) != 1 || got[0] != want(res) {
					t.Errorf("%+v: %q (cap %d); want [%q]", res, got, cap(got), want(res))
					return
				}
			}
		})
	}
	wg.Wait()
	res := Result{Limit: lims[0], Remaining: 17, ResetAfter: time.Second}
	ru.rateLimitHeader(res)
	if a := testing.AllocsPerRun(100, func() { ru.rateLimitHeader(res) }); a != 0 {
		t.Errorf("recurring RateLimit value: %v allocs; want 0", a)
	}
}

// Values that share a cache entry replace each other and are never
// confused: the same limit and remaining with another reset, and another
// limit with another remaining count.
func TestRateLimitHeaderCacheCollisions(t *testing.T) {
	lims := []Limit{PerSecond(50).WithName("a"), PerSecond(50).WithName("b")}
	s, _ := NewStore(GCRA, lims, Options{})
	m, _ := NewMiddleware([]Rule{{Limiter: s}}, MiddlewareOptions{})
	ru := &m.rules[0]
	check := func(res Result) {
		t.Helper()
		want := fmt.Sprintf("%q;r=%d;t=%d", res.Limit.Name, res.Remaining, ceilSeconds(res.ResetAfter))
		if got := ru.rateLimitHeader(res); got[0] != want {
			t.Fatalf("%+v: %q; want %q", res, got[0], want)
		}
	}
	found := 0
	for rem := int64(0); rem < 200 && found < 2; rem++ {
		for t2 := int64(2); t2 < 300; t2++ {
			if recentSlot(0, rem, 1) == recentSlot(0, rem, t2) {
				for range 2 {
					check(Result{Limit: lims[0], Remaining: int(rem), ResetAfter: time.Second})
					check(Result{Limit: lims[0], Remaining: int(rem), ResetAfter: time.Duration(t2) * time.Second})
				}
				found++
				break
			}
		}
	}
	for rem := int64(1); rem < 1000 && found < 3; rem++ {
		if recentSlot(0, 0, 1) == recentSlot(1, rem, 1) {
			for range 2 {
				check(Result{Limit: lims[0], Remaining: 0, ResetAfter: time.Second})
				check(Result{Limit: lims[1], Remaining: int(rem), ResetAfter: time.Second})
			}
			found++
		}
	}
	if found != 3 {
		t.Fatalf("found %d colliding cases; want 3", found)
	}
}
