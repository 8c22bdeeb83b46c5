package payment

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/sysdesign-go/sysdesign/internal/varint"
	"github.com/sysdesign-go/sysdesign/lsm"
	"github.com/sysdesign-go/sysdesign/wal"
)

// Status is where a payment stands.
type Status uint8

const (
	// Pending: recorded, the PSP's answer not known yet. Retrying with the
	// same key, or reconciliation, settles it.
	Pending Status = iota + 1
	// Completed: the PSP moved the money and the ledger has the transaction.
	Completed
	// Failed: the PSP did not move the money.
	Failed
)

func (s Status) String() string {
	return map[Status]string{Pending: "pending", Completed: "completed", Failed: "failed"}[s]
}

// Payment is one payment, identified by its idempotency key.
type Payment struct {
	Key           string
	Buyer, Seller string
	Amount, Fee   int64 // cents
	Status        Status
}

var (
	// ErrPending is returned by Pay when the PSP's answer was lost; retry
	// with the same key.
	ErrPending = errors.New("payment: outcome unknown, retry with the same key")
	// ErrKeyReused is returned by Pay for a known key with other details.
	ErrKeyReused = errors.New("payment: idempotency key reused for a different payment")
	// ErrInvalid wraps every invalid argument.
	ErrInvalid = errors.New("payment: invalid payment")
)

// FeeIncome is the platform's account for fees. Buyers' accounts are
// "buyer:<name>" (what their cards were charged, negative), sellers'
// "seller:<name>".
const FeeIncome = "platform:fees"

// System is the pay-in side of a marketplace: a buyer's card is charged
// through the PSP and the seller's wallet credited, less a fee.
//
// The ledger is a write-ahead log (wal) of double-entry transactions, one
// record each, so a transaction is all there or not at all; it is the system
// of record. Payments (by idempotency key) and account balances live in an
// lsm.DB as a view of the ledger, with the index of the last transaction
// applied written in the same batch, so after a crash between the two the
// missing transactions are applied exactly once at Open.
//
// A payment is recorded as pending before the PSP is called, so a crash or a
// lost answer leaves a record to settle: Pay with the same key asks the PSP
// and finishes it, and Reconcile compares the PSP's settlement file with
// the ledger.
//
// A System is safe for concurrent use; payments are serialised.
type System struct {
	db      *lsm.DB
	ledger  *wal.Log
	psp     PSP
	feeBP   int64 // fee in basis points
	mu      sync.Mutex
	failed  error       // set when the view may lag the ledger: reopen to recover
	crashAt func() bool // test hook: report a crash between ledger and view
}

var synced = &lsm.WriteOptions{Sync: true}

// Open opens the payment system stored in dir and applies any ledger
// transactions the view missed.
func Open(dir string, psp PSP, feeBasisPoints int64) (*System, error) {
	if feeBasisPoints < 0 || feeBasisPoints > 10_000 {
		return nil, fmt.Errorf("%w: fee %d basis points", ErrInvalid, feeBasisPoints)
	}
	ledger, err := wal.Open(filepath.Join(dir, "ledger"), nil)
	if err != nil {
		return nil, err
	}
	db, err := lsm.Open(filepath.Join(dir, "view"), nil)
	if err != nil {
		ledger.Close()
		return nil, err
	}
	s := &System{db: db, ledger: ledger, psp: psp, feeBP: feeBasisPoints}
	if err := s.recover(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the system.
func (s *System) Close() error { return errors.Join(s.db.Close(), s.ledger.Close()) }

// recover applies the ledger transactions after the view's applied index.
func (s *System) recover() error {
	applied, err := s.applied()
	if err != nil {
		return err
	}
	r := s.ledger.NewReader(applied + 1)
	for i, rec := range r.All() {
		t, err := decodeTxn(rec)
		if err != nil {
			return fmt.Errorf("payment: ledger record %d: %w", i, err)
		}
		if err := s.apply(i, t); err != nil {
			return err
		}
	}
	return r.Err()
}

func (s *System) applied() (uint64, error) {
	raw, err := s.db.Get([]byte("meta/applied"))
	if errors.Is(err, lsm.ErrNotFound) {
		return 0, nil
	}
	if err != nil || len(raw) != 8 {
		return 0, fmt.Errorf("%w: applied index: %v", ErrCorrupt, err)
	}
	return binary.LittleEndian.Uint64(raw), nil
}

// Pay charges buyer amount cents for seller, once per key: a repeated call
// returns the first one's outcome (settling it with the PSP if it was left
// pending).
func (s *System) Pay(ctx context.Context, key, buyer, seller string, amount int64) (Payment, error) {
	if key == "" || len(key) > 128 || buyer == "" || seller == "" || buyer == seller || amount <= 0 || amount > 1e11 {
		return Payment{}, fmt.Errorf("%w: key %q, %s -> %s, %d cents", ErrInvalid, key, buyer, seller, amount)
	}
	want := Payment{Key: key, Buyer: "buyer:" + buyer, Seller: "seller:" + seller, Amount: amount, Fee: amount * s.feeBP / 10_000}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed != nil {
		return Payment{}, s.failed
	}
	p, found, err := s.payment(key)
	if err != nil {
		return Payment{}, err
	}
	if found {
		if p.Buyer != want.Buyer || p.Seller != want.Seller || p.Amount != want.Amount {
			return p, ErrKeyReused
		}
		if p.Status != Pending {
			return p, nil
		}
		return s.settle(ctx, p)
	}
	// Record the intent before calling out, so nothing the PSP does for
	// this key can go unrecorded.
	want.Status = Pending
	if err := s.putPayment(want); err != nil {
		return Payment{}, err
	}
	return s.execute(ctx, want)
}

// settle finishes a pending payment: done at the PSP means post it, not
// done means try the transfer again.
func (s *System) settle(ctx context.Context, p Payment) (Payment, error) {
	done, err := s.psp.Status(ctx, p.Key)
	if err != nil {
		return p, err
	}
	if done {
		return s.complete(p)
	}
	return s.execute(ctx, p)
}

func (s *System) execute(ctx context.Context, p Payment) (Payment, error) {
	switch err := s.psp.Transfer(ctx, p.Key, p.Amount); {
	case errors.Is(err, ErrTimeout):
		return p, ErrPending
	case err != nil:
		p.Status = Failed
		if perr := s.putPayment(p); perr != nil {
			return p, perr
		}
		return p, fmt.Errorf("payment: %s declined: %w", p.Key, err)
	}
	return s.complete(p)
}

// complete appends the payment's transaction to the ledger and applies it.
func (s *System) complete(p Payment) (Payment, error) {
	t := Txn{Key: p.Key, Entries: []Entry{
		{p.Buyer, -p.Amount}, // charged to the buyer's card
		{p.Seller, p.Amount - p.Fee},
		{FeeIncome, p.Fee},
	}}
	i, err := s.ledger.Append(appendTxn(nil, t))
	if err != nil {
		return p, err
	}
	if s.crashAt != nil && s.crashAt() {
		s.failed = errCrashed
		return p, errCrashed
	}
	if err := s.apply(i, t); err != nil {
		// The ledger has the transaction and the view does not: posting
		// it again would charge twice. Only Open may finish it.
		s.failed = fmt.Errorf("payment: view behind the ledger, reopen to recover: %w", err)
		return p, s.failed
	}
	p.Status = Completed
	return p, nil
}

var errCrashed = errors.New("payment: simulated crash after the ledger append")

// apply updates the view for ledger transaction i in one synced batch:
// balances, the payment's status and the applied index.
func (s *System) apply(i uint64, t Txn) error {
	var b lsm.Batch
	delta := map[string]int64{}
	for _, e := range t.Entries {
		delta[e.Account] += e.Delta
	}
	for acct, d := range delta {
		bal, err := s.Balance(acct)
		if err != nil {
			return err
		}
		b.Put([]byte("bal/"+acct), binary.AppendVarint(nil, bal+d))
	}
	p, found, err := s.payment(t.Key)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%w: ledger transaction %d for unknown payment %q", ErrCorrupt, i, t.Key)
	}
	p.Status = Completed
	b.Put([]byte("pay/"+p.Key), appendPayment(nil, p))
	b.Put([]byte("meta/applied"), binary.LittleEndian.AppendUint64(nil, i))
	return s.db.Apply(&b, synced)
}

// Balance returns an account's balance in cents.
func (s *System) Balance(account string) (int64, error) {
	raw, err := s.db.Get([]byte("bal/" + account))
	if errors.Is(err, lsm.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	v, n := binary.Varint(raw)
	if n != len(raw) {
		return 0, fmt.Errorf("%w: balance of %s", ErrCorrupt, account)
	}
	return v, nil
}

// Balances returns every account's balance.
func (s *System) Balances() (map[string]int64, error) {
	out := map[string]int64{}
	it := s.db.NewIter(&lsm.IterOptions{Prefix: []byte("bal/")})
	for k, v := range it.All() {
		bal, n := binary.Varint(v)
		if n != len(v) {
			it.Close()
			return nil, fmt.Errorf("%w: balance of %s", ErrCorrupt, k)
		}
		out[string(k[len("bal/"):])] = bal
	}
	return out, errors.Join(it.Error(), it.Close())
}

// Payment returns the payment with key.
func (s *System) Payment(key string) (Payment, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.payment(key)
}

func (s *System) payment(key string) (Payment, bool, error) {
	raw, err := s.db.Get([]byte("pay/" + key))
	if errors.Is(err, lsm.ErrNotFound) {
		return Payment{}, false, nil
	}
	if err != nil {
		return Payment{}, false, err
	}
	p, err := decodePayment(raw)
	return p, err == nil, err
}

func (s *System) putPayment(p Payment) error {
	return s.db.Put([]byte("pay/"+p.Key), appendPayment(nil, p), synced)
}

// Payments returns every payment.
func (s *System) Payments() ([]Payment, error) {
	var out []Payment
	it := s.db.NewIter(&lsm.IterOptions{Prefix: []byte("pay/")})
	for _, v := range it.All() {
		p, err := decodePayment(v)
		if err != nil {
			it.Close()
			return nil, err
		}
		out = append(out, p)
	}
	return out, errors.Join(it.Error(), it.Close())
}

func appendPayment(dst []byte, p Payment) []byte {
	dst = varint.AppendString(dst, p.Key)
	dst = varint.AppendString(dst, p.Buyer)
	dst = varint.AppendString(dst, p.Seller)
	dst = binary.AppendVarint(dst, p.Amount)
	dst = binary.AppendVarint(dst, p.Fee)
	return append(dst, byte(p.Status))
}

func decodePayment(b []byte) (Payment, error) {
	d := decoder{b: b}
	p := Payment{Key: d.string(), Buyer: d.string(), Seller: d.string(), Amount: d.varint(), Fee: d.varint()}
	if d.err != nil || len(d.b) != 1 || d.b[0] < byte(Pending) || d.b[0] > byte(Failed) {
		return Payment{}, fmt.Errorf("%w: payment record", ErrCorrupt)
	}
	p.Status = Status(d.b[0])
	return p, nil
}

// Reconciliation is what Reconcile found.
type Reconciliation struct {
	Matched   int // in the settlement file and completed in the ledger
	Completed int // pending here, done at the PSP: posted now
	Failed    int // pending here, never done at the PSP: marked failed
	Unknown   int // in the settlement file with no payment here, or a different amount
}

// Reconcile compares the PSP's settlement file with the payments: it posts
// the pending payments the PSP did, fails those it did not, and counts
// discrepancies that need a person.
func (s *System) Reconcile(ctx context.Context) (Reconciliation, error) {
	var rec Reconciliation
	settled, err := s.psp.Settlement(ctx)
	if err != nil {
		return rec, err
	}
	payments, err := s.Payments()
	if err != nil {
		return rec, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failed != nil {
		return rec, s.failed
	}
	known := map[string]bool{}
	for _, p := range payments {
		known[p.Key] = true
		amount, done := settled[p.Key]
		switch {
		case done && amount != p.Amount:
			rec.Unknown++
		case done && p.Status == Completed:
			rec.Matched++
		case done && p.Status == Pending:
			if _, err := s.complete(p); err != nil {
				return rec, err
			}
			rec.Completed++
		case !done && p.Status == Pending:
			p.Status = Failed
			if err := s.putPayment(p); err != nil {
				return rec, err
			}
			rec.Failed++
		case !done && p.Status == Completed:
			rec.Unknown++ // the ledger has money the PSP never moved
		}
	}
	for key := range settled {
		if !known[key] {
			rec.Unknown++
		}
	}
	return rec, nil
}
