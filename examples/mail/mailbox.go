package mail

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/sysdesign-go/sysdesign/lsm"
)

// Message is one email.
type Message struct {
	ID       uint32 // assigned at delivery, increasing
	From, To string
	Subject  string
	Body     string
	Date     time.Time
	Folder   string // "inbox", "sent", "trash", ...
	Unread   bool
}

var (
	// ErrNotFound is returned for an unknown message.
	ErrNotFound = errors.New("mail: no such message")
	// ErrQuery wraps every malformed search query.
	ErrQuery = errors.New("mail: bad query")
	// ErrCorrupt is matched by errors about stored data that does not decode.
	ErrCorrupt = errors.New("mail: corrupt record")
)

// Mailbox stores one user's mail in an lsm.DB and searches it with an
// inverted index of roaring bitmaps: a bitmap of message IDs per word (and
// per sender, recipient, folder, and for unread mail), so a query is a few
// bitmap intersections and differences however many messages match.
//
// Messages are the record ("m/<id>"); the index is derived from them. Close
// saves it as a snapshot ("s/index", with the last ID it covers), and Open
// loads the snapshot and indexes only the messages delivered after it, so a
// crash costs a partial re-index, never a wrong answer.
//
// A Mailbox is safe for concurrent use.
type Mailbox struct {
	db *lsm.DB

	mu       sync.RWMutex
	next     uint32
	postings map[string]*roaring.Bitmap // "w:word", "from:addr", "to:addr", "in:folder", "is:unread"
}

// Open opens the mailbox in dir.
func Open(dir string) (*Mailbox, error) {
	db, err := lsm.Open(dir, nil)
	if err != nil {
		return nil, err
	}
	m := &Mailbox{db: db, next: 1, postings: map[string]*roaring.Bitmap{}}
	covered, err := m.loadSnapshot()
	if err != nil {
		db.Close()
		return nil, err
	}
	// Index what arrived after the snapshot (all of it when there is none).
	it := db.NewIter(&lsm.IterOptions{LowerBound: msgKey(covered + 1), UpperBound: []byte("m0")})
	for k, v := range it.All() {
		msg, err := decodeMessage(k, v)
		if err != nil {
			it.Close()
			db.Close()
			return nil, err
		}
		m.index(msg, true)
		m.next = max(m.next, msg.ID+1)
	}
	if err := errors.Join(it.Error(), it.Close()); err != nil {
		db.Close()
		return nil, err
	}
	return m, nil
}

// Close saves the index snapshot and closes the store.
func (m *Mailbox) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return errors.Join(m.saveSnapshot(), m.db.Close())
}

func msgKey(id uint32) []byte { return binary.BigEndian.AppendUint32([]byte("m/"), id) }

// Deliver stores msg (its ID is assigned) and indexes it.
func (m *Mailbox) Deliver(msg Message) (uint32, error) {
	if msg.Folder == "" {
		msg.Folder = "inbox"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	msg.ID = m.next
	if err := m.db.Put(msgKey(msg.ID), encodeMessage(msg), nil); err != nil {
		return 0, err
	}
	m.next++
	m.index(msg, true)
	return msg.ID, nil
}

// index adds (or removes) msg's postings; the caller holds mu.
func (m *Mailbox) index(msg Message, add bool) {
	for _, t := range terms(msg) {
		b := m.postings[t]
		if b == nil {
			if !add {
				continue
			}
			b = roaring.New()
			m.postings[t] = b
		}
		if add {
			b.Add(msg.ID)
		} else {
			b.Remove(msg.ID)
		}
	}
}

func terms(msg Message) []string {
	ts := []string{"from:" + strings.ToLower(msg.From), "to:" + strings.ToLower(msg.To), "in:" + msg.Folder}
	if msg.Unread {
		ts = append(ts, "is:unread")
	}
	for _, w := range words(msg.Subject + " " + msg.Body) {
		ts = append(ts, "w:"+w)
	}
	slices.Sort(ts)
	return slices.Compact(ts)
}

// words splits text into lower-case words of letters and digits.
func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// Get returns a message.
func (m *Mailbox) Get(id uint32) (Message, error) {
	v, err := m.db.Get(msgKey(id))
	if errors.Is(err, lsm.ErrNotFound) {
		return Message{}, fmt.Errorf("%w: %d", ErrNotFound, id)
	}
	if err != nil {
		return Message{}, err
	}
	return decodeMessage(msgKey(id), v)
}

// update rewrites a message through change and re-indexes it.
func (m *Mailbox) update(id uint32, change func(*Message)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	msg, err := m.Get(id)
	if err != nil {
		return err
	}
	m.index(msg, false)
	change(&msg)
	if err := m.db.Put(msgKey(id), encodeMessage(msg), nil); err != nil {
		return err
	}
	m.index(msg, true)
	return nil
}

// Move moves a message to a folder.
func (m *Mailbox) Move(id uint32, folder string) error {
	return m.update(id, func(msg *Message) { msg.Folder = folder })
}

// MarkRead marks a message read or unread.
func (m *Mailbox) MarkRead(id uint32, read bool) error {
	return m.update(id, func(msg *Message) { msg.Unread = !read })
}

// Count returns how many messages match a term such as "in:inbox" or
// "is:unread"; with a folder, only those in it (the unread badge).
func (m *Mailbox) Count(term, folder string) uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	b := m.postings[term]
	if b == nil {
		return 0
	}
	if folder == "" {
		return b.GetCardinality()
	}
	f := m.postings["in:"+folder]
	if f == nil {
		return 0
	}
	return b.AndCardinality(f)
}

// Search returns the IDs of the messages matching query, newest first, at
// most limit. A query is words that must all appear, with operators:
// from:addr, to:addr, in:folder, is:unread, and a leading '-' to exclude
// (e.g. "budget report from:alice@example.com -in:trash"). At least one
// term must not be excluded.
func (m *Mailbox) Search(query string, limit int) ([]uint32, uint64, error) {
	var include, exclude []string
	for _, f := range strings.Fields(query) {
		neg := strings.HasPrefix(f, "-")
		f = strings.TrimPrefix(f, "-")
		var t string
		switch {
		case strings.HasPrefix(f, "from:"), strings.HasPrefix(f, "to:"):
			t = strings.ToLower(f)
		case strings.HasPrefix(f, "in:"), f == "is:unread":
			t = f
		case strings.Contains(f, ":"):
			return nil, 0, fmt.Errorf("%w: unknown operator in %q", ErrQuery, f)
		default:
			ws := words(f)
			if len(ws) != 1 {
				return nil, 0, fmt.Errorf("%w: %q is not one word", ErrQuery, f)
			}
			t = "w:" + ws[0]
		}
		if neg {
			exclude = append(exclude, t)
		} else {
			include = append(include, t)
		}
	}
	if len(include) == 0 {
		return nil, 0, fmt.Errorf("%w: %q has nothing to match", ErrQuery, query)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	// Intersect the smallest postings first.
	slices.SortFunc(include, func(a, b string) int {
		return int(card(m.postings[a])) - int(card(m.postings[b]))
	})
	var res *roaring.Bitmap
	for _, t := range include {
		p := m.postings[t]
		if p == nil {
			return nil, 0, nil
		}
		if res == nil {
			res = p.Clone()
		} else {
			res.And(p)
		}
	}
	for _, t := range exclude {
		if p := m.postings[t]; p != nil {
			res.AndNot(p)
		}
	}
	total := res.GetCardinality()
	var ids []uint32
	it := res.ReverseIterator()
	for it.HasNext() && len(ids) < limit {
		ids = append(ids, it.Next())
	}
	return ids, total, nil
}

func card(b *roaring.Bitmap) uint64 {
	if b == nil {
		return 0
	}
	return b.GetCardinality()
}

// IndexBytes returns the serialized size of the index.
func (m *Mailbox) IndexBytes() (terms int, bytes uint64) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, b := range m.postings {
		bytes += b.GetSerializedSizeInBytes()
	}
	return len(m.postings), bytes
}
