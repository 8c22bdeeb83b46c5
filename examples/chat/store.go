package chat

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sysdesign-go/sysdesign/internal/atomicfile"
	"github.com/sysdesign-go/sysdesign/snowflake"
	"github.com/sysdesign-go/sysdesign/wal"
)

// Message is one chat message. IDs are snowflake IDs: unique, and in time
// order across every channel, so one number per device says how far it has
// synced.
type Message struct {
	ID      snowflake.ID `json:"id"`
	Channel string       `json:"channel"`
	From    string       `json:"from"`
	Text    string       `json:"text"`
}

var (
	// ErrNotMember is returned when a user writes to a channel they are
	// not in.
	ErrNotMember = errors.New("chat: not a member of the channel")
	// ErrInvalid wraps every invalid name or message.
	ErrInvalid = errors.New("chat: invalid request")
	// ErrCorrupt is matched by errors about stored messages that do not decode.
	ErrCorrupt = errors.New("chat: corrupt record")
)

// Store keeps every channel's messages in its own write-ahead log (wal),
// appended in ID order, so a channel's history is one sequential read and
// "everything after ID x" reads only the log's tail. Channels are direct
// ("dm:alice:bob", members from the name) or groups, whose members are kept
// in a small file. A Store is safe for concurrent use.
type Store struct {
	dir string
	ids *snowflake.Generator

	mu      sync.Mutex
	logs    map[string]*wal.Log
	appends map[string]*sync.Mutex // per channel: ID and append in one order
	groups  map[string][]string    // group channel -> members
}

// OpenStore opens the message store in dir.
func OpenStore(dir string) (*Store, error) {
	ids, err := snowflake.New(snowflake.Config{MaxLead: time.Second})
	if err != nil {
		return nil, err
	}
	s := &Store{dir: dir, ids: ids, logs: map[string]*wal.Log{}, appends: map[string]*sync.Mutex{}, groups: map[string][]string{}}
	raw, err := os.ReadFile(filepath.Join(dir, "groups.json"))
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &s.groups); err != nil {
			return nil, fmt.Errorf("%w: groups.json: %v", ErrCorrupt, err)
		}
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	return s, nil
}

// Close closes the channel logs.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, l := range s.logs {
		errs = append(errs, l.Close())
	}
	s.logs = map[string]*wal.Log{}
	return errors.Join(errs...)
}

func validName(n string) bool {
	return n != "" && len(n) <= 64 && !strings.ContainsAny(n, ":/\\ \x00")
}

// DM returns the direct channel of two users.
func DM(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return "dm:" + a + ":" + b
}

// CreateGroup creates (or replaces the members of) a group channel.
func (s *Store) CreateGroup(name string, members []string) (string, error) {
	if !validName(name) || len(members) < 2 {
		return "", fmt.Errorf("%w: group %q with %v", ErrInvalid, name, members)
	}
	for _, m := range members {
		if !validName(m) {
			return "", fmt.Errorf("%w: member %q", ErrInvalid, m)
		}
	}
	ch := "group:" + name
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[ch] = slices.Clone(members)
	raw, _ := json.Marshal(s.groups)
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return "", err
	}
	return ch, atomicfile.WriteFile(filepath.Join(s.dir, "groups.json"), raw)
}

// Members returns a channel's members.
func (s *Store) Members(ch string) []string {
	if rest, ok := strings.CutPrefix(ch, "dm:"); ok {
		a, b, ok := strings.Cut(rest, ":")
		if ok && validName(a) && validName(b) && a < b {
			return []string{a, b}
		}
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.groups[ch])
}

// Channels returns the channels a user is in that have messages or are
// groups.
func (s *Store) Channels(user string) []string {
	s.mu.Lock()
	var out []string
	for ch, m := range s.groups {
		if slices.Contains(m, user) {
			out = append(out, ch)
		}
	}
	s.mu.Unlock()
	entries, _ := os.ReadDir(filepath.Join(s.dir, "channels"))
	for _, e := range entries {
		if ch := e.Name(); strings.HasPrefix(ch, "dm:") && slices.Contains(s.Members(ch), user) {
			out = append(out, ch)
		}
	}
	slices.Sort(out)
	return out
}

func (s *Store) log(ch string) (*wal.Log, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l := s.logs[ch]; l != nil {
		return l, nil
	}
	l, err := wal.Open(filepath.Join(s.dir, "channels", ch), nil)
	if err != nil {
		return nil, err
	}
	s.logs[ch] = l
	return l, nil
}

// Append stores a message from a member and returns it with its ID, once
// it is on disk.
func (s *Store) Append(ch, from, text string) (Message, error) {
	if len(text) == 0 || len(text) > 16<<10 {
		return Message{}, fmt.Errorf("%w: %d-byte message", ErrInvalid, len(text))
	}
	if !slices.Contains(s.Members(ch), from) {
		return Message{}, fmt.Errorf("%w: %s in %s", ErrNotMember, from, ch)
	}
	l, err := s.log(ch)
	if err != nil {
		return Message{}, err
	}
	// The ID is taken under the channel's lock, so IDs in a log increase;
	// other channels append meanwhile.
	s.mu.Lock()
	lock := s.appends[ch]
	if lock == nil {
		lock = new(sync.Mutex)
		s.appends[ch] = lock
	}
	s.mu.Unlock()
	lock.Lock()
	id, err := s.ids.Next()
	if err == nil {
		_, err = l.Append(encode(Message{ID: id, From: from, Text: text}))
	}
	lock.Unlock()
	if err != nil {
		return Message{}, err
	}
	return Message{ID: id, Channel: ch, From: from, Text: text}, nil
}

// Since returns a user's messages with IDs above after, from every channel
// they are in, in ID order: what a device that has seen up to after missed.
func (s *Store) Since(user string, after snowflake.ID) ([]Message, error) {
	var out []Message
	for _, ch := range s.Channels(user) {
		l, err := s.log(ch)
		if err != nil {
			return nil, err
		}
		// Walk back from the newest to the first message at or below after.
		first := l.LastIndex() + 1
		for i := l.LastIndex(); i >= l.FirstIndex() && i > 0; i-- {
			rec, err := l.Read(i)
			if err != nil {
				return nil, err
			}
			m, err := decode(rec)
			if err != nil {
				return nil, fmt.Errorf("%s record %d: %w", ch, i, err)
			}
			if m.ID <= after {
				break
			}
			first = i
		}
		r := l.NewReader(first)
		for _, rec := range r.All() {
			m, err := decode(rec)
			if err != nil {
				return nil, err
			}
			m.Channel = ch
			out = append(out, m)
		}
		if err := r.Err(); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b Message) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// Record: id (8B) | from length (1B) | from | text.
func encode(m Message) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(m.ID))
	b = append(b, byte(len(m.From)))
	return append(append(b, m.From...), m.Text...)
}

func decode(b []byte) (Message, error) {
	if len(b) < 9 || int(b[8]) > len(b)-9 {
		return Message{}, fmt.Errorf("%w: %d bytes", ErrCorrupt, len(b))
	}
	n := 9 + int(b[8])
	return Message{ID: snowflake.ID(binary.LittleEndian.Uint64(b)), From: string(b[9:n]), Text: string(b[n:])}, nil
}
