// Package notification is the notification system: push, SMS and email
// messages accepted through one API (deduplicated by event ID, checked
// against opt-outs and per-user rate limits from ratelimit, given snowflake
// IDs), queued on disk in write-ahead logs (wal), and delivered by workers
// that retry with growing delays through retry queues and give up into a
// dead-letter queue. Nothing accepted is lost across a restart.
//
// The run sends a few thousand notifications to flaky simulated providers,
// kills the workers halfway and reopens everything from disk, and checks at
// the end that every accepted message was delivered or dead-lettered.
//
//	go run ./examples/tour notification [-users 300]
package notification

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/sysdesign-go/sysdesign/snowflake"
)

// flakyProvider simulates a third-party service: some deliveries fail for a
// while (timeouts, 5xx), a few never succeed (bad tokens). It is idempotent
// by message ID, as APNs collapse IDs and provider idempotency keys are.
type flakyProvider struct {
	mu        sync.Mutex
	delivered map[snowflake.ID]int // deliveries per message
	attempts  int
}

func newFlaky() *flakyProvider { return &flakyProvider{delivered: map[snowflake.ID]int{}} }

func (p *flakyProvider) Deliver(ctx context.Context, m Message) error {
	time.Sleep(time.Millisecond) // the round trip to the provider
	p.mu.Lock()
	defer p.mu.Unlock()
	p.attempts++
	roll := xxhash.Sum64String(fmt.Sprint(m.ID, "/", m.Attempt)) % 100
	switch {
	case xxhash.Sum64String(fmt.Sprint(m.ID))%100 == 0:
		return fmt.Errorf("%w: unregistered device", ErrPermanent)
	case roll < uint64(30>>m.Attempt): // 30%, then 15%, 7%, 3%
		return errors.New("provider: 503 service unavailable")
	}
	p.delivered[m.ID]++
	return nil
}

func (p *flakyProvider) count(id snowflake.ID) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.delivered[id]
}

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("notification", flag.ContinueOnError)
	fs.SetOutput(w)
	users := fs.Int("users", 300, "users; each gets one message per channel")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *users < 20 || *users > 100_000 {
		return errors.New("notification: -users must be 20-100000")
	}
	dir, err := os.MkdirTemp("", "notification")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var providers [numChannels]Provider
	flaky := [numChannels]*flakyProvider{newFlaky(), newFlaky(), newFlaky()}
	for c := range providers {
		providers[c] = flaky[c]
	}
	opts := Options{Providers: providers, RetryDelay: 5 * time.Millisecond}
	svc, err := Open(dir, opts)
	if err != nil {
		return err
	}
	defer func() { svc.Close() }()
	for u := int64(0); u < int64(*users); u += 10 {
		svc.OptOut(u, SMS, true) // one user in ten turned SMS off
	}
	svc.Start()

	var accepted []snowflake.ID
	var dup, opted, limited int
	send := func(m Message) error {
		id, err := svc.Send(m)
		switch {
		case err == nil:
			accepted = append(accepted, id)
		case errors.Is(err, ErrDuplicate):
			dup++
		case errors.Is(err, ErrOptedOut):
			opted++
		case errors.Is(err, ErrRateLimited):
			limited++
		default:
			return err
		}
		return nil
	}
	sendAll := func(from, to int) error {
		for u := from; u < to; u++ {
			for c := range numChannels {
				ev := fmt.Sprintf("order-%d-shipped/%v", u, c)
				if err := send(Message{EventID: ev, User: int64(u), Channel: c, Body: "Your order has shipped"}); err != nil {
					return err
				}
				if u%7 == 0 { // the upstream service retried its call
					if err := send(Message{EventID: ev, User: int64(u), Channel: c, Body: "Your order has shipped"}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	if err := sendAll(0, *users/2); err != nil {
		return err
	}
	// A chatty feature sends one user ten SMS in a row.
	for i := range 10 {
		if err := send(Message{EventID: fmt.Sprintf("promo-%d", i), User: 1, Channel: SMS, Body: "Sale!"}); err != nil {
			return err
		}
	}

	// Crash: the workers stop mid-flight, the process "dies", and the
	// service is opened again from disk.
	if err := svc.Close(); err != nil {
		return err
	}
	pending := 0
	for _, id := range accepted {
		if flaky[0].count(id)+flaky[1].count(id)+flaky[2].count(id) == 0 {
			pending++
		}
	}
	if svc, err = Open(dir, opts); err != nil {
		return err
	}
	svc.Start()
	if err := sendAll(*users/2, *users); err != nil {
		return err
	}

	// Wait until every accepted message is delivered or dead.
	deadline := time.Now().Add(30 * time.Second)
	var lost []snowflake.ID
	var dead []Message
	for {
		if dead, err = svc.DeadLetters(); err != nil {
			return err
		}
		isDead := map[snowflake.ID]bool{}
		for _, m := range dead {
			isDead[m.ID] = true
		}
		lost = lost[:0]
		for _, id := range accepted {
			if !isDead[id] && flaky[0].count(id)+flaky[1].count(id)+flaky[2].count(id) == 0 {
				lost = append(lost, id)
			}
		}
		if len(lost) == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := svc.Stop(); err != nil {
		return err
	}
	if len(lost) > 0 {
		return fmt.Errorf("notification: %d accepted messages neither delivered nor dead-lettered", len(lost))
	}
	twice, attempts := 0, 0
	for c := range flaky {
		attempts += flaky[c].attempts
		for _, n := range flaky[c].delivered {
			if n > 1 {
				twice++
			}
		}
	}
	fmt.Fprintf(w, "accepted %d notifications; rejected %d duplicate events, %d to users who opted out of SMS, %d over a user's SMS limit (3 a minute)\n",
		len(accepted), dup, opted, limited)
	fmt.Fprintf(w, "workers were killed halfway with %d notifications not yet delivered, and the service reopened from its write-ahead logs; %d provider calls in all\n", pending, attempts)
	fmt.Fprintf(w, "every accepted notification was delivered (%d) or dead-lettered after %d attempts or a permanent error (%d); %d handed over twice after the restart, absorbed by the provider's idempotency key\n",
		len(accepted)-len(dead), svc.opts.MaxAttempts, len(dead), twice)
	return nil
}
