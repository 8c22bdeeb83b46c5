package urlshortener

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/sysdesign-go/sysdesign/ratelimit"
)

// ShortenPath is the API endpoint that creates short URLs.
const ShortenPath = "/api/v1/data/shorten"

// ServerOptions configure the HTTP front end.
type ServerOptions struct {
	// BaseURL prefixes codes in the shortUrl answers, e.g. "https://tiny.example".
	BaseURL string
	// Redirect is http.StatusMovedPermanently (301: browsers cache it, so
	// repeat clicks never reach the service; less load, no click counts) or
	// http.StatusFound (302, the default: every click comes back, so clicks
	// can be counted).
	Redirect int
	// ShortenLimiter, if set, limits POST ShortenPath per client IP.
	ShortenLimiter ratelimit.Limiter
}

// Server is the HTTP API of a Shortener: POST ShortenPath with
// {"longUrl": "..."} answers {"shortUrl": "...", "code": "..."} (201 when
// created, 200 when the URL already had a code); GET /{code} redirects.
// A Server is safe for concurrent use.
type Server struct {
	sh      *Shortener
	opts    ServerOptions
	handler http.Handler

	mu     sync.Mutex
	clicks map[string]int64
}

// NewServer returns the API over sh.
func NewServer(sh *Shortener, opts ServerOptions) (*Server, error) {
	if opts.Redirect == 0 {
		opts.Redirect = http.StatusFound
	}
	if opts.Redirect != http.StatusFound && opts.Redirect != http.StatusMovedPermanently {
		return nil, errors.New("urlshortener: Redirect must be 301 or 302")
	}
	s := &Server{sh: sh, opts: opts, clicks: map[string]int64{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+ShortenPath, s.shorten)
	mux.HandleFunc("GET /{code}", s.redirect)
	s.handler = mux
	if opts.ShortenLimiter != nil {
		mw, err := ratelimit.NewMiddleware([]ratelimit.Rule{{
			Method: http.MethodPost, Path: ShortenPath, Limiter: opts.ShortenLimiter,
		}}, ratelimit.MiddlewareOptions{})
		if err != nil {
			return nil, err
		}
		s.handler = mw.Handler(mux)
	}
	return s, nil
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Clicks returns how many redirects for code this server answered.
func (s *Server) Clicks(code string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clicks[code]
}

type shortenRequest struct {
	LongURL string `json:"longUrl"`
}

type shortenResponse struct {
	ShortURL string `json:"shortUrl"`
	Code     string `json:"code"`
}

func (s *Server) shorten(w http.ResponseWriter, r *http.Request) {
	var req shortenRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxURLLen+256))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		http.Error(w, "bad request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	code, created, err := s.sh.Shorten(req.LongURL)
	switch {
	case errors.Is(err, ErrBadURL):
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	case err != nil:
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if created {
		w.WriteHeader(http.StatusCreated)
	}
	json.NewEncoder(w).Encode(shortenResponse{ShortURL: strings.TrimSuffix(s.opts.BaseURL, "/") + "/" + code, Code: code})
}

func (s *Server) redirect(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	long, err := s.sh.Resolve(code)
	switch {
	case errors.Is(err, ErrNotFound):
		http.NotFound(w, r)
		return
	case err != nil:
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.mu.Lock()
	s.clicks[code]++
	s.mu.Unlock()
	if s.opts.Redirect == http.StatusMovedPermanently {
		w.Header().Set("Cache-Control", "max-age=31536000")
	} else {
		w.Header().Set("Cache-Control", "private, no-store")
	}
	http.Redirect(w, r, long, s.opts.Redirect)
}
