// Package autocomplete is the search-autocomplete system: a data-gathering
// step turns a raw query log into weighted queries, a builder makes an
// immutable trie snapshot with the top 10 cached at every node, and a query
// service answers GET /autocomplete?q=<prefix> over HTTP from whatever
// snapshot is current, while the next one is built and swapped in.
//
// The run generates a week of searches (phrases of words from the shared
// SUBTLEX-US word list when present, synthetic words otherwise, with Zipf
// popularity), writes the raw log to a file, builds the trie from it with
// trie.ReadLog, serves it on 127.0.0.1, and replays users typing queries
// letter by letter from several clients. Halfway through, the next week's
// log (with a new trending query) is built and swapped in; the report shows
// that no request failed, that the trend appears after the swap, the
// client-side and in-server latency percentiles, a typo-tolerant lookup, and
// the index size.
//
//	go run ./examples/tour autocomplete [-queries 50000] [-searches 300000] [-requests 20000]
package autocomplete

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sysdesign-go/sysdesign/internal/loopback"
	"github.com/sysdesign-go/sysdesign/internal/shareddata"
	"github.com/sysdesign-go/sysdesign/trie"
)

// Suggestion is one entry of the service's JSON reply.
type Suggestion struct {
	Query    string `json:"query"`
	Weight   int64  `json:"weight"`
	Distance int    `json:"distance,omitempty"`
}

const trending = "world cup final tickets"

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("autocomplete", flag.ContinueOnError)
	fs.SetOutput(w)
	distinct := fs.Int("queries", 50_000, "distinct queries in the log")
	searches := fs.Int("searches", 300_000, "searches (lines) in the raw log")
	requests := fs.Int("requests", 20_000, "autocomplete requests to replay")
	clients := fs.Int("clients", 4, "concurrent clients")
	seed := fs.Uint64("seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *distinct < 100 || *searches < *distinct || *requests < 10 || *clients < 1 {
		return errors.New("autocomplete: need >= 100 queries, searches >= queries, >= 10 requests, >= 1 client")
	}
	dir, err := os.MkdirTemp("", "autocomplete")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// 1. Data gathering: a raw log of searches, one per line.
	vocab, source := vocabulary(*seed)
	r := rand.New(rand.NewPCG(*seed, 11))
	phrases := makePhrases(r, vocab, *distinct)
	week1 := filepath.Join(dir, "week1.log")
	if err := writeLog(week1, r, phrases, *searches, ""); err != nil {
		return err
	}
	fmt.Fprintf(w, "query log: %d searches drawn from %d candidate queries (words from %s)\n", *searches, len(phrases), source)

	// 2. Build the snapshot from the log.
	opts := trie.Options{FoldCase: true, Normalize: strings.TrimSpace}
	start := time.Now()
	snap, err := build(week1, opts)
	if err != nil {
		return err
	}
	st := snap.Stats()
	blob, _ := snap.MarshalBinary()
	fmt.Fprintf(w, "built trie in %v: %d distinct queries, %d nodes, ~%.0f B/query in memory, %d KiB encoded for shipping\n",
		time.Since(start).Round(time.Millisecond), st.Queries, st.Nodes, st.BytesPerQuery(), len(blob)/1024)
	shipped, err := trie.UnmarshalSnapshot(blob, opts.Normalize)
	if err != nil {
		return err
	}
	var current trie.Holder
	current.Store(shipped)

	// 3. The query service on loopback.
	svc := &service{holder: &current}
	base, stop, err := loopback.Serve(svc)
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintf(w, "serving GET %s/autocomplete?q=<prefix>[&k=10][&typo=1]\n\n", base)

	// 4. Users type queries letter by letter; halfway, week 2 is swapped in.
	typed := typing(r, phrases, *requests)
	week2 := filepath.Join(dir, "week2.log")
	if err := writeLog(week2, r, phrases, *searches/2, trending); err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *clients}}
	defer client.CloseIdleConnections()
	var next atomic.Int64
	var failed atomic.Int64
	lat := make([][]time.Duration, *clients)
	swapAt := int64(len(typed) / 2)
	swapped := make(chan time.Duration, 1)
	var wg sync.WaitGroup
	for c := range *clients {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(len(typed)) || ctx.Err() != nil {
					return
				}
				if i == swapAt {
					go func() {
						t0 := time.Now()
						s, err := build(week2, opts)
						if err != nil {
							failed.Add(1)
							return
						}
						current.Store(s)
						swapped <- time.Since(t0)
					}()
				}
				t0 := time.Now()
				res, err := get(ctx, client, base, typed[i], false)
				lat[c] = append(lat[c], time.Since(t0))
				if err != nil || !slices.IsSortedFunc(res, func(a, b Suggestion) int { return int(b.Weight - a.Weight) }) {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	var rebuild time.Duration
	select {
	case rebuild = <-swapped:
	case <-time.After(30 * time.Second):
		return errors.New("autocomplete: week 2 build did not finish")
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	server := svc.latencies()
	fmt.Fprintf(w, "replayed %d keystroke requests from %d clients; failed or unsorted: %d\n", len(all), *clients, failed.Load())
	fmt.Fprintf(w, "latency over HTTP:   p50 %v  p99 %v  max %v\n", pct(all, 50), pct(all, 99), pct(all, 100))
	fmt.Fprintf(w, "TopK inside server:  p50 %v  p99 %v  max %v\n", pct(server, 50), pct(server, 99), pct(server, 100))
	fmt.Fprintf(w, "week 2 built in %v and swapped in while serving\n\n", rebuild.Round(time.Millisecond))

	// 5. What users see now.
	res, err := get(ctx, client, base, "World c", false)
	if err != nil {
		return err
	}
	found := false
	fmt.Fprintln(w, `GET /autocomplete?q=World c  (after the swap)`)
	for _, s := range res[:min(5, len(res))] {
		fmt.Fprintf(w, "  %-32s %d\n", s.Query, s.Weight)
		found = found || s.Query == trending
	}
	fmt.Fprintf(w, "trending query served after the swap: %s\n\n", map[bool]string{true: "yes", false: "no"}[found])

	top := current.Load().TopK("", 1)[0].Query
	typo := swapLetters(top)
	res, err = get(ctx, client, base, typo, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "GET /autocomplete?q=%s&typo=1  (the most searched query, mistyped)\n", typo)
	corrected := false
	for _, s := range res[:min(3, len(res))] {
		fmt.Fprintf(w, "  %-32s %d  (%d edit)\n", s.Query, s.Weight, s.Distance)
		corrected = corrected || s.Query == top
	}
	fmt.Fprintf(w, "typo corrected: %s\n", map[bool]string{true: "yes", false: "no"}[corrected])
	if failed.Load() > 0 || !found || !corrected {
		return fmt.Errorf("autocomplete: %d failed requests, trend served %v, typo corrected %v", failed.Load(), found, corrected)
	}
	return nil
}

// vocabulary returns lower-case words: the 20,000 most frequent of the
// shared word list when present, else synthetic ones.
func vocabulary(seed uint64) ([]string, string) {
	if dir, err := shareddata.Find("words"); err == nil {
		if f, err := os.Open(filepath.Join(dir, "subtlex-us.tsv")); err == nil {
			defer f.Close()
			var words []string
			sc := bufio.NewScanner(f)
			for sc.Scan() && len(words) < 20_000 {
				word, _, _ := strings.Cut(sc.Text(), "\t")
				if len(word) > 2 {
					words = append(words, strings.ToLower(word))
				}
			}
			if sc.Err() == nil && len(words) > 1000 {
				return words, "the SUBTLEX-US word list"
			}
		}
	}
	r := rand.New(rand.NewPCG(seed, 5))
	words := make([]string, 5000)
	for i := range words {
		b := make([]byte, 3+r.IntN(6))
		for j := range b {
			b[j] = byte('a' + r.IntN(26))
		}
		words[i] = string(b)
	}
	return words, "a synthetic vocabulary"
}

func makePhrases(r *rand.Rand, vocab []string, n int) []string {
	z := rand.NewZipf(r, 1.2, 1, uint64(len(vocab)-1))
	seen := map[string]bool{}
	out := make([]string, 0, n)
	for len(out) < n {
		words := make([]string, 1+r.IntN(3))
		for i := range words {
			words[i] = vocab[z.Uint64()]
		}
		p := strings.Join(words, " ")
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// writeLog writes searches lines, each a query drawn with Zipf popularity,
// plus (if extra is set) a burst of searches for extra.
func writeLog(path string, r *rand.Rand, phrases []string, searches int, extra string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	z := rand.NewZipf(r, 1.05, 1, uint64(len(phrases)-1))
	for range searches {
		bw.WriteString(phrases[z.Uint64()])
		bw.WriteByte('\n')
	}
	if extra != "" {
		for range searches / 20 {
			// users type it in every case; the trie folds them together
			bw.WriteString([]string{extra, strings.ToUpper(extra), "World Cup Final Tickets"}[r.IntN(3)])
			bw.WriteByte('\n')
		}
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func build(path string, opts trie.Options) (*trie.Snapshot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := trie.ReadLog(f, opts)
	if err != nil {
		return nil, err
	}
	return t.Freeze(), nil
}

// typing returns the prefixes users send as they type popular queries.
func typing(r *rand.Rand, phrases []string, n int) []string {
	z := rand.NewZipf(r, 1.05, 1, uint64(len(phrases)-1))
	out := make([]string, 0, n)
	for len(out) < n {
		q := phrases[z.Uint64()]
		for i := 1; i <= len(q) && len(out) < n; i++ {
			out = append(out, q[:i])
		}
	}
	return out
}

func swapLetters(q string) string {
	b := []byte(q)
	if len(b) >= 3 {
		b[1], b[2] = b[2], b[1]
	}
	return string(b)
}

func get(ctx context.Context, c *http.Client, base, prefix string, typo bool) ([]Suggestion, error) {
	u := base + "/autocomplete?q=" + url.QueryEscape(prefix)
	if typo {
		u += "&typo=1"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %s", resp.Status)
	}
	var out []Suggestion
	return out, json.NewDecoder(resp.Body).Decode(&out)
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := min(len(d)-1, len(d)*p/100)
	return d[i].Round(100 * time.Nanosecond)
}

// service is the HTTP query service.
type service struct {
	holder *trie.Holder
	mu     sync.Mutex
	lat    []time.Duration
}

func (s *service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/autocomplete" || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	k := 10
	if v := q.Get("k"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10 {
			http.Error(w, "k must be 1..10", http.StatusBadRequest)
			return
		}
		k = n
	}
	snap := s.holder.Load()
	t0 := time.Now()
	var res []trie.Suggestion
	if q.Get("typo") == "1" {
		var err error
		if res, err = snap.Fuzzy(q.Get("q"), 1, k); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	} else {
		res = snap.TopK(q.Get("q"), k)
	}
	d := time.Since(t0)
	s.mu.Lock()
	s.lat = append(s.lat, d)
	s.mu.Unlock()
	out := make([]Suggestion, len(res))
	for i, x := range res {
		out[i] = Suggestion{x.Query, x.Weight, x.Distance}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(out)
}

func (s *service) latencies() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.lat)
	slices.Sort(out)
	return out
}
