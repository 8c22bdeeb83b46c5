// Package webcrawler is the web crawler system: a URL frontier with
// per-host back queues served in politeness order (each host owned by one
// downloader, chosen on a consistent-hash ring from hashring, and paced by a
// ratelimit bucket at its robots.txt Crawl-delay), shallow-first priority,
// robots.txt, URL dedupe with a Bloom filter (bloom), content dedupe by
// fingerprint, and limits that end spider traps, run against a local test
// web of made-up sites (see Web).
//
// The run crawls the test web from one seed, prints what happened per host,
// and checks from the web server's own log that no disallowed page was
// requested and that no host was hit faster than its delay.
//
//	go run ./examples/tour webcrawler [-workers 3] [-delay 10ms]
package webcrawler

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sysdesign-go/sysdesign/hashring"
)

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("webcrawler", flag.ContinueOnError)
	fs.SetOutput(w)
	workers := fs.Int("workers", 3, "downloaders (hosts are spread over them on a hash ring)")
	delay := fs.Duration("delay", 10*time.Millisecond, "politeness delay for hosts whose robots.txt gives none")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *workers < 1 || *workers > 64 || *delay < time.Millisecond {
		return errors.New("webcrawler: need 1-64 workers and a delay of at least 1ms")
	}
	web := &Web{}
	client, stop, err := web.Serve()
	if err != nil {
		return err
	}
	defer stop()
	cfg := Config{
		Seeds: []string{"http://news.test/"}, Client: client, Workers: *workers, DefaultDelay: *delay,
		MaxDepth: 8, MaxPagesPerHost: 32, MaxURLLen: 60, ExpectedURLs: 10_000,
	}
	fmt.Fprintf(w, "crawling the test web from %s with %d workers (default delay %v, depth <= %d, <= %d URLs per host, URLs <= %d bytes)\n\n",
		cfg.Seeds[0], cfg.Workers, cfg.DefaultDelay, cfg.MaxDepth, cfg.MaxPagesPerHost, cfg.MaxURLLen)
	rep, err := Crawl(ctx, cfg)
	if err != nil {
		return err
	}

	fmt.Fprintf(w, "%-14s %-9s %6s %6s %9s %6s %7s %9s %8s\n", "host", "worker", "delay", "pages", "dup-body", "errors", "robots", "requests", "min gap")
	for _, h := range rep.Hosts {
		hits := web.Hits(h.Host)
		fmt.Fprintf(w, "%-14s %-9s %6v %6d %9d %6d %7d %9d %8v\n", h.Host, h.Worker, h.Delay, h.Fetched, h.DupContent, h.Errors, h.Robot, len(hits), h.MinGap.Round(time.Millisecond/10))
		// Politeness: requests start at least Delay apart. (The server's
		// arrival times would show it too, give or take the scheduling
		// jitter of a busy machine.)
		if h.Requests > 1 && h.MinGap < h.Delay {
			return fmt.Errorf("webcrawler: requests to %s started %v apart, under its delay %v", h.Host, h.MinGap, h.Delay)
		}
		if len(hits) != h.Requests {
			return fmt.Errorf("webcrawler: %s served %d requests, the crawler made %d", h.Host, len(hits), h.Requests)
		}
		for _, hit := range hits {
			if h.Host == "news.test" && strings.HasPrefix(hit.Path, "/private/") || h.Host == "private.test" && hit.Path != "/robots.txt" {
				return fmt.Errorf("webcrawler: requested %s%s, which robots.txt disallows", h.Host, hit.Path)
			}
		}
	}
	fmt.Fprintf(w, "\n%d pages in %v; skipped: %d already-seen URLs (Bloom filter), %d duplicate bodies (mirrors, ?ref= variants), "+
		"%d disallowed by robots.txt; %d errors, %d redirects followed\n",
		rep.Pages, rep.Elapsed.Round(time.Millisecond), rep.DupURLs, rep.DupContent, rep.RobotsBlocked, rep.Errors, rep.Redirects)
	fmt.Fprintf(w, "spider trap cut off: %d links past depth %d, %d URLs over %d bytes, %d links past a host's budget of %d\n",
		rep.CutDepth, cfg.MaxDepth, rep.CutURLLen, cfg.MaxURLLen, rep.CutHostBudget, cfg.MaxPagesPerHost)
	fmt.Fprintln(w, "server log: every request accounted for, no disallowed page requested; requests to each host started at least its delay apart")
	return showRebalance(w, rep, *workers)
}

// showRebalance says which hosts would change downloader if one more
// joined: on a consistent-hash ring only those the new one takes.
func showRebalance(w io.Writer, rep *Report, workers int) error {
	nodes := make([]hashring.Node, workers+1)
	for i := range nodes {
		nodes[i] = hashring.Node{ID: fmt.Sprintf("worker-%d", i)}
	}
	grown, err := hashring.New(hashring.Options{}, nodes...)
	if err != nil {
		return err
	}
	moved := 0
	for _, h := range rep.Hosts {
		if owner, _ := grown.Get(h.Host); owner != h.Worker {
			if owner != nodes[workers].ID {
				return fmt.Errorf("webcrawler: %s moved from %s to %s, not to the new worker", h.Host, h.Worker, owner)
			}
			moved++
		}
	}
	fmt.Fprintf(w, "adding %s would move %d of %d hosts, all to it; the others keep their downloader and its politeness state\n",
		nodes[workers].ID, moved, len(rep.Hosts))
	return nil
}
