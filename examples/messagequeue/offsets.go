package messagequeue

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/sysdesign-go/sysdesign/internal/varint"
	"github.com/sysdesign-go/sysdesign/wal"
)

// offsetKey names one committed offset.
type offsetKey struct {
	group, topic string
	partition    int
}

// offsetStore keeps committed offsets durably, as Kafka keeps them in its
// compacted __consumer_offsets topic: each commit appends records to a
// wal.Log, Open replays them (the last record of a key wins), and when the
// log holds many more records than keys it appends one record per live key
// and truncates everything before them.
type offsetStore struct {
	mu  sync.Mutex
	log *wal.Log
	m   map[offsetKey]uint64
}

// compactAfter is the log length, as a multiple of the live keys, that
// triggers compaction.
const compactAfter = 4

func openOffsets(dir string) (*offsetStore, error) {
	log, err := wal.Open(dir, nil)
	if err != nil {
		return nil, err
	}
	s := &offsetStore{log: log, m: map[offsetKey]uint64{}}
	r := log.NewReader(log.FirstIndex())
	for i, rec := range r.All() {
		k, off, err := decodeOffset(rec)
		if err != nil {
			log.Close()
			return nil, fmt.Errorf("messagequeue: offsets record %d: %w", i, err)
		}
		s.m[k] = off
	}
	if err := r.Err(); err != nil {
		log.Close()
		return nil, err
	}
	return s, nil
}

// commit stores offsets durably before it returns.
func (s *offsetStore) commit(offsets map[offsetKey]uint64) error {
	if len(offsets) == 0 {
		return nil
	}
	recs := make([][]byte, 0, len(offsets))
	for k, off := range offsets {
		recs = append(recs, appendOffset(nil, k, off))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.log.AppendBatch(recs); err != nil {
		return err
	}
	for k, off := range offsets {
		s.m[k] = off
	}
	if n := s.log.LastIndex() - s.log.FirstIndex() + 1; n > 64 && n > compactAfter*uint64(len(s.m)) {
		return s.compact()
	}
	return nil
}

// compact rewrites the live offsets at the end of the log and drops what
// came before. A crash in between leaves the old records too; replaying
// them first and the snapshot after gives the same map.
func (s *offsetStore) compact() error {
	recs := make([][]byte, 0, len(s.m))
	for k, off := range s.m {
		recs = append(recs, appendOffset(nil, k, off))
	}
	first, err := s.log.AppendBatch(recs)
	if err != nil {
		return err
	}
	return s.log.TruncateFront(first)
}

func (s *offsetStore) get(k offsetKey) (uint64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	off, ok := s.m[k]
	return off, ok
}

// records returns the length of the offsets log (for tests and reports).
func (s *offsetStore) records() uint64 {
	return s.log.LastIndex() + 1 - s.log.FirstIndex()
}

func (s *offsetStore) close() error { return s.log.Close() }

// Record: group length (uvarint) | group | topic length | topic |
// partition (uvarint) | offset (uvarint).
func appendOffset(dst []byte, k offsetKey, off uint64) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(k.group)))
	dst = append(dst, k.group...)
	dst = binary.AppendUvarint(dst, uint64(len(k.topic)))
	dst = append(dst, k.topic...)
	dst = binary.AppendUvarint(dst, uint64(k.partition))
	return binary.AppendUvarint(dst, off)
}

func decodeOffset(rec []byte) (offsetKey, uint64, error) {
	var k offsetKey
	str := func() (string, bool) {
		n, w, ok := varint.Uvarint(rec)
		if !ok || n > uint64(len(rec)-w) {
			return "", false
		}
		s := string(rec[w : w+int(n)])
		rec = rec[w+int(n):]
		return s, true
	}
	num := func() (uint64, bool) {
		n, w, ok := varint.Uvarint(rec)
		if !ok {
			return 0, false
		}
		rec = rec[w:]
		return n, true
	}
	var ok1, ok2, ok3, ok4 bool
	var part, off uint64
	k.group, ok1 = str()
	k.topic, ok2 = str()
	part, ok3 = num()
	off, ok4 = num()
	if !ok1 || !ok2 || !ok3 || !ok4 || len(rec) != 0 || part > 1<<20 {
		return offsetKey{}, 0, fmt.Errorf("%w: bad offset record", ErrCorruptMessage)
	}
	k.partition = int(part)
	return k, off, nil
}
