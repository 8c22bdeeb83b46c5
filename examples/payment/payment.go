// Package payment is the payment system: pay-ins through a payment
// service provider (PSP) that sometimes times out, made exactly once per
// idempotency key however often clients retry, recorded in a double-entry
// ledger kept as a write-ahead log (wal) with balances and payments as a
// view in an LSM tree (lsm), and reconciled against the PSP's settlement
// file.
//
// The run sends payments from clients that double-click and retry, lets
// some PSP answers get lost, crashes once between the ledger and the view,
// reconciles, and checks that the books balance and match the PSP.
//
//	go run ./examples/tour payment [-payments 600]
package payment

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sync"
)

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("payment", flag.ContinueOnError)
	fs.SetOutput(w)
	n := fs.Int("payments", 600, "payments")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 50 || *n > 1_000_000 {
		return errors.New("payment: -payments must be 50-1000000")
	}
	dir, err := os.MkdirTemp("", "payment")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	psp := newSimPSP(8)
	const feeBP = 250 // 2.5%
	sys, err := Open(dir, psp, feeBP)
	if err != nil {
		return err
	}
	defer func() { sys.Close() }()

	// Clients: each payment is requested once, or twice at the same time
	// (a double click), and retried on ErrPending, except by impatient
	// clients who give up after the first lost answer.
	r := rand.New(rand.NewPCG(8, 9))
	type request struct {
		key, buyer, seller string
		amount             int64
		clicks, retries    int
	}
	reqs := make([]request, *n)
	for i := range reqs {
		reqs[i] = request{key: fmt.Sprintf("order-%05d", i), buyer: fmt.Sprintf("b%02d", r.IntN(40)), seller: fmt.Sprintf("s%d", r.IntN(10)),
			amount: 100 + r.Int64N(50_000), clicks: 1 + r.IntN(2), retries: 3}
		if r.IntN(3) == 0 {
			reqs[i].retries = 0
		}
	}
	var calls int
	var mu sync.Mutex
	crashAfter := *n / 2
	done := 0
	sys.crashAt = func() bool { done++; return done == crashAfter }
	crashed := false
	for i := 0; i < len(reqs); i++ {
		q := reqs[i]
		var wg sync.WaitGroup
		var crash bool
		for range q.clicks {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for attempt := 0; attempt <= q.retries; attempt++ {
					_, err := sys.Pay(ctx, q.key, q.buyer, q.seller, q.amount)
					mu.Lock()
					calls++
					mu.Unlock()
					if errors.Is(err, errCrashed) {
						mu.Lock()
						crash = true
						mu.Unlock()
						return
					}
					if !errors.Is(err, ErrPending) {
						return
					}
				}
			}()
		}
		wg.Wait()
		if crash {
			// The process died after the ledger append, before the view:
			// reopen, and Open applies the transaction exactly once.
			crashed = true
			sys.Close()
			if sys, err = Open(dir, psp, feeBP); err != nil {
				return err
			}
			i-- // the client retries that payment
		}
	}
	payments, err := sys.Payments()
	if err != nil {
		return err
	}
	pending := 0
	for _, p := range payments {
		if p.Status == Pending {
			pending++
		}
	}
	fmt.Fprintf(w, "%d payments, %d Pay calls (double clicks and retries), %d PSP transfer calls; %d left pending by clients who gave up after a lost answer\n",
		*n, calls, psp.calls, pending)
	if crashed {
		fmt.Fprintf(w, "a crash after the %dth ledger append, before the balances were updated: reopening applied that transaction exactly once\n", crashAfter)
	}

	rec, err := sys.Reconcile(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "reconciliation against the PSP settlement file: %d matched, %d pending ones the PSP did posted, %d it never did marked failed, %d discrepancies\n",
		rec.Matched, rec.Completed, rec.Failed, rec.Unknown)
	if rec.Unknown != 0 {
		return fmt.Errorf("payment: %d discrepancies with the PSP", rec.Unknown)
	}
	return checkBooks(w, sys, psp)
}

// checkBooks checks that the balances sum to zero, match the ledger, and
// that the money charged is exactly what the PSP settled.
func checkBooks(w io.Writer, sys *System, psp *simPSP) error {
	bal, err := sys.Balances()
	if err != nil {
		return err
	}
	var sum, charged int64
	for acct, b := range bal {
		sum += b
		if len(acct) > 6 && acct[:6] == "buyer:" {
			charged -= b
		}
	}
	settled, _ := psp.Settlement(context.Background())
	var psptotal int64
	for _, a := range settled {
		psptotal += a
	}
	payments, err := sys.Payments()
	if err != nil {
		return err
	}
	count := map[Status]int{}
	for _, p := range payments {
		count[p.Status]++
	}
	txns := sys.ledger.LastIndex() - sys.ledger.FirstIndex() + 1
	if sum != 0 || charged != psptotal || int(txns) != count[Completed] || count[Pending] != 0 {
		return fmt.Errorf("payment: books do not balance: sum %d, charged %d, PSP settled %d, %d ledger transactions for %d completed, %d pending",
			sum, charged, psptotal, txns, count[Completed], count[Pending])
	}
	fmt.Fprintf(w, "books: %d completed, %d failed; %d ledger transactions; balances of %d accounts sum to 0; cards charged %d.%02d = PSP settled; fees %d.%02d\n",
		count[Completed], count[Failed], txns, len(bal), charged/100, charged%100, bal[FeeIncome]/100, bal[FeeIncome]%100)
	return nil
}
