package messagequeue

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/sysdesign-go/sysdesign/internal/atomicfile"
	"github.com/sysdesign-go/sysdesign/wal"
)

var (
	// ErrUnknownTopic is returned for a topic that was never created.
	ErrUnknownTopic = errors.New("messagequeue: unknown topic")
	// ErrTopicExists is returned by CreateTopic for an existing topic.
	ErrTopicExists = errors.New("messagequeue: topic exists")
	// ErrInvalid wraps every invalid argument: names, partition counts,
	// partitions out of range, oversized messages.
	ErrInvalid = errors.New("messagequeue: invalid argument")
)

// Options configure a Broker.
type Options struct {
	// Now is the clock that stamps messages and drives retention.
	// Default time.Now.
	Now func() time.Time
	// SegmentSize is the wal segment size of each partition. Default 4 MiB.
	SegmentSize int64
	// MaxMessageSize bounds key plus value. Default 1 MiB.
	MaxMessageSize int
}

// TopicConfig describes a topic.
type TopicConfig struct {
	Partitions int           `json:"partitions"`
	Retention  time.Duration `json:"retention"` // 0: keep forever
}

// Broker stores topics as partitions, each partition an append-only
// wal.Log whose record indexes are the message offsets. A produce returns
// once its message is fsynced (concurrent producers to a partition share
// fsyncs through the log's group commit). Consumer groups and their
// committed offsets live in the broker too (see Join).
//
// A Broker is safe for concurrent use.
type Broker struct {
	dir  string
	opts Options

	mu     sync.RWMutex
	topics map[string]*topic
	groups map[string]*group

	offsets *offsetStore
	closed  atomic.Bool
}

type topic struct {
	name  string
	cfg   TopicConfig
	parts []*partition
	next  atomic.Uint64 // round robin for unkeyed messages
}

type partition struct {
	log *wal.Log
	mu  sync.Mutex // orders stamping and appending
	// last is the time of the newest message: stamps never go backwards
	// within a partition, so retention can binary-search them.
	last time.Time
}

var validName = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,100}$`)

// Open opens the broker stored in dir, creating it if needed, with every
// topic, partition and committed offset it had.
func Open(dir string, opts *Options) (*Broker, error) {
	b := &Broker{dir: dir, topics: map[string]*topic{}, groups: map[string]*group{}}
	if opts != nil {
		b.opts = *opts
	}
	if b.opts.Now == nil {
		b.opts.Now = time.Now
	}
	if b.opts.SegmentSize == 0 {
		b.opts.SegmentSize = 4 << 20
	}
	if b.opts.MaxMessageSize == 0 {
		b.opts.MaxMessageSize = 1 << 20
	}
	if int64(b.opts.MaxMessageSize)+64 > b.opts.SegmentSize {
		return nil, fmt.Errorf("%w: MaxMessageSize %d does not fit SegmentSize %d", ErrInvalid, b.opts.MaxMessageSize, b.opts.SegmentSize)
	}
	if err := os.MkdirAll(filepath.Join(dir, "topics"), 0o755); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(filepath.Join(dir, "topics"))
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, "topics", e.Name(), "topic.json"))
		if errors.Is(err, os.ErrNotExist) {
			continue // CreateTopic crashed before it finished: the topic never existed
		}
		var cfg TopicConfig
		if err == nil {
			err = json.Unmarshal(raw, &cfg)
		}
		if err == nil && cfg.Partitions < 1 {
			err = fmt.Errorf("%d partitions", cfg.Partitions)
		}
		if err == nil {
			err = b.openTopic(e.Name(), cfg)
		}
		if err != nil {
			b.closeLogs()
			return nil, fmt.Errorf("messagequeue: topic %s: %w", e.Name(), err)
		}
	}
	if b.offsets, err = openOffsets(filepath.Join(dir, "offsets")); err != nil {
		b.closeLogs()
		return nil, err
	}
	return b, nil
}

func (b *Broker) openTopic(name string, cfg TopicConfig) error {
	t := &topic{name: name, cfg: cfg}
	b.topics[name] = t // so closeLogs sees what opened
	for p := range cfg.Partitions {
		log, err := wal.Open(filepath.Join(b.dir, "topics", name, strconv.Itoa(p)), &wal.Options{SegmentSize: b.opts.SegmentSize})
		if err != nil {
			return err
		}
		part := &partition{log: log}
		if last := log.LastIndex(); last >= log.FirstIndex() {
			data, err := log.Read(last)
			if err == nil {
				part.last, err = messageTime(data)
			}
			if err != nil {
				log.Close()
				return err
			}
		}
		t.parts = append(t.parts, part)
	}
	return nil
}

// CreateTopic creates a topic with cfg.Partitions partitions.
func (b *Broker) CreateTopic(name string, cfg TopicConfig) error {
	if !validName.MatchString(name) || cfg.Partitions < 1 || cfg.Partitions > 1024 || cfg.Retention < 0 {
		return fmt.Errorf("%w: topic %q with %d partitions, retention %v", ErrInvalid, name, cfg.Partitions, cfg.Retention)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed.Load() {
		return wal.ErrClosed
	}
	if _, ok := b.topics[name]; ok {
		return fmt.Errorf("%w: %s", ErrTopicExists, name)
	}
	dir := filepath.Join(b.dir, "topics", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := b.openTopic(name, cfg); err != nil {
		delete(b.topics, name)
		return err
	}
	// topic.json is written last, atomically: a topic exists once it is there.
	raw, _ := json.Marshal(cfg)
	return atomicfile.WriteFile(filepath.Join(dir, "topic.json"), raw)
}

func (b *Broker) topic(name string) (*topic, error) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	t, ok := b.topics[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownTopic, name)
	}
	return t, nil
}

// Produce appends a message to topicName and returns its partition and
// offset once it is durable. A keyed message goes to the partition its key
// hashes to, so one key's messages stay in order; an unkeyed one goes round
// robin.
func (b *Broker) Produce(topicName string, key, value []byte) (partition int, offset uint64, err error) {
	t, err := b.topic(topicName)
	if err != nil {
		return 0, 0, err
	}
	if len(key)+len(value) > b.opts.MaxMessageSize {
		return 0, 0, fmt.Errorf("%w: %d bytes, at most %d", ErrInvalid, len(key)+len(value), b.opts.MaxMessageSize)
	}
	if key != nil {
		partition = int(xxhash.Sum64(key) % uint64(len(t.parts)))
	} else {
		partition = int(t.next.Add(1) % uint64(len(t.parts)))
	}
	p := t.parts[partition]
	p.mu.Lock()
	now := b.opts.Now()
	if now.Before(p.last) {
		now = p.last
	}
	p.last = now
	rec := appendMessage(make([]byte, 0, 16+len(key)+len(value)), now, key, value)
	// Appending under the lock keeps stamps in offset order. The lock is
	// held through the fsync; producers to other partitions are not blocked.
	offset, err = p.log.Append(rec)
	p.mu.Unlock()
	return partition, offset, err
}

// Fetch returns up to limit messages of a partition from offset on. An offset
// below the partition's first (removed by retention) starts at the first.
func (b *Broker) Fetch(topicName string, partition int, offset uint64, limit int) ([]Message, error) {
	t, err := b.topic(topicName)
	if err != nil {
		return nil, err
	}
	if partition < 0 || partition >= len(t.parts) {
		return nil, fmt.Errorf("%w: partition %d of %s", ErrInvalid, partition, topicName)
	}
	log := t.parts[partition].log
	offset = max(offset, log.FirstIndex())
	var out []Message
	r := log.NewReader(offset)
	for len(out) < limit {
		i, data, err := r.Next()
		if err != nil {
			// io.EOF: caught up. ErrNotFound: retention removed the
			// next message meanwhile; the next fetch starts at the new first.
			if err == io.EOF || errors.Is(err, wal.ErrNotFound) {
				break
			}
			return out, err
		}
		at, key, value, err := decodeMessage(data)
		if err != nil {
			return out, fmt.Errorf("%s/%d offset %d: %w", topicName, partition, i, err)
		}
		// data is the reader's copy, so key and value can alias it.
		out = append(out, Message{Topic: topicName, Partition: partition, Offset: i, Time: at, Key: key, Value: value})
	}
	return out, nil
}

// Offsets returns a partition's first and next offsets: its messages are
// [first, next).
func (b *Broker) Offsets(topicName string, partition int) (first, next uint64, err error) {
	t, err := b.topic(topicName)
	if err != nil {
		return 0, 0, err
	}
	if partition < 0 || partition >= len(t.parts) {
		return 0, 0, fmt.Errorf("%w: partition %d of %s", ErrInvalid, partition, topicName)
	}
	log := t.parts[partition].log
	return log.FirstIndex(), log.LastIndex() + 1, nil
}

// Partitions returns the partition count of a topic.
func (b *Broker) Partitions(topicName string) (int, error) {
	t, err := b.topic(topicName)
	if err != nil {
		return 0, err
	}
	return len(t.parts), nil
}

// EnforceRetention drops, in every topic with a retention, the messages
// older than the retention, and returns how many it dropped. Run it
// periodically (Kafka checks every 5 minutes by default).
func (b *Broker) EnforceRetention() (dropped int, err error) {
	b.mu.RLock()
	topics := make([]*topic, 0, len(b.topics))
	for _, t := range b.topics {
		topics = append(topics, t)
	}
	b.mu.RUnlock()
	cutoff := b.opts.Now()
	for _, t := range topics {
		if t.cfg.Retention == 0 {
			continue
		}
		for _, p := range t.parts {
			n, err := p.dropBefore(cutoff.Add(-t.cfg.Retention))
			dropped += n
			if err != nil {
				return dropped, err
			}
		}
	}
	return dropped, nil
}

// dropBefore removes the messages stamped before cutoff. Stamps are in
// offset order, so the first one to keep is found by binary search.
func (p *partition) dropBefore(cutoff time.Time) (int, error) {
	lo, hi := p.log.FirstIndex(), p.log.LastIndex()+1 // the answer is in [lo, hi]
	first := lo
	for lo < hi {
		mid := lo + (hi-lo)/2
		data, err := p.log.Read(mid)
		if err != nil {
			return 0, err
		}
		at, err := messageTime(data)
		if err != nil {
			return 0, err
		}
		if at.Before(cutoff) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == first {
		return 0, nil
	}
	return int(lo - first), p.log.TruncateFront(lo)
}

// Close closes every log. Consumers must not be used afterwards.
func (b *Broker) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed.Swap(true) {
		return wal.ErrClosed
	}
	return errors.Join(b.closeLogs(), b.offsets.close())
}

func (b *Broker) closeLogs() error {
	var errs []error
	for _, t := range b.topics {
		for _, p := range t.parts {
			errs = append(errs, p.log.Close())
		}
	}
	return errors.Join(errs...)
}
