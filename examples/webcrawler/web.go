package webcrawler

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sysdesign-go/sysdesign/internal/loopback"
)

// Web is a small web of made-up ".test" sites, served from one loopback
// listener, with what a crawler meets in the wild:
//
//   - news.test: 20 articles linking to each other and to other sites, a
//     /private/ section its robots.txt disallows, and a Crawl-delay;
//   - shop.test: 15 products, each also reachable as ?ref=related (same
//     page, another URL) and copied on mirror.test (same content);
//   - private.test: a robots.txt that shuts out this crawler only;
//   - calendar.test: a spider trap, months linking to the next month and
//     to ever deeper paths, forever;
//   - broken.test: a 404, a 500 and a 301.
//
// It logs every request, so a test can check the crawler's politeness from
// the server's side. A Web is safe for concurrent use.
type Web struct {
	mu  sync.Mutex
	log map[string][]Hit
}

// Hit is one request the web served.
type Hit struct {
	Path string
	At   time.Time
}

// Delays are the Crawl-delay values the sites' robots.txt files announce.
var webDelays = map[string]time.Duration{"news.test": 20 * time.Millisecond}

// Articles and products on the test web.
const (
	webArticles = 20
	webProducts = 15
)

// Hits returns the requests served for host, in arrival order.
func (web *Web) Hits(host string) []Hit {
	web.mu.Lock()
	defer web.mu.Unlock()
	return append([]Hit(nil), web.log[host]...)
}

// ServeHTTP answers for every site, chosen by the Host header.
func (web *Web) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	web.mu.Lock()
	if web.log == nil {
		web.log = map[string][]Hit{}
	}
	web.log[host] = append(web.log[host], Hit{r.URL.RequestURI(), time.Now()})
	web.mu.Unlock()

	p := r.URL.Path
	page := func(body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><html><body>%s</body></html>", body)
	}
	switch {
	case host == "news.test" && p == "/robots.txt":
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.02\n")
	case host == "news.test" && p == "/":
		var b strings.Builder
		for i := range webArticles {
			fmt.Fprintf(&b, `<a href="/article/%d">Article %d</a> `, i, i)
		}
		b.WriteString(`<a href="http://shop.test/">Shop</a> <a href="http://private.test/">Members</a> ` +
			`<a href="http://calendar.test/cal/2026-01">Events</a> <a href="http://broken.test/">Old site</a>`)
		page(b.String())
	case host == "news.test" && strings.HasPrefix(p, "/article/"):
		k, err := strconv.Atoi(strings.TrimPrefix(p, "/article/"))
		if err != nil || k < 0 || k >= webArticles {
			http.NotFound(w, r)
			return
		}
		page(fmt.Sprintf(`<h1>Article %d</h1><a href="/article/%d">next</a> <a href='../article/%d'>related</a> `+
			`<a href="#comments">comments</a> <a href="/private/draft-%d">draft</a> <a href="mailto:desk@news.test">mail</a> `+
			`<a href="HTTP://Shop.TEST:80/product/%d">buy</a>`, k, (k+1)%webArticles, (k+7)%webArticles, k, k%webProducts))
	case host == "news.test" && strings.HasPrefix(p, "/private/"):
		page("an unpublished draft")
	case (host == "shop.test" || host == "mirror.test") && p == "/":
		var b strings.Builder
		for i := range webProducts {
			fmt.Fprintf(&b, `<a href="/product/%d">Product %d</a> `, i, i)
		}
		page(b.String())
	case (host == "shop.test" || host == "mirror.test") && strings.HasPrefix(p, "/product/"):
		k, err := strconv.Atoi(strings.TrimPrefix(p, "/product/"))
		if err != nil || k < 0 || k >= webProducts {
			http.NotFound(w, r)
			return
		}
		// The same bytes for every URL of product k, on both hosts.
		page(fmt.Sprintf(`<h1>Product %d</h1><a href="/product/%d">next</a> <a href="/product/%d?ref=related">see also</a> `+
			`<a href="http://mirror.test/product/%d">mirror</a>`, k, (k+1)%webProducts, k, k))
	case host == "private.test" && p == "/robots.txt":
		fmt.Fprint(w, "User-agent: sysdesign-crawler\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
	case host == "private.test":
		page("members only")
	case host == "calendar.test" && strings.HasPrefix(p, "/cal/"):
		// Every month links to the next one and to a deeper path: no end.
		month, err := time.Parse("2006-01", strings.TrimPrefix(p, "/cal/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		page(fmt.Sprintf(`<a href="/cal/%s">next month</a> <a href="/deep/%s/">archive</a>`,
			month.AddDate(0, 1, 0).Format("2006-01"), month.Format("2006-01")))
	case host == "calendar.test" && strings.HasPrefix(p, "/deep/"):
		page(fmt.Sprintf(`<a href="more/">older</a> <span>%s</span>`, p))
	case host == "broken.test" && p == "/":
		page(`<a href="/missing">gone</a> <a href="/error">flaky</a> <a href="/moved">moved</a>`)
	case host == "broken.test" && p == "/error":
		http.Error(w, "internal error", http.StatusInternalServerError)
	case host == "broken.test" && p == "/moved":
		http.Redirect(w, r, "/landing", http.StatusMovedPermanently)
	case host == "broken.test" && p == "/landing":
		page("the new home")
	default:
		http.NotFound(w, r)
	}
}

// Serve starts the web on a loopback port and returns a client that
// reaches every ".test" host there, and a function that stops it.
func (web *Web) Serve() (*http.Client, func(), error) {
	base, stop, err := loopback.Serve(web)
	if err != nil {
		return nil, nil, err
	}
	addr := strings.TrimPrefix(base, "http://")
	var d net.Dialer
	transport := &http.Transport{
		DialContext: func(ctx context.Context, network, hostport string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(hostport)
			if err != nil || !strings.HasSuffix(host, ".test") {
				return nil, fmt.Errorf("webcrawler: %s is not on the test web", hostport)
			}
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 2,
	}
	client := &http.Client{
		Transport: transport,
		Timeout:   5 * time.Second,
		// The crawler sees redirects and queues their targets itself, so
		// they go through dedupe, robots and politeness like any link.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return client, func() { transport.CloseIdleConnections(); stop() }, nil
}
