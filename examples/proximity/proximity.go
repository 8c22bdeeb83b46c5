// Package proximity is the proximity service system (Yelp-style "nearby
// businesses"): a business service with CRUD over HTTP and a location-based
// service answering nearby searches with pagination, backed by the
// geohash proximity index. The run seeds businesses, exercises CRUD through
// the HTTP API, pages through a nearby search and checks it against brute
// force, runs a read-heavy load (many readers, one writer) and compares
// the three indexes: geohash cells, S2 cells and a quadtree.
//
//	go run ./examples/tour proximity [-businesses 50000] [-readers 8] [-duration 1s]
//
// The server listens on 127.0.0.1 only.
package proximity

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sysdesign-go/sysdesign/geohash"
	"github.com/sysdesign-go/sysdesign/internal/loopback"
	"github.com/sysdesign-go/sysdesign/quadtree"
)

// Business is a row of the business table.
type Business struct {
	ID       int64   `json:"id"`
	Name     string  `json:"name"`
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
	Category string  `json:"category"`
}

// Hit is one search result.
type Hit struct {
	Business
	Dist float64 `json:"distance_m"`
}

// SearchPage is the body of a nearby search response.
type SearchPage struct {
	Businesses []Hit  `json:"businesses"`
	Next       string `json:"next_cursor,omitempty"`
}

// Service is the business table plus its geospatial index. Safe for
// concurrent use.
type Service struct {
	mu     sync.RWMutex
	rows   map[int64]Business
	nextID int64
	index  *geohash.Index[int64]
}

// NewService returns an empty service using the given index kind.
func NewService(kind geohash.Kind) (*Service, error) {
	ix, err := geohash.NewIndex[int64](geohash.IndexOptions{Kind: kind})
	if err != nil {
		return nil, err
	}
	return &Service{rows: make(map[int64]Business), index: ix, nextID: 1}, nil
}

// Create stores b with a new ID.
func (s *Service) Create(b Business) (Business, error) {
	if err := geohash.CheckPoint(b.Lat, b.Lon); err != nil {
		return Business{}, err
	}
	s.mu.Lock()
	b.ID = s.nextID
	s.nextID++
	s.rows[b.ID] = b
	s.mu.Unlock()
	return b, s.index.Add(b.ID, b.Lat, b.Lon)
}

// Get returns the business id.
func (s *Service) Get(id int64) (Business, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, ok := s.rows[id]
	return b, ok
}

// Update replaces business b.ID, moving it in the index.
func (s *Service) Update(b Business) (bool, error) {
	if err := geohash.CheckPoint(b.Lat, b.Lon); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.rows[b.ID]; !ok {
		return false, nil
	}
	s.rows[b.ID] = b
	return true, s.index.Add(b.ID, b.Lat, b.Lon)
}

// Delete removes business id.
func (s *Service) Delete(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.rows[id]; !ok {
		return false
	}
	delete(s.rows, id)
	s.index.Remove(id)
	return true
}

// Nearby returns a page of businesses within radius metres, nearest first.
func (s *Service) Nearby(lat, lon, radius float64, limit int, cursor string) (SearchPage, error) {
	var after *geohash.Cursor[int64]
	if cursor != "" {
		c, err := decodeCursor(cursor)
		if err != nil {
			return SearchPage{}, err
		}
		after = &c
	}
	res, next, err := s.index.Nearby(lat, lon, radius, limit, after)
	if err != nil {
		return SearchPage{}, err
	}
	page := SearchPage{Businesses: make([]Hit, 0, len(res))}
	s.mu.RLock()
	for _, r := range res {
		if b, ok := s.rows[r.ID]; ok {
			page.Businesses = append(page.Businesses, Hit{Business: b, Dist: math.Round(r.Dist*10) / 10})
		}
	}
	s.mu.RUnlock()
	if next != nil {
		page.Next = encodeCursor(*next)
	}
	return page, nil
}

// The cursor is opaque to clients: the last result's distance and ID.
func encodeCursor(c geohash.Cursor[int64]) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], math.Float64bits(c.Dist))
	binary.BigEndian.PutUint64(b[8:], uint64(c.ID))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

var errBadCursor = errors.New("proximity: bad cursor")

func decodeCursor(s string) (geohash.Cursor[int64], error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 16 {
		return geohash.Cursor[int64]{}, errBadCursor
	}
	return geohash.Cursor[int64]{Dist: math.Float64frombits(binary.BigEndian.Uint64(b[:8])), ID: int64(binary.BigEndian.Uint64(b[8:]))}, nil
}

// Handler returns the HTTP API:
//
//	POST   /v1/businesses          create (JSON body), 201 with the row
//	GET    /v1/businesses/{id}     read, 404 if absent
//	PUT    /v1/businesses/{id}     update (JSON body)
//	DELETE /v1/businesses/{id}     delete, 204
//	GET    /v1/search/nearby?lat=&lon=&radius=&limit=&cursor=
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/businesses", func(w http.ResponseWriter, r *http.Request) {
		var b Business
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		b, err := s.Create(b)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, http.StatusCreated, b)
	})
	mux.HandleFunc("GET /v1/businesses/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		b, ok := s.Get(id)
		if err != nil || !ok {
			http.NotFound(w, r)
			return
		}
		writeJSON(w, http.StatusOK, b)
	})
	mux.HandleFunc("PUT /v1/businesses/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		var b Business
		if err == nil {
			err = json.NewDecoder(r.Body).Decode(&b)
		}
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		b.ID = id
		ok, err := s.Update(b)
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadRequest)
		case !ok:
			http.NotFound(w, r)
		default:
			writeJSON(w, http.StatusOK, b)
		}
	})
	mux.HandleFunc("DELETE /v1/businesses/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || !s.Delete(id) {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /v1/search/nearby", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		lat, e1 := strconv.ParseFloat(q.Get("lat"), 64)
		lon, e2 := strconv.ParseFloat(q.Get("lon"), 64)
		radius, e3 := strconv.ParseFloat(q.Get("radius"), 64)
		limit := 20
		if l := q.Get("limit"); l != "" {
			v, err := strconv.Atoi(l)
			if err != nil || v < 1 || v > 1000 {
				http.Error(w, "bad limit", http.StatusBadRequest)
				return
			}
			limit = v
		}
		if err := errors.Join(e1, e2, e3); err != nil || radius > 50000 {
			http.Error(w, "need lat, lon and radius (metres, at most 50000)", http.StatusBadRequest)
			return
		}
		page, err := s.Nearby(lat, lon, radius, limit, q.Get("cursor"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, http.StatusOK, page)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// Paris, roughly: the seeded businesses lie in this box.
const (
	minLat, maxLat = 48.80, 48.92
	minLon, maxLon = 2.22, 2.47
)

var categories = []string{"cafe", "bakery", "restaurant", "bookshop", "pharmacy"}

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("proximity", flag.ContinueOnError)
	fs.SetOutput(w)
	n := fs.Int("businesses", 50_000, "businesses to seed")
	readers := fs.Int("readers", 8, "concurrent search clients in the load phase")
	dur := fs.Duration("duration", time.Second, "length of the load phase")
	seed := fs.Uint64("seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 100 || *readers < 1 || *dur <= 0 {
		return errors.New("proximity: need at least 100 businesses, one reader and a positive duration")
	}
	r := rand.New(rand.NewPCG(*seed, 2))
	svc, err := NewService(geohash.KindGeohash)
	if err != nil {
		return err
	}
	seedRows := make([]Business, *n)
	for i := range seedRows {
		b, err := svc.Create(Business{
			Name:     fmt.Sprintf("%s #%d", categories[i%len(categories)], i),
			Lat:      minLat + r.Float64()*(maxLat-minLat),
			Lon:      minLon + r.Float64()*(maxLon-minLon),
			Category: categories[i%len(categories)],
		})
		if err != nil {
			return err
		}
		seedRows[i] = b
	}
	fmt.Fprintf(w, "seeded %d businesses around Paris\n", *n)

	base, stop, err := loopback.Serve(svc.Handler())
	if err != nil {
		return err
	}
	defer stop()
	c := &client{base: base, http: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	fmt.Fprintf(w, "API on %s\n", base)

	if err := crud(ctx, w, c); err != nil {
		return err
	}
	if err := paging(ctx, w, c, svc); err != nil {
		return err
	}
	if err := load(ctx, w, c, svc, *readers, *dur, *seed); err != nil {
		return err
	}
	return compareIndexes(w, svc, *seed)
}

type client struct {
	base string
	http *http.Client
}

func (c *client) do(ctx context.Context, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(json.NewEncoder(pw).Encode(body)) }()
		rd = pr
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return resp.StatusCode, err
		}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func crud(ctx context.Context, w io.Writer, c *client) error {
	var b Business
	code, err := c.do(ctx, "POST", "/v1/businesses", Business{Name: "Chez Sysdesign", Lat: 48.8573, Lon: 2.3414, Category: "cafe"}, &b)
	if err != nil || code != http.StatusCreated {
		return fmt.Errorf("create: %d %v", code, err)
	}
	var found SearchPage
	if _, err := c.do(ctx, "GET", "/v1/search/nearby?lat=48.8573&lon=2.3414&radius=5&limit=5", nil, &found); err != nil {
		return err
	}
	if len(found.Businesses) == 0 || found.Businesses[0].ID != b.ID {
		return errors.New("create: new business not found by nearby search")
	}
	b.Lat, b.Lon = 48.8867, 2.3431 // moves to Montmartre
	if code, err := c.do(ctx, "PUT", fmt.Sprintf("/v1/businesses/%d", b.ID), b, nil); err != nil || code != http.StatusOK {
		return fmt.Errorf("update: %d %v", code, err)
	}
	var got Business
	if code, err := c.do(ctx, "GET", fmt.Sprintf("/v1/businesses/%d", b.ID), nil, &got); err != nil || code != http.StatusOK || got.Lat != b.Lat {
		return fmt.Errorf("read after update: %d %v %+v", code, err, got)
	}
	if _, err := c.do(ctx, "GET", "/v1/search/nearby?lat=48.8867&lon=2.3431&radius=5", nil, &found); err != nil {
		return err
	}
	moved := len(found.Businesses) > 0 && found.Businesses[0].ID == b.ID
	if code, err := c.do(ctx, "DELETE", fmt.Sprintf("/v1/businesses/%d", b.ID), nil, nil); err != nil || code != http.StatusNoContent {
		return fmt.Errorf("delete: %d %v", code, err)
	}
	code, err = c.do(ctx, "GET", fmt.Sprintf("/v1/businesses/%d", b.ID), nil, nil)
	if err != nil || code != http.StatusNotFound || !moved {
		return fmt.Errorf("after delete: %d %v (found at new place: %v)", code, err, moved)
	}
	code, _ = c.do(ctx, "GET", "/v1/search/nearby?lat=95&lon=0&radius=5", nil, nil)
	fmt.Fprintf(w, "CRUD: created #%d, found it nearby, moved it (found at the new place), deleted it (then 404); bad search -> %d\n", b.ID, code)
	if code != http.StatusBadRequest {
		return fmt.Errorf("bad search returned %d", code)
	}
	return nil
}

func paging(ctx context.Context, w io.Writer, c *client, svc *Service) error {
	const lat, lon, radius = 48.8566, 2.3522, 800.0
	var all []Hit
	cursor, pages := "", 0
	for {
		var p SearchPage
		path := fmt.Sprintf("/v1/search/nearby?lat=%v&lon=%v&radius=%v&limit=20&cursor=%s", lat, lon, radius, cursor)
		if code, err := c.do(ctx, "GET", path, nil, &p); err != nil || code != http.StatusOK {
			return fmt.Errorf("search: %d %v", code, err)
		}
		pages++
		all = append(all, p.Businesses...)
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	// Brute force over the table.
	want := 0
	svc.mu.RLock()
	for _, b := range svc.rows {
		if geohash.Distance(lat, lon, b.Lat, b.Lon) <= radius {
			want++
		}
	}
	svc.mu.RUnlock()
	sorted := slices.IsSortedFunc(all, func(a, b Hit) int {
		if a.Dist < b.Dist {
			return -1
		}
		if a.Dist > b.Dist {
			return 1
		}
		return 0
	})
	seen := map[int64]bool{}
	for _, h := range all {
		seen[h.ID] = true
	}
	fmt.Fprintf(w, "nearby search, 800 m around Hotel de Ville: %d businesses in %d pages of 20; brute force finds %d; nearest first: %v; duplicates: %d\n",
		len(all), pages, want, sorted, len(all)-len(seen))
	if len(all) != want || !sorted || len(seen) != len(all) {
		return errors.New("paging: results differ from brute force")
	}
	return nil
}

func load(ctx context.Context, w io.Writer, c *client, svc *Service, readers int, dur time.Duration, seed uint64) error {
	// Requests use ctx; the phase ends at the deadline, but every reader
	// completes at least one search so a slow machine still measures.
	deadline := time.Now().Add(dur)
	var queries, results, writes, failures atomic.Int64
	var (
		errOnce  sync.Once
		firstErr error
	)
	fail := func(err error) {
		failures.Add(1)
		errOnce.Do(func() { firstErr = err })
	}
	lat := make([][]time.Duration, readers)
	var wg sync.WaitGroup
	for i := 0; i < readers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(10+i)))
			for len(lat[i]) == 0 || time.Now().Before(deadline) {
				if ctx.Err() != nil {
					fail(ctx.Err())
					return
				}
				qlat, qlon := minLat+r.Float64()*(maxLat-minLat), minLon+r.Float64()*(maxLon-minLon)
				var p SearchPage
				start := time.Now()
				code, err := c.do(ctx, "GET", fmt.Sprintf("/v1/search/nearby?lat=%v&lon=%v&radius=500&limit=20", qlat, qlon), nil, &p)
				if err != nil || code != http.StatusOK {
					fail(fmt.Errorf("search: %d %v", code, err))
					return
				}
				lat[i] = append(lat[i], time.Since(start))
				queries.Add(1)
				results.Add(int64(len(p.Businesses)))
			}
		}(i)
	}
	wg.Add(1)
	go func() { // one writer: owners edit their listings
		defer wg.Done()
		r := rand.New(rand.NewPCG(seed, 99))
		for time.Now().Before(deadline) && ctx.Err() == nil {
			id := 1 + r.Int64N(1000)
			b := Business{Name: "renamed", Lat: minLat + r.Float64()*(maxLat-minLat), Lon: minLon + r.Float64()*(maxLon-minLon), Category: "cafe"}
			code, err := c.do(ctx, "PUT", fmt.Sprintf("/v1/businesses/%d", id), b, nil)
			if err != nil || code != http.StatusOK {
				fail(fmt.Errorf("update: %d %v", code, err))
				return
			}
			writes.Add(1)
			time.Sleep(10 * time.Millisecond) // writes are rare in this system
		}
	}()
	wg.Wait()
	if failures.Load() > 0 {
		return fmt.Errorf("load: %d failures, first: %v", failures.Load(), firstErr)
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	q := func(p float64) time.Duration { return all[int(p*float64(len(all)-1))].Round(time.Microsecond) }
	fmt.Fprintf(w, "read-heavy load over HTTP, %d readers and 1 writer for %v: %d searches (%.0f/s, %.1f results each), %d updates, p50 %v p99 %v, failures 0\n",
		readers, dur, queries.Load(), float64(queries.Load())/dur.Seconds(), float64(results.Load())/float64(queries.Load()), writes.Load(), q(0.5), q(0.99))
	return nil
}

// compareIndexes answers the same queries in-process with the geohash
// index, an S2 index and a quadtree, checks they agree, and times them.
func compareIndexes(w io.Writer, svc *Service, seed uint64) error {
	s2svc, err := geohash.NewIndex[int64](geohash.IndexOptions{Kind: geohash.KindS2})
	if err != nil {
		return err
	}
	svc.mu.RLock()
	pts := make([]quadtree.Point[int64], 0, len(svc.rows))
	for _, b := range svc.rows {
		pts = append(pts, quadtree.Point[int64]{Lat: b.Lat, Lon: b.Lon, Value: b.ID})
		if err := s2svc.Add(b.ID, b.Lat, b.Lon); err != nil {
			svc.mu.RUnlock()
			return err
		}
	}
	svc.mu.RUnlock()
	qt, err := quadtree.Load(pts, quadtree.Options{})
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(seed, 3))
	const queries = 2000
	type q struct{ lat, lon float64 }
	qs := make([]q, queries)
	for i := range qs {
		qs[i] = q{minLat + r.Float64()*(maxLat-minLat), minLon + r.Float64()*(maxLon-minLon)}
	}
	counts := [3]int{}
	var took [3]time.Duration
	var buf []quadtree.Result[int64]
	for k, ix := range []*geohash.Index[int64]{svc.index, s2svc} {
		start := time.Now()
		for _, q := range qs {
			res, _, err := ix.Nearby(q.lat, q.lon, 500, 0, nil)
			if err != nil {
				return err
			}
			counts[k] += len(res)
		}
		took[k] = time.Since(start)
	}
	start := time.Now()
	for _, q := range qs {
		buf = qt.AppendRadius(buf[:0], q.lat, q.lon, 500)
		counts[2] += len(buf)
	}
	took[2] = time.Since(start)
	fmt.Fprintf(w, "same %d searches (500 m) in-process: geohash index %v/query, S2 index %v/query, quadtree %v/query; results %d / %d / %d\n",
		queries, took[0]/queries, took[1]/queries, took[2]/queries, counts[0], counts[1], counts[2])
	if counts[0] != counts[1] || counts[1] != counts[2] {
		return errors.New("indexes disagree")
	}
	nn := qt.AppendNearest(nil, 48.8566, 2.3522, 3)
	fmt.Fprintf(w, "3 nearest to Hotel de Ville (quadtree k-nearest): ")
	for _, h := range nn {
		b, _ := svc.Get(h.Value)
		fmt.Fprintf(w, "%q %.0f m  ", b.Name, h.Dist)
	}
	fmt.Fprintln(w)
	return nil
}
