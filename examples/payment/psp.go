package payment

import (
	"context"
	"errors"
	"sync"

	"github.com/cespare/xxhash/v2"
)

// PSP is the payment service provider (a card processor) as the payment
// system sees it: it moves money in the outside world and is idempotent by
// the key the system sends.
type PSP interface {
	// Transfer moves amount for key. It may fail with ErrTimeout after
	// doing the transfer or without doing it: the caller cannot tell which.
	Transfer(ctx context.Context, key string, amount int64) error
	// Status says whether the transfer for key happened.
	Status(ctx context.Context, key string) (done bool, err error)
	// Settlement lists every transfer done, key -> amount: the daily
	// settlement file that reconciliation compares with the ledger.
	Settlement(ctx context.Context) (map[string]int64, error)
}

// ErrTimeout is a PSP call that got no answer.
var ErrTimeout = errors.New("payment: PSP timed out")

// simPSP is a PSP whose first call for a given share of keys times out,
// half of them after doing the transfer. Outcomes depend only on the key,
// so runs repeat exactly.
type simPSP struct {
	timeoutPercent uint64

	mu       sync.Mutex
	done     map[string]int64
	timedOut map[string]bool
	calls    int
}

func newSimPSP(timeoutPercent int) *simPSP {
	return &simPSP{timeoutPercent: uint64(timeoutPercent), done: map[string]int64{}, timedOut: map[string]bool{}}
}

func (p *simPSP) Transfer(ctx context.Context, key string, amount int64) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if roll := xxhash.Sum64String(key) % 100; roll < p.timeoutPercent && !p.timedOut[key] {
		p.timedOut[key] = true
		if roll%2 == 0 {
			p.done[key] = amount // done, but the answer is lost
		}
		return ErrTimeout
	}
	p.done[key] = amount // idempotent: a repeat does not move money twice
	return nil
}

func (p *simPSP) Status(ctx context.Context, key string) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.done[key]
	return ok, nil
}

func (p *simPSP) Settlement(ctx context.Context) (map[string]int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int64, len(p.done))
	for k, v := range p.done {
		out[k] = v
	}
	return out, nil
}
