package urlshortener

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/sysdesign-go/sysdesign/base62"
	"github.com/sysdesign-go/sysdesign/bloom"
	"github.com/sysdesign-go/sysdesign/lsm"
	"github.com/sysdesign-go/sysdesign/snowflake"
)

// Strategy is how a short code is made from a long URL.
type Strategy int

const (
	// ByID encodes a fresh snowflake ID in base62: never collides, needs an
	// ID generator, and the code is as long as the ID (11 characters for a
	// 63-bit snowflake) and reveals its creation time.
	ByID Strategy = iota
	// ByHash takes HashLen base62 digits of the URL's xxhash: short codes,
	// no generator, but two URLs can get the same code. A collision is
	// resolved by appending a fixed string to the URL and hashing again,
	// which needs a lookup per attempt (answered by the Bloom filter when
	// the code is new).
	ByHash
)

func (s Strategy) String() string {
	if s == ByHash {
		return "hash+collision"
	}
	return "snowflake id"
}

// MaxURLLen bounds accepted long URLs, as browsers and proxies commonly do.
const MaxURLLen = 2048

var (
	// ErrBadURL is returned by Shorten for anything but an absolute http or
	// https URL of at most MaxURLLen bytes.
	ErrBadURL = errors.New("urlshortener: not an absolute http(s) URL")
	// ErrNotFound is returned by Resolve for a code that was never issued.
	ErrNotFound = errors.New("urlshortener: unknown code")
)

// Options configure a Shortener; the zero value means ByID codes.
type Options struct {
	Strategy Strategy
	// HashLen is the code length for ByHash, 1-10 digits (62^HashLen
	// codes); default 7, about 3.5 trillion codes.
	HashLen int
	// Machine is the snowflake machine ID for ByID (default 0).
	Machine int64
}

// Stats count what the Shortener did since it was opened.
type Stats struct {
	Created, Deduplicated int64 // Shorten calls that stored a code / returned an existing one
	Collisions            int64 // ByHash codes already taken by another URL
	Resolved, Unknown     int64 // Resolve calls that found a URL / did not
	FilterSkips           int64 // unknown codes rejected by the Bloom filter without a read
}

// Shortener maps long URLs to short codes and back, stored in an lsm.DB:
// "c/<code>" holds the long URL and "u/<long URL>" the code, so shortening
// the same URL twice returns the same code. Both keys are written in one
// synced batch. A scalable Bloom filter over the issued codes, rebuilt from
// the table at Open, lets Resolve reject unknown codes (scanners probing
// random codes) without touching the store.
//
// A Shortener is safe for concurrent use: Shorten calls are serialised (the
// check for an existing URL or code and the write must not interleave),
// Resolve calls run in parallel.
type Shortener struct {
	db    *lsm.DB
	opts  Options
	ids   *snowflake.Generator
	mu    sync.Mutex   // serialises Shorten
	fmu   sync.RWMutex // guards codes
	codes *bloom.Scalable

	created, dedup, collisions, resolved, unknown, skips atomic.Int64
}

var (
	codePrefix = []byte("c/")
	synced     = &lsm.WriteOptions{Sync: true}
)

func codeKey(code string) []byte { return append([]byte("c/"), code...) }

// Open opens (or creates) a shortener stored in dir.
func Open(dir string, opts Options) (*Shortener, error) {
	if opts.HashLen == 0 {
		opts.HashLen = 7
	}
	if opts.HashLen < 1 || opts.HashLen > 10 {
		return nil, fmt.Errorf("urlshortener: HashLen %d outside 1-10", opts.HashLen)
	}
	codes, err := bloom.NewScalable(0.001, bloom.ScalableOptions{})
	if err != nil {
		return nil, err
	}
	s := &Shortener{opts: opts, codes: codes}
	if opts.Strategy == ByID {
		// A real fleet leases machine IDs (snowflake/redisfleet) and keeps a
		// high-water mark; one process with a fixed ID is enough here.
		if s.ids, err = snowflake.New(snowflake.Config{Machine: opts.Machine}); err != nil {
			return nil, err
		}
	}
	if s.db, err = lsm.Open(dir, nil); err != nil {
		return nil, err
	}
	// The filter is derived state: rebuild it from the stored codes.
	it := s.db.NewIter(&lsm.IterOptions{Prefix: codePrefix})
	for k := range it.All() {
		s.codes.Add(k[len(codePrefix):])
	}
	if err := errors.Join(it.Error(), it.Close()); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the store.
func (s *Shortener) Close() error { return s.db.Close() }

// Shorten returns the code for longURL, creating it unless the URL was
// shortened before (created reports which).
func (s *Shortener) Shorten(longURL string) (code string, created bool, err error) {
	if err := checkURL(longURL); err != nil {
		return "", false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	urlKey := append([]byte("u/"), longURL...)
	switch old, err := s.db.Get(urlKey); {
	case err == nil:
		s.dedup.Add(1)
		return string(old), false, nil
	case !errors.Is(err, lsm.ErrNotFound):
		return "", false, err
	}
	if code, err = s.newCode(longURL); err != nil {
		return "", false, err
	}
	var b lsm.Batch
	b.Put(codeKey(code), []byte(longURL))
	b.Put(urlKey, []byte(code))
	if err := s.db.Apply(&b, synced); err != nil {
		return "", false, err
	}
	s.fmu.Lock()
	s.codes.AddString(code)
	s.fmu.Unlock()
	s.created.Add(1)
	return code, true, nil
}

// newCode makes a code no other URL holds. It runs under s.mu.
func (s *Shortener) newCode(longURL string) (string, error) {
	if s.opts.Strategy == ByID {
		id, err := s.ids.Next()
		if err != nil {
			return "", err
		}
		return base62.StdEncoding.EncodeUint64(uint64(id)), nil
	}
	space := pow62(s.opts.HashLen)
	// Each attempt hashes the URL with one more copy of the suffix; after
	// 64 taken codes in a row the code space is too full to go on.
	for attempt := 0; attempt < 64; attempt++ {
		h := bloom.HashString(longURL+suffix(attempt)) % space
		var buf [base62.MaxUint64Len]byte
		code := string(base62.StdEncoding.AppendUint64Fixed(buf[:0], h)[base62.MaxUint64Len-s.opts.HashLen:])
		if !s.mayExist(code) {
			return code, nil
		}
		switch _, err := s.db.Get(codeKey(code)); {
		case errors.Is(err, lsm.ErrNotFound):
			return code, nil // a Bloom false positive
		case err != nil:
			return "", err
		}
		s.collisions.Add(1)
	}
	return "", fmt.Errorf("urlshortener: no free %d-digit code for %q after 64 attempts", s.opts.HashLen, longURL)
}

// suffix is the "predefined string" appended to a colliding URL.
func suffix(attempt int) string {
	if attempt == 0 {
		return ""
	}
	return "#collision-" + strconv.Itoa(attempt)
}

func pow62(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 62
	}
	return p
}

// Resolve returns the long URL of code.
func (s *Shortener) Resolve(code string) (string, error) {
	if _, err := base62.StdEncoding.DecodeUint64(code); err != nil {
		s.unknown.Add(1)
		return "", fmt.Errorf("%w: %q is not a base62 code", ErrNotFound, code)
	}
	if !s.mayExist(code) {
		s.unknown.Add(1)
		s.skips.Add(1)
		return "", fmt.Errorf("%w: %q", ErrNotFound, code)
	}
	v, err := s.db.Get(codeKey(code))
	if errors.Is(err, lsm.ErrNotFound) {
		s.unknown.Add(1)
		return "", fmt.Errorf("%w: %q", ErrNotFound, code)
	}
	if err != nil {
		return "", err
	}
	s.resolved.Add(1)
	return string(v), nil
}

func (s *Shortener) mayExist(code string) bool {
	s.fmu.RLock()
	defer s.fmu.RUnlock()
	return s.codes.ContainsString(code)
}

// Stats returns the counters.
func (s *Shortener) Stats() Stats {
	return Stats{
		Created: s.created.Load(), Deduplicated: s.dedup.Load(), Collisions: s.collisions.Load(),
		Resolved: s.resolved.Load(), Unknown: s.unknown.Load(), FilterSkips: s.skips.Load(),
	}
}

func checkURL(raw string) error {
	if len(raw) > MaxURLLen {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrBadURL, len(raw), MaxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return fmt.Errorf("%w: %q", ErrBadURL, raw)
	}
	return nil
}
