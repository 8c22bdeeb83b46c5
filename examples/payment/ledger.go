package payment

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/sysdesign-go/sysdesign/internal/varint"
)

// Entry is one line of a double-entry transaction: an account and the
// amount (in cents) it changes by.
type Entry struct {
	Account string
	Delta   int64
}

// Txn is what the ledger records for one payment: entries that sum to zero,
// so money is only ever moved, never made or lost.
type Txn struct {
	Key     string // the payment's idempotency key
	Entries []Entry
}

// ErrCorrupt is matched by errors about stored records that do not decode.
var ErrCorrupt = errors.New("payment: corrupt record")

func (t Txn) balanced() bool {
	var sum int64
	for _, e := range t.Entries {
		sum += e.Delta
	}
	return sum == 0 && len(t.Entries) >= 2
}

// One wal record per transaction, so a crash keeps all of its entries or
// none:
//
//	key length | key | entry count | count × (account length | account | delta zigzag)
func appendTxn(dst []byte, t Txn) []byte {
	dst = varint.AppendString(dst, t.Key)
	dst = binary.AppendUvarint(dst, uint64(len(t.Entries)))
	for _, e := range t.Entries {
		dst = varint.AppendString(dst, e.Account)
		dst = binary.AppendVarint(dst, e.Delta)
	}
	return dst
}

func decodeTxn(b []byte) (Txn, error) {
	d := decoder{b: b}
	t := Txn{Key: d.string()}
	n := d.uvarint()
	if n > uint64(len(b)) {
		return Txn{}, fmt.Errorf("%w: %d entries in %d bytes", ErrCorrupt, n, len(b))
	}
	for range n {
		t.Entries = append(t.Entries, Entry{Account: d.string(), Delta: d.varint()})
	}
	if d.err != nil || len(d.b) != 0 || !t.balanced() {
		return Txn{}, fmt.Errorf("%w: bad transaction", ErrCorrupt)
	}
	return t, nil
}

// decoder reads canonical varints and strings, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	v, n, ok := varint.Uvarint(d.b)
	if !ok {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n, ok := varint.Varint(d.b)
	if !ok {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	f, rest, ok := varint.Bytes(d.b)
	if !ok {
		d.fail()
		return ""
	}
	d.b = rest
	return string(f)
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = ErrCorrupt
	}
	d.b = nil
}
