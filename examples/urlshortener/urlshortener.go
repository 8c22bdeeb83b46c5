// Package urlshortener is the URL shortener system: long URLs get short
// base62 codes, stored in an LSM tree (lsm) and served over HTTP with 301 or
// 302 redirects. Codes come from snowflake IDs (never collide, 11
// characters) or from a hash of the URL (as short as you like, collisions
// resolved by rehashing with a suffix); a Bloom filter (bloom) over the
// issued codes turns away unknown codes without a disk read, and creation is
// rate limited per client (ratelimit).
//
// The run starts the API on a loopback port, shortens a few URLs (and one
// twice, and one invalid), hits the creation limit, follows redirects as a
// browser would to show what 301 and 302 mean for load and click counts,
// bulk-loads URLs with both code strategies, probes random codes, and
// reopens the store to show every code still resolves.
//
//	go run ./examples/tour urlshortener [-urls 1000] [-hashlen 3] [-limit 10]
package urlshortener

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/sysdesign-go/sysdesign/internal/loopback"
	"github.com/sysdesign-go/sysdesign/ratelimit"
)

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("urlshortener", flag.ContinueOnError)
	fs.SetOutput(w)
	nURLs := fs.Int("urls", 1000, "URLs bulk-loaded with each code strategy")
	hashLen := fs.Int("hashlen", 3, "code length of the hash strategy in the bulk load (1-10; small shows collisions)")
	limit := fs.Int("limit", 10, "short URLs each client may create per minute")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *nURLs < 1 || *limit < 5 || *hashLen < 1 || *hashLen > 10 {
		return errors.New("urlshortener: need -urls >= 1, -limit >= 5 and -hashlen 1-10")
	}
	dir, err := os.MkdirTemp("", "urlshortener")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	sh, err := Open(filepath.Join(dir, "ids"), Options{Strategy: ByID})
	if err != nil {
		return err
	}
	defer func() { sh.Close() }()
	creates, err := ratelimit.NewStore(ratelimit.TokenBucket, []ratelimit.Limit{ratelimit.PerMinute(*limit).WithName("shorten")}, ratelimit.Options{})
	if err != nil {
		return err
	}
	api, err := NewServer(sh, ServerOptions{BaseURL: "https://tiny.example", ShortenLimiter: creates})
	if err != nil {
		return err
	}
	base, stop, err := loopback.Serve(api)
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintf(w, "API at %s: POST %s (limit %d per minute per client IP), GET /{code} (302)\n\n", base, ShortenPath, *limit)

	// The API, as a client sees it.
	client := &http.Client{Timeout: 5 * time.Second}
	post := func(long string) (int, shortenResponse, http.Header, error) {
		body, _ := json.Marshal(shortenRequest{LongURL: long})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+ShortenPath, bytes.NewReader(body))
		if err != nil {
			return 0, shortenResponse{}, nil, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, shortenResponse{}, nil, err
		}
		defer resp.Body.Close()
		var out shortenResponse
		if resp.StatusCode/100 == 2 {
			err = json.NewDecoder(resp.Body).Decode(&out)
		}
		return resp.StatusCode, out, resp.Header, err
	}
	pages := []string{
		"https://en.wikipedia.org/wiki/Systems_design",
		"https://go.dev/doc/effective_go#concurrency",
		"https://example.com/a/very/long/path?with=query&and=more#fragment",
	}
	var first string
	for i, long := range append(pages, pages[0]) {
		status, out, _, err := post(long)
		if err != nil {
			return err
		}
		note := "created"
		if status == http.StatusOK {
			note = "already shortened: same code"
		}
		fmt.Fprintf(w, "POST %-66s %d %s (%s)\n", long, status, out.ShortURL, note)
		if i == 0 {
			first = out.Code
		}
	}
	status, _, _, err := post("ftp://files.example/x")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "POST %-66s %d (only absolute http(s) URLs)\n", "ftp://files.example/x", status)
	made := 0
	for {
		status, _, h, err := post(fmt.Sprintf("https://example.com/burst/%d", made))
		if err != nil {
			return err
		}
		if status == http.StatusTooManyRequests {
			fmt.Fprintf(w, "burst: %d more created, then 429 Too Many Requests, Retry-After %ss\n\n", made, h.Get("Retry-After"))
			break
		}
		if made++; made > *limit {
			return fmt.Errorf("urlshortener: %d creates without a 429 at a limit of %d", made, *limit)
		}
	}

	if err := showRedirects(ctx, w, sh, api, base, first); err != nil {
		return err
	}
	codes, err := bulkLoad(w, sh, *nURLs)
	if err != nil {
		return err
	}
	if err := probe(w, sh, *nURLs); err != nil {
		return err
	}
	if err := hashStrategy(w, dir, *nURLs, *hashLen); err != nil {
		return err
	}

	// Restart: the codes are in the store, the filter is rebuilt from it.
	if err := sh.Close(); err != nil {
		return err
	}
	if sh, err = Open(filepath.Join(dir, "ids"), Options{Strategy: ByID}); err != nil {
		return err
	}
	for long, code := range codes {
		if got, err := sh.Resolve(code); err != nil || got != long {
			return fmt.Errorf("urlshortener: after reopen %s resolves to %q, %v; want %q", code, got, err, long)
		}
	}
	fmt.Fprintf(w, "reopened the store: all %d bulk codes still resolve (Bloom filter rebuilt from the table)\n", len(codes))
	return nil
}

// showRedirects follows code's short URL five times as a browser that
// caches permanent redirects, against a 302 server and a 301 server.
func showRedirects(ctx context.Context, w io.Writer, sh *Shortener, api *Server, base, code string) error {
	permanent, err := NewServer(sh, ServerOptions{Redirect: http.StatusMovedPermanently})
	if err != nil {
		return err
	}
	base301, stop, err := loopback.Serve(permanent)
	if err != nil {
		return err
	}
	defer stop()
	for _, s := range []struct {
		srv  *Server
		base string
	}{{api, base}, {permanent, base301}} {
		b := &browser{cached: map[string]string{}}
		for range 5 {
			if _, err := b.follow(ctx, s.base+"/"+code); err != nil {
				return err
			}
		}
		fmt.Fprintf(w, "5 clicks on /%s through a caching browser, %d redirects: the service saw %d (%s)\n",
			code, s.srv.opts.Redirect, s.srv.Clicks(code), map[int]string{
				http.StatusFound:            "every click: it can count them",
				http.StatusMovedPermanently: "the browser cached the permanent redirect: less load, no click counts",
			}[s.srv.opts.Redirect])
	}
	b := &browser{cached: map[string]string{}}
	status, err := b.follow(ctx, base+"/zzzzzz")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "GET /zzzzzz: %d\n\n", status)
	return nil
}

// browser follows short URLs without following the redirect itself, and
// remembers 301 answers as browsers do.
type browser struct {
	cached map[string]string
}

func (b *browser) follow(ctx context.Context, short string) (int, error) {
	if _, ok := b.cached[short]; ok {
		return http.StatusMovedPermanently, nil // from the browser's cache
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, short, nil)
	if err != nil {
		return 0, err
	}
	c := &http.Client{Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusMovedPermanently {
		b.cached[short] = resp.Header.Get("Location")
	}
	return resp.StatusCode, nil
}

// bulkLoad shortens n generated URLs through the library API (each one a
// synced write) and returns them with their codes.
func bulkLoad(w io.Writer, sh *Shortener, n int) (map[string]string, error) {
	codes := make(map[string]string, n)
	start := time.Now()
	for i := range n {
		long := fmt.Sprintf("https://shop.example/item/%d?ref=newsletter", i)
		code, _, err := sh.Shorten(long)
		if err != nil {
			return nil, err
		}
		codes[long] = code
	}
	took := time.Since(start)
	seen := map[string]bool{}
	for long, code := range codes {
		if seen[code] {
			return nil, fmt.Errorf("urlshortener: code %s issued twice", code)
		}
		seen[code] = true
		if got, err := sh.Resolve(code); err != nil || got != long {
			return nil, fmt.Errorf("urlshortener: %s resolves to %q, %v; want %q", code, got, err, long)
		}
	}
	fmt.Fprintf(w, "bulk, snowflake-id codes: %d URLs shortened in %v (%.0f/s, each a synced lsm batch), all distinct, all resolve; codes are %d characters\n",
		n, took.Round(time.Millisecond), float64(n)/took.Seconds(), len(codes["https://shop.example/item/0?ref=newsletter"]))
	return codes, nil
}

// probe resolves random codes, as a scanner would.
func probe(w io.Writer, sh *Shortener, n int) error {
	before := sh.Stats()
	r := rand.New(rand.NewPCG(1, 2))
	for range n {
		var code [11]byte
		for i := range code {
			code[i] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"[r.IntN(62)]
		}
		code[0] = '1' // below 2^64
		if _, err := sh.Resolve(string(code[:])); !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("urlshortener: random code %s: %v", code, err)
		}
	}
	after := sh.Stats()
	fmt.Fprintf(w, "probe: %d random codes, all unknown; the Bloom filter answered %d without reading the store\n",
		n, after.FilterSkips-before.FilterSkips)
	return nil
}

// hashStrategy bulk-loads n URLs with hash codes of hashLen digits.
func hashStrategy(w io.Writer, dir string, n, hashLen int) error {
	sh, err := Open(filepath.Join(dir, "hash"), Options{Strategy: ByHash, HashLen: hashLen})
	if err != nil {
		return err
	}
	defer sh.Close()
	codes := map[string]string{}
	for i := range n {
		long := fmt.Sprintf("https://shop.example/item/%d?ref=newsletter", i)
		code, _, err := sh.Shorten(long)
		if err != nil {
			return err
		}
		if prev, dup := codes[code]; dup {
			return fmt.Errorf("urlshortener: hash code %s given to %s and %s", code, prev, long)
		}
		codes[code] = long
	}
	for code, long := range codes {
		if got, err := sh.Resolve(code); err != nil || got != long {
			return fmt.Errorf("urlshortener: %s resolves to %q, %v; want %q", code, got, err, long)
		}
	}
	st := sh.Stats()
	fmt.Fprintf(w, "bulk, hash codes of %d characters (%d possible): %d URLs, %d collisions resolved by rehashing with a suffix, all distinct, all resolve\n",
		hashLen, pow62(hashLen), n, st.Collisions)
	return nil
}
