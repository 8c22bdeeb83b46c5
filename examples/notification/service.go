package notification

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sysdesign-go/sysdesign/ratelimit"
	"github.com/sysdesign-go/sysdesign/snowflake"
)

var (
	// ErrDuplicate is returned by Send for an EventID already accepted.
	ErrDuplicate = errors.New("notification: duplicate event")
	// ErrOptedOut is returned by Send when the user turned the channel off.
	ErrOptedOut = errors.New("notification: user opted out of this channel")
	// ErrRateLimited is returned by Send when the user already got as many
	// notifications on the channel as its limit allows.
	ErrRateLimited = errors.New("notification: user's rate limit reached")
	// ErrPermanent marks a provider error that no retry can fix (an invalid
	// device token, a bounced address): the message goes to the dead
	// letters at once.
	ErrPermanent = errors.New("notification: permanent delivery failure")
)

// Provider delivers to one channel's third-party service (APNs/FCM, an SMS
// gateway, an email service). Deliver must be idempotent per Message.ID:
// after a crash a message can be handed over again.
type Provider interface {
	Deliver(ctx context.Context, m Message) error
}

// Options configure a Service.
type Options struct {
	// Providers deliver each channel; all are required.
	Providers [numChannels]Provider
	// Limits cap what one user receives per channel. Defaults: push 10,
	// SMS 3 and email 5 per minute.
	Limits [numChannels]ratelimit.Limit
	// MaxAttempts is how many deliveries a message gets before it is dead
	// lettered. Default 4.
	MaxAttempts int
	// RetryDelay is the wait before the first retry; each later retry waits
	// four times longer. Default 1s.
	RetryDelay time.Duration
	// Machine is the snowflake machine ID of this server. Default 0.
	Machine int64
}

// Stats count what a Service did since it was opened.
type Stats struct {
	Accepted, Duplicates, OptedOut, RateLimited int64
	Delivered, Retried, Dead                    int64
}

// Service is the notification system: Send validates a message (dedupe by
// event ID, opt-out, per-user rate limits), gives it a snowflake ID and
// appends it to its channel's queue, a wal.Log, before returning. Workers
// per channel deliver it through the channel's Provider; a failed delivery
// goes to a retry queue for its attempt number (one queue per delay, so
// each queue's messages come due in order), and after MaxAttempts, or on a
// permanent error, to the dead-letter queue. Everything is on disk, so a
// restart loses nothing: workers resume from their committed cursors.
//
// A Service is safe for concurrent use.
type Service struct {
	opts  Options
	ids   *snowflake.Generator
	limit [numChannels]*ratelimit.Store
	qs    [numChannels]*channelQueues

	mu     sync.Mutex
	seen   map[string]snowflake.ID // event ID -> message ID
	optOut map[int64][numChannels]bool

	wg     sync.WaitGroup
	cancel context.CancelFunc
	errMu  sync.Mutex
	err    error // first worker error

	accepted, dups, optedOut, limited, delivered, retried, dead atomic.Int64
}

type channelQueues struct {
	main    *queue
	retries []*queue // retries[k] holds messages that failed attempt k+1
	dead    *queue
}

// Open opens the service stored in dir, creating it if needed.
func Open(dir string, opts Options) (*Service, error) {
	for c, p := range opts.Providers {
		if p == nil {
			return nil, fmt.Errorf("notification: no provider for %v", Channel(c))
		}
	}
	defaults := [numChannels]ratelimit.Limit{ratelimit.PerMinute(10), ratelimit.PerMinute(3), ratelimit.PerMinute(5)}
	for c := range opts.Limits {
		if opts.Limits[c] == (ratelimit.Limit{}) {
			opts.Limits[c] = defaults[c]
		}
	}
	if opts.MaxAttempts == 0 {
		opts.MaxAttempts = 4
	}
	if opts.RetryDelay == 0 {
		opts.RetryDelay = time.Second
	}
	if opts.MaxAttempts < 1 || opts.MaxAttempts > 16 || opts.RetryDelay < 0 {
		return nil, fmt.Errorf("notification: MaxAttempts %d, RetryDelay %v", opts.MaxAttempts, opts.RetryDelay)
	}
	s := &Service{opts: opts, seen: map[string]snowflake.ID{}, optOut: map[int64][numChannels]bool{}}
	var err error
	if s.ids, err = snowflake.New(snowflake.Config{Machine: opts.Machine, MaxLead: time.Second}); err != nil {
		return nil, err
	}
	for c := range numChannels {
		if s.limit[c], err = ratelimit.NewStore(ratelimit.GCRA, []ratelimit.Limit{opts.Limits[c]}, ratelimit.Options{}); err != nil {
			return nil, err
		}
		if s.qs[c], err = openChannel(filepath.Join(dir, c.String()), opts.MaxAttempts); err != nil {
			s.closeQueues()
			return nil, err
		}
		// Rebuild the dedupe index from the events still queued.
		msgs, err := s.qs[c].main.all()
		if err != nil {
			s.closeQueues()
			return nil, err
		}
		for _, m := range msgs {
			if m.EventID != "" {
				s.seen[m.EventID] = m.ID
			}
		}
	}
	return s, nil
}

func openChannel(dir string, attempts int) (*channelQueues, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	cq := &channelQueues{}
	var err error
	if cq.main, err = openQueue(dir, "main"); err != nil {
		return nil, err
	}
	for k := 1; k < attempts; k++ {
		q, err := openQueue(dir, "retry-"+strconv.Itoa(k))
		if err != nil {
			cq.close()
			return nil, err
		}
		cq.retries = append(cq.retries, q)
	}
	if cq.dead, err = openQueue(dir, "dead"); err != nil {
		cq.close()
		return nil, err
	}
	return cq, nil
}

func (cq *channelQueues) close() error {
	var errs []error
	for _, q := range append(append([]*queue{cq.main}, cq.retries...), cq.dead) {
		if q != nil {
			errs = append(errs, q.close())
		}
	}
	return errors.Join(errs...)
}

func (s *Service) closeQueues() error {
	var errs []error
	for _, cq := range s.qs {
		if cq != nil {
			errs = append(errs, cq.close())
		}
	}
	return errors.Join(errs...)
}

// OptOut turns a channel off or on for a user.
func (s *Service) OptOut(user int64, c Channel, out bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.optOut[user]
	o[c] = out
	s.optOut[user] = o
}

// Send accepts m for delivery and returns its ID once it is on disk. A
// repeated EventID returns the first message's ID with ErrDuplicate.
func (s *Service) Send(m Message) (snowflake.ID, error) {
	if m.Channel >= numChannels || len(m.EventID) > 256 || len(m.Body) > 64<<10 {
		return 0, fmt.Errorf("notification: invalid message: channel %v, event %d bytes, body %d bytes", m.Channel, len(m.EventID), len(m.Body))
	}
	s.mu.Lock()
	defer s.mu.Unlock() // also orders appends with the dedupe index
	if id, ok := s.seen[m.EventID]; ok && m.EventID != "" {
		s.dups.Add(1)
		return id, ErrDuplicate
	}
	if s.optOut[m.User][m.Channel] {
		s.optedOut.Add(1)
		return 0, ErrOptedOut
	}
	res, err := s.limit[m.Channel].Allow(context.Background(), strconv.FormatInt(m.User, 10))
	if err != nil {
		return 0, err
	}
	if !res.Allowed {
		s.limited.Add(1)
		return 0, fmt.Errorf("%w: retry after %v", ErrRateLimited, res.RetryAfter)
	}
	id, err := s.ids.Next()
	if err != nil {
		return 0, err
	}
	m.ID, m.Attempt, m.NotBefore = id, 0, time.Time{}
	if err := s.qs[m.Channel].main.push(m); err != nil {
		return 0, err
	}
	if m.EventID != "" {
		s.seen[m.EventID] = id
	}
	s.accepted.Add(1)
	return id, nil
}

// Start starts the workers: for each channel one on the main queue and one
// per retry queue.
func (s *Service) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	for c := range numChannels {
		cq := s.qs[c]
		for _, q := range append([]*queue{cq.main}, cq.retries...) {
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				if err := q.consume(ctx, func(m Message) error { return s.deliver(ctx, cq, m) }); err != nil {
					s.errMu.Lock()
					if s.err == nil {
						s.err = err
					}
					s.errMu.Unlock()
				}
			}()
		}
	}
}

// deliver makes one attempt at m, after waiting for its retry time.
func (s *Service) deliver(ctx context.Context, cq *channelQueues, m Message) error {
	if wait := time.Until(m.NotBefore); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
	err := s.opts.Providers[m.Channel].Deliver(ctx, m)
	switch {
	case err == nil:
		s.delivered.Add(1)
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	}
	m.Attempt++
	if errors.Is(err, ErrPermanent) || m.Attempt >= s.opts.MaxAttempts {
		s.dead.Add(1)
		return cq.dead.push(m)
	}
	delay := s.opts.RetryDelay << (2 * (m.Attempt - 1)) // 1x, 4x, 16x ...
	m.NotBefore = time.Now().Add(delay)
	s.retried.Add(1)
	return cq.retries[m.Attempt-1].push(m)
}

// Stop stops the workers, abruptly: messages being delivered stay queued.
// It returns the first error a worker met.
func (s *Service) Stop() error {
	if s.cancel != nil {
		s.cancel()
		s.wg.Wait()
		s.cancel = nil
	}
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.err
}

// Close stops the workers and closes the queues.
func (s *Service) Close() error {
	return errors.Join(s.Stop(), s.closeQueues())
}

// DeadLetters returns the messages given up on, per channel.
func (s *Service) DeadLetters() ([]Message, error) {
	var out []Message
	for _, cq := range s.qs {
		msgs, err := cq.dead.all()
		if err != nil {
			return nil, err
		}
		out = append(out, msgs...)
	}
	return out, nil
}

// Stats returns the counters.
func (s *Service) Stats() Stats {
	return Stats{Accepted: s.accepted.Load(), Duplicates: s.dups.Load(), OptedOut: s.optedOut.Load(), RateLimited: s.limited.Load(),
		Delivered: s.delivered.Load(), Retried: s.retried.Load(), Dead: s.dead.Load()}
}
