package mail

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/sysdesign-go/sysdesign/internal/varint"
	"github.com/sysdesign-go/sysdesign/lsm"
)

var snapshotKey = []byte("s/index")

// saveSnapshot writes the index; the caller holds mu.
//
//	covered ID (4B) | term count (uvarint) | count × (term length | term | bitmap length | bitmap)
func (m *Mailbox) saveSnapshot() error {
	b := binary.BigEndian.AppendUint32(nil, m.next-1)
	names := make([]string, 0, len(m.postings))
	for t, p := range m.postings {
		if !p.IsEmpty() {
			names = append(names, t)
		}
	}
	slices.Sort(names)
	b = binary.AppendUvarint(b, uint64(len(names)))
	for _, t := range names {
		raw, err := m.postings[t].ToBytes()
		if err != nil {
			return err
		}
		b = varint.AppendBytes(varint.AppendBytes(b, []byte(t)), raw)
	}
	return m.db.Put(snapshotKey, b, &lsm.WriteOptions{Sync: true})
}

// loadSnapshot reads the index snapshot, if any, and deletes it: from now
// on the index changes in memory only, and a crash must not leave an old
// snapshot to be trusted. It returns the last message ID the index covers.
func (m *Mailbox) loadSnapshot() (uint32, error) {
	raw, err := m.db.Get(snapshotKey)
	if errors.Is(err, lsm.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	bad := fmt.Errorf("%w: index snapshot", ErrCorrupt)
	if len(raw) < 4 {
		return 0, bad
	}
	covered := binary.BigEndian.Uint32(raw)
	rest := raw[4:]
	n, w := binary.Uvarint(rest)
	if w <= 0 || n > uint64(len(rest)) {
		return 0, bad
	}
	rest = rest[w:]
	for range n {
		var t, bm []byte
		var ok bool
		if t, rest, ok = varint.Bytes(rest); !ok {
			return 0, bad
		}
		if bm, rest, ok = varint.Bytes(rest); !ok {
			return 0, bad
		}
		p := roaring.New()
		if err := p.UnmarshalBinary(bm); err != nil {
			return 0, fmt.Errorf("%w: %v", bad, err)
		}
		m.postings[string(t)] = p
	}
	if len(rest) != 0 {
		return 0, bad
	}
	m.next = covered + 1
	return covered, m.db.Delete(snapshotKey, &lsm.WriteOptions{Sync: true})
}

// Message record: date Unix ms (8B) | unread (1B) | from | to | subject |
// folder | body, each length-prefixed.
func encodeMessage(msg Message) []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(msg.Date.UnixMilli()))
	if msg.Unread {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	for _, s := range []string{msg.From, msg.To, msg.Subject, msg.Folder, msg.Body} {
		b = varint.AppendBytes(b, []byte(s))
	}
	return b
}

func decodeMessage(key, b []byte) (Message, error) {
	bad := fmt.Errorf("%w: message record %x", ErrCorrupt, key)
	if len(key) != 6 || len(b) < 9 || b[8] > 1 {
		return Message{}, bad
	}
	msg := Message{ID: binary.BigEndian.Uint32(key[2:]), Date: time.UnixMilli(int64(binary.BigEndian.Uint64(b))).UTC(), Unread: b[8] == 1}
	rest := b[9:]
	fields := []*string{&msg.From, &msg.To, &msg.Subject, &msg.Folder, &msg.Body}
	for _, f := range fields {
		v, r, ok := varint.Bytes(rest)
		if !ok {
			return Message{}, bad
		}
		*f, rest = string(v), r
	}
	if len(rest) != 0 {
		return Message{}, bad
	}
	return msg, nil
}
