package ratelimit

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"
)

// Rule applies one [Limiter] to the requests it matches.
type Rule struct {
	// Method matches the request method; empty matches every method.
	Method string
	// Path matches requests whose URL path starts with it; empty matches
	// every path.
	Path string
	// Limiter decides; required.
	Limiter Limiter
	// Key extracts the key; nil means ClientIP(nil).
	Key KeyFunc
	// Cost returns how many events a request counts for; nil means 1.
	Cost func(r *http.Request) int
	// Limits are announced in the RateLimit-Policy header; nil means the
	// Limiter's own Limits() when it has such a method (Store and
	// redisstore.Limiter do), else no policy header.
	Limits []Limit
}

// MiddlewareOptions configures a [Middleware]. The zero value means the
// documented defaults.
type MiddlewareOptions struct {
	// OnError is called when a Limiter returns an error (for example Redis
	// down under a fail-closed policy) or a KeyFunc fails, before the
	// middleware answers 503 or 400; nil means no call.
	OnError func(r *http.Request, err error)
}

// Middleware is net/http middleware enforcing rate limits: the first [Rule]
// matching a request decides it. Admitted requests get a RateLimit header
// and go to the next handler; rejected ones get 429 Too Many Requests with
// Retry-After (whole seconds, rounded up), RateLimit and RateLimit-Policy
// headers in the structured-field syntax of the IETF httpapi draft
// (draft-ietf-httpapi-ratelimit-headers), e.g.
//
//	RateLimit-Policy: "default";q=100;w=60
//	RateLimit: "default";r=0;t=30
//
// and an application/problem+json body (RFC 9457). For a LeakyQueue
// limiter the middleware holds the request for Result.Delay before calling
// the next handler. Requests that match no rule pass through untouched.
//
// The header value slices the middleware sets are shared between
// responses (the RateLimit-Policy value of a rule, and RateLimit values
// that recur, which are cached so that most admitted requests allocate
// nothing): a handler may replace them (Header().Set, Del, Add), but must
// not write into the slices.
//
// A Middleware is safe for concurrent use.
type Middleware struct {
	rules []rule
	opts  MiddlewareOptions
}

type rule struct {
	Rule
	policy []string                        // precomputed RateLimit-Policy value, cap == len
	heads  []head                          // precomputed RateLimit header starts of the limits
	recent *[256]atomic.Pointer[headerBox] // RateLimit values built lately
}

// head is the start of a RateLimit header value, `"name";r=`, for one
// limit.
type head struct {
	lim Limit
	s   string
}

// NewMiddleware returns a Middleware for rules, tried in order. It returns
// an error when a rule has no Limiter or invalid Limits.
func NewMiddleware(rules []Rule, opts MiddlewareOptions) (*Middleware, error) {
	m := &Middleware{opts: opts}
	for i, r := range rules {
		if r.Limiter == nil {
			return nil, fmt.Errorf("ratelimit: rule %d has no Limiter", i)
		}
		if r.Key == nil {
			r.Key = ClientIP(nil)
		}
		lims := r.Limits
		if lims == nil {
			if l, ok := r.Limiter.(interface{ Limits() []Limit }); ok {
				lims = l.Limits()
			}
		}
		cr := rule{Rule: r, recent: new([256]atomic.Pointer[headerBox])}
		if len(lims) > 0 {
			var b strings.Builder
			for j, l := range lims {
				if l.Rate <= 0 || l.Period <= 0 {
					return nil, fmt.Errorf("%w: rule %d: %v", ErrInvalidLimit, i, l)
				}
				if j > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "%q;q=%d;w=%d", l.PolicyName(), l.Rate, ceilSeconds(l.Period))
				cr.heads = append(cr.heads, head{l, strconv.Quote(l.PolicyName()) + ";r="})
			}
			cr.policy = []string{b.String()}
		}
		m.rules = append(m.rules, cr)
	}
	return m, nil
}

// Handler wraps next.
func (m *Middleware) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.serve(w, r, next)
	})
}

func (m *Middleware) match(r *http.Request) *rule {
	for i := range m.rules {
		ru := &m.rules[i]
		if (ru.Method == "" || ru.Method == r.Method) && strings.HasPrefix(r.URL.Path, ru.Path) {
			return ru
		}
	}
	return nil
}

func (m *Middleware) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	ru := m.match(r)
	if ru == nil {
		next.ServeHTTP(w, r)
		return
	}
	key, err := ru.Key(r)
	if err != nil {
		m.fail(w, r, http.StatusBadRequest, "Bad Request", err)
		return
	}
	n := 1
	if ru.Cost != nil {
		n = ru.Cost(r)
	}
	res, err := ru.Limiter.AllowN(r.Context(), key, n)
	if err != nil {
		if errors.Is(err, ErrExceedsBurst) || errors.Is(err, ErrNegativeN) {
			m.fail(w, r, http.StatusRequestEntityTooLarge, "Request Too Large For Rate Limit", err)
			return
		}
		m.fail(w, r, http.StatusServiceUnavailable, "Service Unavailable", err)
		return
	}
	h := w.Header()
	if ru.policy != nil {
		h["Ratelimit-Policy"] = ru.policy[:1:1]
	}
	h["Ratelimit"] = ru.rateLimitHeader(res)
	if !res.Allowed {
		retry := ceilSeconds(res.RetryAfter)
		h["Retry-After"] = []string{strconv.FormatInt(retry, 10)}
		h["Content-Type"] = []string{"application/problem+json"}
		w.WriteHeader(http.StatusTooManyRequests)
		writeProblem(w, problem{
			Type: "about:blank", Title: "Too Many Requests", Status: http.StatusTooManyRequests,
			Detail:     fmt.Sprintf("rate limit %v exceeded; retry in %d s", res.Limit, retry),
			Policy:     res.Limit.PolicyName(),
			RetryAfter: retry,
		})
		return
	}
	if res.Delay > 0 {
		t := time.NewTimer(res.Delay)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	next.ServeHTTP(w, r)
}

// headerBox holds a one-value header slice and the bytes of its value in
// one allocation, with the numbers it was built from.
type headerBox struct {
	v   [1]string
	rem int64    // remaining
	t   int64    // reset, seconds
	li  int32    // index of the limit in rule.heads
	buf [36]byte // 80 bytes in all, an allocation size class
}

// rateLimitHeader returns the RateLimit header value
// `"name";r=remaining;t=seconds` as a one-element slice. Values are kept in
// a small table indexed by a hash of (limit, remaining, seconds), so that
// the many requests that see the same numbers (every client's first
// request in a window, a busy client at a steady pace, a quiet one
// refilled to the burst) share one value instead of each allocating it; a
// request whose value is not in the table builds it in one allocation (the
// string points into the box's buffer, which is never written again) and
// replaces the table entry. Entries are immutable once published, so
// concurrent requests may read and replace them freely.
func (ru *rule) rateLimitHeader(res Result) []string {
	rem, t := int64(max(res.Remaining, 0)), ceilSeconds(res.ResetAfter)
	li := -1
	for i := range ru.heads {
		if ru.heads[i].lim == res.Limit {
			li = i
			break
		}
	}
	var slot *atomic.Pointer[headerBox]
	if li >= 0 {
		slot = &ru.recent[recentSlot(li, rem, t)]
		if b := slot.Load(); b != nil && int(b.li) == li && b.rem == rem && b.t == t {
			return b.v[:]
		}
	}
	box := &headerBox{li: int32(li), rem: rem, t: t}
	var b []byte
	if li >= 0 {
		b = append(box.buf[:0], ru.heads[li].s...)
	} else {
		b = append(strconv.AppendQuote(box.buf[:0], res.Limit.PolicyName()), ";r="...)
	}
	b = strconv.AppendInt(b, rem, 10)
	b = append(b, ";t="...)
	b = strconv.AppendInt(b, t, 10)
	if len(b) <= len(box.buf) && &b[0] == &box.buf[0] {
		box.v[0] = unsafe.String(&box.buf[0], len(b))
	} else {
		box.v[0] = string(b) // a long policy name outgrew the box
	}
	if slot != nil {
		slot.Store(box)
	}
	return box.v[:]
}

// recentSlot returns the rule.recent entry of a RateLimit value.
func recentSlot(li int, rem, t int64) uint8 {
	return uint8((uint64(rem)*0x9e3779b97f4a7c15 ^ uint64(t)*0xc2b2ae3d27d4eb4f + uint64(li)) * 0x94d049bb133111eb >> 56)
}

func (m *Middleware) fail(w http.ResponseWriter, r *http.Request, status int, title string, err error) {
	if m.opts.OnError != nil {
		m.opts.OnError(r, err)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	writeProblem(w, problem{Type: "about:blank", Title: title, Status: status, Detail: err.Error()})
}

// problem is an RFC 9457 problem details body.
type problem struct {
	Type       string `json:"type"`
	Title      string `json:"title"`
	Status     int    `json:"status"`
	Detail     string `json:"detail"`
	Policy     string `json:"policy,omitempty"`
	RetryAfter int64  `json:"retry_after,omitempty"`
}

func writeProblem(w http.ResponseWriter, p problem) {
	_ = json.NewEncoder(w).Encode(p)
}

// ceilSeconds rounds d up to whole seconds (0 stays 0).
func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d + time.Second - 1) / time.Second)
}
