package urlshortener

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/sysdesign-go/sysdesign/ratelimit"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := Run(context.Background(), &out, []string{"-urls", "200", "-limit", "6"}); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"201 https://tiny.example/", "200 https://tiny.example/", "(already shortened: same code)",
		"400 (only absolute", "burst: 1 more created, then 429",
		"302 redirects: the service saw 5", "301 redirects: the service saw 1", "GET /zzzzzz: 404",
		"200 URLs shortened", "all distinct, all resolve; codes are 11 characters",
		"the Bloom filter answered", "reopened the store: all 200 bulk codes still resolve",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-urls", "0"}, {"-hashlen", "11"}, {"-limit", "1"}, {"-nope"}} {
		if err := Run(context.Background(), new(strings.Builder), args); err == nil {
			t.Errorf("Run(%q) succeeded; want an error", args)
		}
	}
}

func open(t *testing.T, dir string, opts Options) *Shortener {
	t.Helper()
	sh, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return sh
}

func TestShortenDeduplicatesAndResolves(t *testing.T) {
	for _, strategy := range []Strategy{ByID, ByHash} {
		t.Run(strategy.String(), func(t *testing.T) {
			sh := open(t, t.TempDir(), Options{Strategy: strategy})
			defer sh.Close()
			code, created, err := sh.Shorten("https://example.com/x")
			if err != nil || !created {
				t.Fatalf("Shorten = %q, %v, %v", code, created, err)
			}
			again, created, err := sh.Shorten("https://example.com/x")
			if err != nil || created || again != code {
				t.Fatalf("second Shorten = %q, %v, %v; want %q, false", again, created, err, code)
			}
			if strategy == ByHash && len(code) != 7 {
				t.Errorf("hash code %q: want 7 characters by default", code)
			}
			if got, err := sh.Resolve(code); err != nil || got != "https://example.com/x" {
				t.Errorf("Resolve(%q) = %q, %v", code, got, err)
			}
			if st := sh.Stats(); st.Created != 1 || st.Deduplicated != 1 || st.Resolved != 1 {
				t.Errorf("Stats = %+v", st)
			}
		})
	}
}

func TestShortenRejectsBadURLs(t *testing.T) {
	sh := open(t, t.TempDir(), Options{})
	defer sh.Close()
	for _, bad := range []string{"", "example.com", "/relative", "ftp://x.example/", "https://", "http://a b.example/%zz",
		"https://example.com/" + strings.Repeat("a", MaxURLLen)} {
		if _, _, err := sh.Shorten(bad); !errors.Is(err, ErrBadURL) {
			t.Errorf("Shorten(%.40q) error = %v; want ErrBadURL", bad, err)
		}
	}
	if st := sh.Stats(); st.Created != 0 {
		t.Errorf("bad URLs created %d codes", st.Created)
	}
}

func TestResolveUnknown(t *testing.T) {
	sh := open(t, t.TempDir(), Options{})
	defer sh.Close()
	if _, _, err := sh.Shorten("https://example.com/"); err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"", "abc", "not-base62", "zzzzzzzzzzzz", "LygHa16AHYG"} {
		if _, err := sh.Resolve(code); !errors.Is(err, ErrNotFound) {
			t.Errorf("Resolve(%q) error = %v; want ErrNotFound", code, err)
		}
	}
	if st := sh.Stats(); st.Unknown != 5 || st.FilterSkips == 0 {
		t.Errorf("Stats = %+v; want 5 unknown, some answered by the filter", st)
	}
}

func TestHashCollisionsAndFullCodeSpace(t *testing.T) {
	// One-digit codes: 62 of them, so collisions start at once.
	sh := open(t, t.TempDir(), Options{Strategy: ByHash, HashLen: 1})
	defer sh.Close()
	urls := map[string]string{}
	var err error
	for i := 0; err == nil; i++ {
		long := fmt.Sprintf("https://example.com/%d", i)
		var code string
		if code, _, err = sh.Shorten(long); err == nil {
			if prev, dup := urls[code]; dup {
				t.Fatalf("code %q given to %s and %s", code, prev, long)
			}
			urls[code] = long
		}
		if i > 200 {
			t.Fatal("62 one-digit codes never ran out")
		}
	}
	if !strings.Contains(err.Error(), "no free 1-digit code") {
		t.Errorf("full code space: error %v", err)
	}
	if len(urls) < 40 || sh.Stats().Collisions == 0 {
		t.Errorf("%d codes issued with %d collisions; want most of the 62 and some collisions", len(urls), sh.Stats().Collisions)
	}
	for code, long := range urls {
		if got, err := sh.Resolve(code); err != nil || got != long {
			t.Errorf("Resolve(%q) = %q, %v; want %q", code, got, err, long)
		}
	}
}

func TestReopenKeepsCodes(t *testing.T) {
	dir := t.TempDir()
	sh := open(t, dir, Options{})
	codes := map[string]string{}
	for i := range 50 {
		long := fmt.Sprintf("https://example.com/page/%d", i)
		code, _, err := sh.Shorten(long)
		if err != nil {
			t.Fatal(err)
		}
		codes[code] = long
	}
	if err := sh.Close(); err != nil {
		t.Fatal(err)
	}
	sh = open(t, dir, Options{Machine: 1})
	defer sh.Close()
	for code, long := range codes {
		if got, err := sh.Resolve(code); err != nil || got != long {
			t.Errorf("after reopen Resolve(%q) = %q, %v; want %q", code, got, err, long)
		}
		if again, created, err := sh.Shorten(long); err != nil || created || again != code {
			t.Errorf("after reopen Shorten(%q) = %q, %v, %v; want the old code %q", long, again, created, err, code)
		}
	}
}

func TestConcurrentShortenOfOneURLGivesOneCode(t *testing.T) {
	sh := open(t, t.TempDir(), Options{})
	defer sh.Close()
	codes := make([]string, 8)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, _, err := sh.Shorten("https://example.com/popular")
			if err != nil {
				t.Error(err)
			}
			codes[i] = code
		}()
	}
	wg.Wait()
	for _, c := range codes {
		if c != codes[0] {
			t.Fatalf("codes %q: want one", codes)
		}
	}
	if st := sh.Stats(); st.Created != 1 || st.Deduplicated != 7 {
		t.Errorf("Stats = %+v; want 1 created, 7 deduplicated", st)
	}
}

func TestOpenRejectsBadOptions(t *testing.T) {
	for _, n := range []int{-1, 11} {
		if _, err := Open(t.TempDir(), Options{Strategy: ByHash, HashLen: n}); err == nil {
			t.Errorf("HashLen %d accepted", n)
		}
	}
}

func TestServer(t *testing.T) {
	sh := open(t, t.TempDir(), Options{})
	defer sh.Close()
	lim, err := ratelimit.NewStore(ratelimit.FixedWindow, []ratelimit.Limit{ratelimit.PerMinute(4)}, ratelimit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewServer(sh, ServerOptions{Redirect: http.StatusTemporaryRedirect}); err == nil {
		t.Error("NewServer accepted a 307 redirect")
	}
	api, err := NewServer(sh, ServerOptions{BaseURL: "https://s.example/", ShortenLimiter: lim})
	if err != nil {
		t.Fatal(err)
	}
	do := func(h http.Handler, method, path, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
		return rec
	}
	for _, tt := range []struct {
		body   string
		status int
		want   string
	}{
		{`{"longUrl":"https://example.com/a"}`, http.StatusCreated, `"shortUrl":"https://s.example/`},
		{`{"longUrl":"https://example.com/a"}`, http.StatusOK, `"shortUrl":"https://s.example/`},
		{`{"longUrl":"mailto:x@example.com"}`, http.StatusBadRequest, "not an absolute"},
		{`{"url":"https://example.com/a"}`, http.StatusBadRequest, "unknown field"},
		{`not json`, http.StatusTooManyRequests, ""}, // the fifth create in a minute
	} {
		rec := do(api, http.MethodPost, ShortenPath, tt.body)
		if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("POST %s: %d %s; want %d containing %q", tt.body, rec.Code, rec.Body, tt.status, tt.want)
		}
	}
	code, _, err := sh.Shorten("https://example.com/a")
	if err != nil {
		t.Fatal(err)
	}
	permanent, err := NewServer(sh, ServerOptions{Redirect: http.StatusMovedPermanently})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Server{api, permanent} {
		rec := do(s, http.MethodGet, "/"+code, "")
		if rec.Code != s.opts.Redirect || rec.Header().Get("Location") != "https://example.com/a" {
			t.Errorf("GET /%s: %d Location %q; want %d to the long URL", code, rec.Code, rec.Header().Get("Location"), s.opts.Redirect)
		}
		if s.Clicks(code) != 1 {
			t.Errorf("Clicks = %d; want 1", s.Clicks(code))
		}
	}
	if rec := do(api, http.MethodGet, "/nope0", ""); rec.Code != http.StatusNotFound {
		t.Errorf("GET unknown code: %d; want 404", rec.Code)
	}
	if rec := do(api, http.MethodDelete, "/"+code, ""); rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("DELETE: %d; want 405", rec.Code)
	}
}
