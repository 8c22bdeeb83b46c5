package webcrawler

import (
	"container/heap"
	"time"

	"github.com/sysdesign-go/sysdesign/ratelimit"
)

// item is one URL waiting to be fetched.
type item struct {
	url   string
	path  string
	depth int
}

// hostQueue is a back queue: the URLs of one host waiting for their turn,
// with the host's robots rules and its politeness bucket. Only the worker
// that owns the host touches it, under that worker's lock.
type hostQueue struct {
	host string
	// byDepth[d] holds the waiting URLs found d links from a seed; the
	// shallowest go first (the front queues' priority, kept per host).
	byDepth  [][]item
	waiting  int
	accepted int // URLs ever queued: the per-host budget that stops traps

	robots  *robots // nil until robots.txt has been fetched
	polite  *ratelimit.Bucket
	delay   time.Duration
	readyAt time.Time // when the bucket next admits a fetch
	index   int       // position in the worker's heap, -1 when not in it

	fetched, dupContent, errors, blocked int
	requests                             int
	lastStart                            time.Time
	minGap                               time.Duration
}

// started records that a request to the host starts at t.
func (q *hostQueue) started(t time.Time) {
	if q.requests > 0 {
		if gap := t.Sub(q.lastStart); q.requests == 1 || gap < q.minGap {
			q.minGap = gap
		}
	}
	q.requests++
	q.lastStart = t
}

func (q *hostQueue) push(it item) {
	for len(q.byDepth) <= it.depth {
		q.byDepth = append(q.byDepth, nil)
	}
	q.byDepth[it.depth] = append(q.byDepth[it.depth], it)
	q.waiting++
	q.accepted++
}

// peek returns the shallowest waiting URL; the queue must not be empty.
func (q *hostQueue) peek() item {
	return q.byDepth[q.top()][0]
}

// pop removes and returns the shallowest waiting URL; the queue must not be
// empty.
func (q *hostQueue) pop() item {
	d := q.top()
	it := q.byDepth[d][0]
	q.byDepth[d] = q.byDepth[d][1:]
	q.waiting--
	return it
}

func (q *hostQueue) top() int {
	for d, fifo := range q.byDepth {
		if len(fifo) > 0 {
			return d
		}
	}
	panic("webcrawler: empty host queue")
}

// readyHeap orders a worker's hosts with waiting URLs by the time their
// politeness allows the next fetch, so the worker always serves the host
// that can go soonest and never waits on one slow host while others could
// be fetched.
type readyHeap []*hostQueue

func (h readyHeap) Len() int           { return len(h) }
func (h readyHeap) Less(i, j int) bool { return h[i].readyAt.Before(h[j].readyAt) }
func (h readyHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *readyHeap) Push(x any) {
	q := x.(*hostQueue)
	q.index = len(*h)
	*h = append(*h, q)
}
func (h *readyHeap) Pop() any {
	old := *h
	q := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	q.index = -1
	return q
}

// schedule puts q in the heap (or moves it) if it has URLs waiting.
func (h *readyHeap) schedule(q *hostQueue) {
	switch {
	case q.waiting > 0 && q.index < 0:
		heap.Push(h, q)
	case q.index >= 0:
		heap.Fix(h, q.index)
	}
}
