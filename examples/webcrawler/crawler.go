package webcrawler

import (
	"cmp"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sysdesign-go/sysdesign/bloom"
	"github.com/sysdesign-go/sysdesign/hashring"
	"github.com/sysdesign-go/sysdesign/ratelimit"
)

// Config configures a crawl; zero fields take the defaults given.
type Config struct {
	// Seeds are the URLs the crawl starts from; at least one is required.
	Seeds []string
	// Client fetches pages; it should not follow redirects itself
	// (CheckRedirect returning http.ErrUseLastResponse) so that redirect
	// targets pass through dedupe, robots and politeness. Default: such a
	// client with a 10s timeout.
	Client *http.Client
	// UserAgent is sent with every request and matched against robots.txt
	// groups. Default "sysdesign-crawler/1.0".
	UserAgent string
	// Workers is the number of downloaders; each host belongs to one of
	// them, chosen on a consistent-hash ring, so one host is never fetched
	// by two at once. Default 3.
	Workers int
	// DefaultDelay is the pause between two requests to one host when its
	// robots.txt gives no Crawl-delay. Default 1s; at least 1ms.
	DefaultDelay time.Duration
	// MaxDepth is how many links from a seed the crawl follows. Default 16.
	MaxDepth int
	// MaxPagesPerHost caps the URLs queued for one host, which ends spider
	// traps such as endless calendars. Default 1000.
	MaxPagesPerHost int
	// MaxURLLen drops longer URLs, which ends traps of ever deeper paths.
	// Default 256.
	MaxURLLen int
	// ExpectedURLs sizes the URL-seen Bloom filter (at a 1e-6 false-positive
	// rate: a false positive skips a page never seen). Default 1,000,000.
	ExpectedURLs uint64
}

// Report says what a crawl did.
type Report struct {
	Pages         int // distinct pages downloaded (200, new content)
	DupURLs       int // links to URLs already seen (Bloom filter)
	DupContent    int // pages whose content was already downloaded under another URL
	RobotsBlocked int // URLs robots.txt disallowed (never requested)
	Errors        int // requests that failed or answered neither 200 nor a redirect
	Redirects     int // redirects whose target was queued as a link
	CutDepth      int // links beyond MaxDepth
	CutURLLen     int // links longer than MaxURLLen
	CutHostBudget int // links to a host past MaxPagesPerHost
	Hosts         []HostReport
	Elapsed       time.Duration
}

// HostReport is one host's part of a crawl.
type HostReport struct {
	Host, Worker                       string
	Delay                              time.Duration // politeness delay applied
	Fetched, DupContent, Errors, Robot int           // Robot: URLs robots.txt blocked
	Requests                           int           // robots.txt included
	MinGap                             time.Duration // shortest time between the starts of two requests
}

// Crawl crawls from cfg.Seeds until no reachable URL is left within the
// limits, or ctx ends (then it returns the report so far and ctx's error).
func Crawl(ctx context.Context, cfg Config) (*Report, error) {
	c, err := newCrawler(cfg)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	for _, s := range cfg.Seeds {
		u, err := url.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("webcrawler: seed %q: %w", s, err)
		}
		n, ok := normalize(u)
		if !ok {
			return nil, fmt.Errorf("webcrawler: seed %q is not an absolute http(s) URL", s)
		}
		c.add(n, 0)
	}
	if c.pending.Load() == 0 {
		return nil, errors.New("webcrawler: no seeds")
	}
	var wg sync.WaitGroup
	for _, w := range c.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.run(ctx, w)
		}()
	}
	wg.Wait()
	rep := c.report()
	rep.Elapsed = time.Since(start)
	return rep, ctx.Err()
}

type crawler struct {
	cfg     Config
	ring    *hashring.Ring
	workers map[string]*worker

	seenMu sync.Mutex
	seen   *bloom.Filter     // URL seen?
	pages  map[uint64]string // content fingerprint -> first URL with it

	pending atomic.Int64 // URLs queued or being fetched
	done    chan struct{}

	pageCount, dupURLs, dupContent, blocked, errs, redirects atomic.Int64
	cutDepth, cutLen, cutBudget                              atomic.Int64
}

type worker struct {
	id    string
	wake  chan struct{}
	mu    sync.Mutex
	hosts map[string]*hostQueue
	ready readyHeap
}

func newCrawler(cfg Config) (*crawler, error) {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "sysdesign-crawler/1.0"
	}
	cfg.Workers = cmp.Or(cfg.Workers, 3)
	cfg.DefaultDelay = cmp.Or(cfg.DefaultDelay, time.Second)
	cfg.MaxDepth = cmp.Or(cfg.MaxDepth, 16)
	cfg.MaxPagesPerHost = cmp.Or(cfg.MaxPagesPerHost, 1000)
	cfg.MaxURLLen = cmp.Or(cfg.MaxURLLen, 256)
	cfg.ExpectedURLs = cmp.Or(cfg.ExpectedURLs, 1_000_000)
	if cfg.Workers < 1 || cfg.DefaultDelay < time.Millisecond || cfg.MaxDepth < 0 || cfg.MaxPagesPerHost < 1 || cfg.MaxURLLen < 16 {
		return nil, fmt.Errorf("webcrawler: invalid config %+v", cfg)
	}
	seen, err := bloom.New(cfg.ExpectedURLs, 1e-6)
	if err != nil {
		return nil, err
	}
	c := &crawler{cfg: cfg, seen: seen, pages: map[uint64]string{}, workers: map[string]*worker{}, done: make(chan struct{})}
	nodes := make([]hashring.Node, cfg.Workers)
	for i := range nodes {
		id := fmt.Sprintf("worker-%d", i)
		nodes[i] = hashring.Node{ID: id}
		c.workers[id] = &worker{id: id, wake: make(chan struct{}, 1), hosts: map[string]*hostQueue{}}
	}
	if c.ring, err = hashring.New(hashring.Options{}, nodes...); err != nil {
		return nil, err
	}
	return c, nil
}

// add queues a normalised URL found depth links from a seed, unless a
// limit, the URL-seen filter or the host's budget says no.
func (c *crawler) add(raw string, depth int) {
	switch {
	case depth > c.cfg.MaxDepth:
		c.cutDepth.Add(1)
		return
	case len(raw) > c.cfg.MaxURLLen:
		c.cutLen.Add(1)
		return
	}
	c.seenMu.Lock()
	if c.seen.ContainsString(raw) {
		c.seenMu.Unlock()
		c.dupURLs.Add(1)
		return
	}
	c.seen.AddString(raw)
	c.seenMu.Unlock()
	u, err := url.Parse(raw)
	if err != nil {
		c.errs.Add(1)
		return
	}
	owner, _ := c.ring.Get(u.Host)
	w := c.workers[owner]
	w.mu.Lock()
	q := w.hosts[u.Host]
	if q == nil {
		q = &hostQueue{host: u.Host, index: -1}
		w.hosts[u.Host] = q
	}
	path := u.RequestURI()
	switch {
	case q.robots != nil && !q.robots.allowed(path):
		// Known to be disallowed: not queued. (URLs queued before the
		// host's robots.txt arrived are checked when they come up.)
		q.blocked++
		w.mu.Unlock()
		c.blocked.Add(1)
		return
	case q.accepted >= c.cfg.MaxPagesPerHost:
		w.mu.Unlock()
		c.cutBudget.Add(1)
		return
	}
	c.pending.Add(1)
	q.push(item{url: raw, path: path, depth: depth})
	w.ready.schedule(q)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// finish marks one queued URL done; the last one ends the crawl.
func (c *crawler) finish() {
	if c.pending.Add(-1) == 0 {
		close(c.done)
	}
}

// run is one downloader: it serves its hosts in the order their politeness
// allows, one request at a time.
func (c *crawler) run(ctx context.Context, w *worker) {
	for {
		w.mu.Lock()
		var q *hostQueue
		var wait time.Duration = -1
		if len(w.ready) > 0 {
			q = w.ready[0]
			wait = time.Until(q.readyAt)
		}
		if q == nil || wait > 0 {
			w.mu.Unlock()
			if !c.sleep(ctx, w, wait) {
				return
			}
			continue
		}
		heap.Pop(&w.ready)
		if q.robots == nil {
			// The host's first request is for its robots.txt.
			w.mu.Unlock()
			start := time.Now()
			rules, delay := c.fetchRobots(ctx, q.host)
			w.mu.Lock()
			q.robots, q.delay = &rules, delay
			q.polite, _ = ratelimit.NewBucket(ratelimit.Limit{Rate: 1, Period: delay, Burst: 1}, ratelimit.Options{})
			q.polite.AllowNAt(start, 1) // the robots.txt request
			q.started(start)
			q.readyAt = start.Add(delay)
			w.ready.schedule(q)
			w.mu.Unlock()
			continue
		}
		// URLs robots.txt disallows are dropped without a request.
		var blocked int64
		for q.waiting > 0 && !q.robots.allowed(q.peek().path) {
			q.pop()
			q.accepted-- // a URL never requested does not use the host's budget
			q.blocked++
			blocked++
		}
		var it item
		fetch := false
		if q.waiting > 0 {
			now := time.Now()
			if res, _ := q.polite.AllowNAt(now, 1); res.Allowed {
				it, fetch = q.pop(), true
				q.started(now)
				q.readyAt = now.Add(q.delay)
			} else {
				q.readyAt = now.Add(res.RetryAfter)
			}
		}
		w.ready.schedule(q)
		w.mu.Unlock()
		c.blocked.Add(blocked)
		for range blocked {
			c.finish()
		}
		if !fetch {
			continue
		}
		outcome := c.visit(ctx, it)
		w.mu.Lock()
		switch outcome {
		case fetchedPage:
			q.fetched++
		case duplicate:
			q.dupContent++
		case failed:
			q.errors++
		}
		w.mu.Unlock()
		c.finish()
	}
}

// sleep waits up to d (forever when d < 0) for new work; false means the
// crawl is over.
func (c *crawler) sleep(ctx context.Context, w *worker, d time.Duration) bool {
	var timer <-chan time.Time
	if d >= 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-timer:
	case <-w.wake:
	case <-c.done:
		return false
	case <-ctx.Done():
		return false
	}
	return true
}

type outcome int

const (
	fetchedPage outcome = iota
	duplicate
	failed
	redirected
)

// visit downloads one URL, and for a new HTML page queues its links.
func (c *crawler) visit(ctx context.Context, it item) outcome {
	resp, err := c.get(ctx, it.url)
	if err != nil {
		c.errs.Add(1)
		return failed
	}
	defer resp.Body.Close()
	base, _ := url.Parse(it.url)
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.Header.Get("Location") != "":
		if target, err := base.Parse(resp.Header.Get("Location")); err == nil {
			if n, ok := normalize(target); ok {
				c.redirects.Add(1)
				c.add(n, it.depth+1)
				return redirected
			}
		}
		c.errs.Add(1)
		return failed
	case resp.StatusCode != http.StatusOK:
		c.errs.Add(1)
		return failed
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		c.errs.Add(1)
		return failed
	}
	// Content seen? Mirrors and URL variants carry the same bytes.
	fp := bloom.Hash(body)
	c.seenMu.Lock()
	_, dup := c.pages[fp]
	if !dup {
		c.pages[fp] = it.url
	}
	c.seenMu.Unlock()
	if dup {
		c.dupContent.Add(1)
		return duplicate
	}
	c.pageCount.Add(1)
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		for _, link := range extractLinks(base, string(body)) {
			c.add(link, it.depth+1)
		}
	}
	return fetchedPage
}

func (c *crawler) get(ctx context.Context, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	return c.cfg.Client.Do(req)
}

// fetchRobots returns host's rules for this crawler and its politeness
// delay. A missing robots.txt (4xx) allows everything; an unreachable one
// (5xx, network error) disallows everything, as RFC 9309 asks.
func (c *crawler) fetchRobots(ctx context.Context, host string) (robots, time.Duration) {
	resp, err := c.get(ctx, "http://"+host+"/robots.txt")
	if err != nil {
		return robots{disallow: []string{"/"}}, c.cfg.DefaultDelay
	}
	defer resp.Body.Close()
	var rules robots
	switch {
	case resp.StatusCode == http.StatusOK:
		text, _ := io.ReadAll(io.LimitReader(resp.Body, 500<<10)) // RFC 9309: at least 500 KiB
		rules = parseRobots(string(text), strings.SplitN(c.cfg.UserAgent, "/", 2)[0])
	case resp.StatusCode >= 500:
		rules = robots{disallow: []string{"/"}}
	}
	delay := c.cfg.DefaultDelay
	if rules.delay > 0 {
		delay = rules.delay
	}
	return rules, delay
}

func (c *crawler) report() *Report {
	rep := &Report{
		Pages: int(c.pageCount.Load()), DupURLs: int(c.dupURLs.Load()), DupContent: int(c.dupContent.Load()),
		RobotsBlocked: int(c.blocked.Load()), Errors: int(c.errs.Load()), Redirects: int(c.redirects.Load()),
		CutDepth: int(c.cutDepth.Load()), CutURLLen: int(c.cutLen.Load()), CutHostBudget: int(c.cutBudget.Load()),
	}
	for _, w := range c.workers {
		w.mu.Lock()
		for _, q := range w.hosts {
			rep.Hosts = append(rep.Hosts, HostReport{Host: q.host, Worker: w.id, Delay: q.delay,
				Fetched: q.fetched, DupContent: q.dupContent, Errors: q.errors, Robot: q.blocked,
				Requests: q.requests, MinGap: q.minGap})
		}
		w.mu.Unlock()
	}
	slices.SortFunc(rep.Hosts, func(a, b HostReport) int { return strings.Compare(a.Host, b.Host) })
	return rep
}
