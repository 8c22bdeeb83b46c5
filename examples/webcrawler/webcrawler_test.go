package webcrawler

import (
	"cmp"
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := Run(context.Background(), &out, []string{"-delay", "2ms"}); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"news.test", "disallowed by robots.txt", "spider trap cut off", "server log: every request accounted for", "all to it"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := Run(context.Background(), new(strings.Builder), []string{"-workers", "0"}); err == nil {
		t.Error("Run accepted -workers 0")
	}
}

// crawlTestWeb crawls the test web with short delays.
func crawlTestWeb(t *testing.T, cfg Config) (*Report, *Web) {
	t.Helper()
	web := &Web{}
	client, stop, err := web.Serve()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	cfg.Client = client
	if cfg.Seeds == nil {
		cfg.Seeds = []string{"http://news.test/"}
	}
	cfg.DefaultDelay = cmp.Or(cfg.DefaultDelay, 2*time.Millisecond)
	rep, err := Crawl(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rep, web
}

func hostReport(t *testing.T, rep *Report, host string) HostReport {
	t.Helper()
	i := slices.IndexFunc(rep.Hosts, func(h HostReport) bool { return h.Host == host })
	if i < 0 {
		t.Fatalf("no report for %s in %+v", host, rep.Hosts)
	}
	return rep.Hosts[i]
}

func TestCrawlFindsEveryAllowedPageOnce(t *testing.T) {
	rep, web := crawlTestWeb(t, Config{MaxDepth: 8, MaxPagesPerHost: 32, MaxURLLen: 60})
	for _, want := range []struct {
		host                             string
		pages, dup, errors, robots, reqs int
	}{
		{"news.test", webArticles + 1, 0, 0, webArticles, webArticles + 2},
		{"shop.test", webProducts + 1, webProducts, 0, 0, 2*webProducts + 2},
		{"mirror.test", 0, webProducts, 0, 0, webProducts + 1},
		{"private.test", 0, 0, 0, 1, 1},
		{"broken.test", 2, 0, 2, 0, 6},
	} {
		h := hostReport(t, rep, want.host)
		if h.Fetched != want.pages || h.DupContent != want.dup || h.Errors != want.errors || h.Robot != want.robots || h.Requests != want.reqs {
			t.Errorf("%s: %+v; want pages %d, dup %d, errors %d, robots %d, requests %d", want.host, h, want.pages, want.dup, want.errors, want.robots, want.reqs)
		}
		if hits := web.Hits(want.host); len(hits) != h.Requests {
			t.Errorf("%s: server saw %d requests, crawler made %d", want.host, len(hits), h.Requests)
		}
	}
	// Nothing fetched twice; nothing disallowed fetched.
	for _, h := range rep.Hosts {
		seen := map[string]bool{}
		for _, hit := range web.Hits(h.Host) {
			if seen[hit.Path] {
				t.Errorf("%s%s requested twice", h.Host, hit.Path)
			}
			seen[hit.Path] = true
			if strings.HasPrefix(hit.Path, "/private/") || h.Host == "private.test" && hit.Path != "/robots.txt" {
				t.Errorf("%s%s requested against robots.txt", h.Host, hit.Path)
			}
		}
		if h.Requests > 1 && h.MinGap < h.Delay {
			t.Errorf("%s: requests %v apart, under the delay %v", h.Host, h.MinGap, h.Delay)
		}
	}
	if d := hostReport(t, rep, "news.test").Delay; d != webDelays["news.test"] {
		t.Errorf("news.test delay %v; want its Crawl-delay %v", d, webDelays["news.test"])
	}
	// The trap host is cut off by the limits; the crawl ends.
	if cal := hostReport(t, rep, "calendar.test"); cal.Requests > 33 || rep.CutDepth+rep.CutURLLen+rep.CutHostBudget == 0 {
		t.Errorf("calendar trap: %+v, cuts %d/%d/%d", cal, rep.CutDepth, rep.CutURLLen, rep.CutHostBudget)
	}
	if rep.Redirects != 1 || rep.Pages != webArticles+1+webProducts+1+2+hostReport(t, rep, "calendar.test").Fetched {
		t.Errorf("report %+v", rep)
	}
}

func TestCrawlDepthLimit(t *testing.T) {
	rep, _ := crawlTestWeb(t, Config{MaxDepth: 1})
	// The seed, its 20 articles and the front pages of the four sites it links.
	if rep.Pages != 1+webArticles+3 || rep.CutDepth == 0 {
		t.Errorf("depth 1: %d pages, %d cut; want %d pages and some cut", rep.Pages, rep.CutDepth, 1+webArticles+3)
	}
}

func TestCrawlStopsWithContext(t *testing.T) {
	web := &Web{}
	client, stop, err := web.Serve()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	rep, err := Crawl(ctx, Config{Seeds: []string{"http://news.test/"}, Client: client, DefaultDelay: time.Second})
	if !errors.Is(err, context.DeadlineExceeded) || rep == nil {
		t.Fatalf("Crawl = %v, %v; want the report so far and DeadlineExceeded", rep, err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Crawl took %v to notice the deadline", took)
	}
}

func TestCrawlRejectsBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{},
		{Seeds: []string{"ftp://x.test/"}},
		{Seeds: []string{"http://x.test/"}, Workers: -1},
		{Seeds: []string{"http://x.test/"}, DefaultDelay: time.Microsecond},
		{Seeds: []string{"http://x.test/"}, MaxURLLen: 10},
	} {
		if _, err := Crawl(context.Background(), cfg); err == nil {
			t.Errorf("Crawl(%+v) succeeded", cfg)
		}
	}
}

func TestParseRobots(t *testing.T) {
	const txt = `# comment
User-agent: other
Disallow: /

User-agent: sysdesign-crawler
User-agent: friendly-bot
Disallow: /private/
Allow: /private/public
Disallow: /tmp   # trailing comment
Disallow: /img*.png
Allow: /x*
Crawl-delay: 2.5

User-agent: *
Disallow: /everything-else
`
	r := parseRobots(txt, "SysDesign-Crawler")
	for path, want := range map[string]bool{
		"/": true, "/private/": false, "/private/x": false, "/private/public": true, "/private/public/y": true,
		"/tmp": false, "/tmpfile": false, "/everything-else": true, "/img1.png": false, "/x1": true,
	} {
		if got := r.allowed(path); got != want {
			t.Errorf("allowed(%q) = %v; want %v", path, got, want)
		}
	}
	if r.delay != 2500*time.Millisecond {
		t.Errorf("delay %v; want 2.5s", r.delay)
	}
	if r := parseRobots(txt, "friendly-bot"); r.allowed("/private/x") {
		t.Error("a second User-agent line of a group does not share its rules")
	}
	if r := parseRobots(txt, "unknown"); r.allowed("/everything-else") || !r.allowed("/private/x") {
		t.Error("an unknown agent does not get the * group")
	}
	if r := parseRobots("garbage\n\x00\nDisallow: /\n", "x"); !r.allowed("/") {
		t.Error("rules outside any group applied")
	}
	// Equal-length Allow and Disallow: Allow wins.
	if r := parseRobots("User-agent: *\nDisallow: /a\nAllow: /a\n", "x"); !r.allowed("/a") {
		t.Error("a tie did not go to Allow")
	}
}

func TestExtractLinks(t *testing.T) {
	base, _ := url.Parse("http://news.test/article/3")
	page := `<a href="/article/4">x</a><a href='../shop'>y</a><a href="#c">z</a>
<a href="mailto:a@b.test">m</a><a href="HTTPS://Shop.Test:443/p?q=1#frag">p</a><a href=noquote>n</a>
<a href="http://user:pw@evil.test/">u</a><a href="javascript:void(0)">j</a><a href="http://a.test:8080">port</a><a href="unterminated`
	want := []string{"http://news.test/article/4", "http://news.test/shop", "http://news.test/article/3",
		"https://shop.test/p?q=1", "http://a.test:8080/"}
	if got := extractLinks(base, page); !slices.Equal(got, want) {
		t.Errorf("extractLinks = %q\nwant %q", got, want)
	}
}

func FuzzExtractLinks(f *testing.F) {
	f.Add(`<a href="/a">a</a> <a href='http://B.test:80/x#y'>`)
	f.Add(`href="` + "\x00" + `" href='`)
	base, _ := url.Parse("http://news.test/dir/page")
	f.Fuzz(func(t *testing.T, page string) {
		for _, link := range extractLinks(base, page) {
			u, err := url.Parse(link)
			if err != nil {
				t.Fatalf("link %q does not parse: %v", link, err)
			}
			if again, ok := normalize(u); !ok || again != link {
				t.Fatalf("link %q is not normalised: %q, %v", link, again, ok)
			}
		}
	})
}

func FuzzParseRobots(f *testing.F) {
	f.Add("User-agent: *\nDisallow: /a\nAllow: /a/b\nCrawl-delay: 1\n", "/a/c")
	f.Fuzz(func(t *testing.T, txt, path string) {
		r := parseRobots(txt, "sysdesign-crawler")
		if r.delay < 0 || r.delay > time.Minute {
			t.Fatalf("delay %v out of range", r.delay)
		}
		r.allowed(path)
		if len(r.disallow) == 0 && !r.allowed(path) {
			t.Fatal("disallowed with no Disallow rule")
		}
	})
}
