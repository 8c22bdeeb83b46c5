package payment

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := Run(context.Background(), &out, []string{"-payments", "120"}); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"Pay calls", "exactly once", "0 discrepancies", "sum to 0"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := Run(context.Background(), new(strings.Builder), []string{"-payments", "1"}); err == nil {
		t.Error("Run accepted one payment")
	}
}

func TestRecordEncodings(t *testing.T) {
	tx := Txn{Key: "k", Entries: []Entry{{"a", -5}, {"b", 3}, {"c", 2}}}
	got, err := decodeTxn(appendTxn(nil, tx))
	if err != nil || got.Key != "k" || len(got.Entries) != 3 || got.Entries[0] != tx.Entries[0] {
		t.Errorf("txn round trip = %+v, %v", got, err)
	}
	unbalanced := appendTxn(nil, Txn{Key: "k", Entries: []Entry{{"a", -5}, {"b", 4}}})
	for _, bad := range [][]byte{nil, unbalanced, append(appendTxn(nil, tx), 0)} {
		if _, err := decodeTxn(bad); !errors.Is(err, ErrCorrupt) {
			t.Errorf("decodeTxn(%x) error = %v", bad, err)
		}
	}
	p := Payment{Key: "k", Buyer: "buyer:x", Seller: "seller:y", Amount: 100, Fee: 2, Status: Failed}
	if got, err := decodePayment(appendPayment(nil, p)); err != nil || got != p {
		t.Errorf("payment round trip = %+v, %v", got, err)
	}
}

func FuzzDecodeTxn(f *testing.F) {
	f.Add(appendTxn(nil, Txn{Key: "k", Entries: []Entry{{"a", -1}, {"b", 1}}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		tx, err := decodeTxn(data)
		if err != nil {
			return
		}
		if !tx.balanced() || !bytes.Equal(appendTxn(nil, tx), data) {
			t.Fatalf("decodeTxn(%x) = %+v", data, tx)
		}
	})
}

func FuzzDecodePayment(f *testing.F) {
	f.Add(appendPayment(nil, Payment{Key: "k", Buyer: "b", Seller: "s", Amount: 5, Status: Pending}))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := decodePayment(data)
		if err == nil && !bytes.Equal(appendPayment(nil, p), data) {
			t.Fatalf("decodePayment(%x) = %+v re-encodes differently", data, p)
		}
	})
}

func open(t *testing.T, dir string, psp PSP) *System {
	t.Helper()
	s, err := Open(dir, psp, 100)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPayIsIdempotent(t *testing.T) {
	psp := newSimPSP(0)
	s := open(t, t.TempDir(), psp)
	ctx := context.Background()
	p, err := s.Pay(ctx, "k1", "ann", "bob", 10_000)
	if err != nil || p.Status != Completed || p.Fee != 100 {
		t.Fatalf("Pay = %+v, %v", p, err)
	}
	if again, err := s.Pay(ctx, "k1", "ann", "bob", 10_000); err != nil || again != p || psp.calls != 1 {
		t.Errorf("repeat Pay = %+v, %v with %d PSP calls; want the same payment and 1 call", again, err, psp.calls)
	}
	if _, err := s.Pay(ctx, "k1", "ann", "bob", 99); !errors.Is(err, ErrKeyReused) {
		t.Errorf("key reused for another amount: %v", err)
	}
	for _, bad := range []struct {
		key, buyer, seller string
		amount             int64
	}{{"", "a", "b", 1}, {"k", "a", "a", 1}, {"k", "a", "b", 0}, {"k", "", "b", 1}} {
		if _, err := s.Pay(ctx, bad.key, bad.buyer, bad.seller, bad.amount); !errors.Is(err, ErrInvalid) {
			t.Errorf("Pay(%+v): %v; want ErrInvalid", bad, err)
		}
	}
	bal, _ := s.Balances()
	if bal["buyer:ann"] != -10_000 || bal["seller:bob"] != 9_900 || bal[FeeIncome] != 100 {
		t.Errorf("balances %v", bal)
	}
}

func TestLostAnswersAreSettledByRetryOrReconciliation(t *testing.T) {
	psp := newSimPSP(100) // every key's first call times out; even rolls did the transfer
	s := open(t, t.TempDir(), psp)
	ctx := context.Background()
	keys := []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"}
	for _, k := range keys {
		if _, err := s.Pay(ctx, k, "ann", "bob", 500); !errors.Is(err, ErrPending) {
			t.Fatalf("Pay(%s) = %v; want ErrPending", k, err)
		}
	}
	// Half the clients retry: their payments complete, whatever the PSP did.
	for _, k := range keys[:4] {
		if p, err := s.Pay(ctx, k, "ann", "bob", 500); err != nil || p.Status != Completed {
			t.Errorf("retry of %s = %+v, %v", k, p, err)
		}
	}
	rec, err := s.Reconcile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	settled, _ := psp.Settlement(ctx)
	if rec.Matched != 4 || rec.Completed+rec.Failed != 4 || rec.Unknown != 0 || rec.Matched+rec.Completed != len(settled) {
		t.Errorf("Reconcile = %+v with %d settled; want 4 matched and the other 4 settled by the PSP's record", rec, len(settled))
	}
	bal, _ := s.Balances()
	if -bal["buyer:ann"] != int64(500*len(settled)) {
		t.Errorf("ann charged %d for %d settled payments", -bal["buyer:ann"], len(settled))
	}
}

func TestCrashBetweenLedgerAndView(t *testing.T) {
	dir := t.TempDir()
	psp := newSimPSP(0)
	s, err := Open(dir, psp, 0)
	if err != nil {
		t.Fatal(err)
	}
	s.crashAt = func() bool { return true }
	if _, err := s.Pay(context.Background(), "k", "ann", "bob", 700); !errors.Is(err, errCrashed) {
		t.Fatalf("Pay = %v; want the simulated crash", err)
	}
	if _, err := s.Pay(context.Background(), "k2", "ann", "bob", 1); !errors.Is(err, errCrashed) {
		t.Errorf("Pay after the crash = %v; want refused until reopened", err)
	}
	s.Close()
	s = open(t, dir, psp)
	if p, err := s.Pay(context.Background(), "k", "ann", "bob", 700); err != nil || p.Status != Completed {
		t.Errorf("after reopen Pay = %+v, %v", p, err)
	}
	bal, _ := s.Balances()
	if bal["seller:bob"] != 700 || s.ledger.LastIndex() != 1 {
		t.Errorf("bob has %d after %d ledger transactions; want 700 after 1", bal["seller:bob"], s.ledger.LastIndex())
	}
}
