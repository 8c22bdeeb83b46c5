package s3

import (
	"errors"
	"fmt"

	"github.com/sysdesign-go/sysdesign/lsm"
)

// DeleteVersion removes one version for good (S3's DELETE with a versionId;
// lifecycle rules that expire noncurrent versions do the same). Its data
// stays in the data log until Compact.
func (s *Store) DeleteVersion(bucket, key, version string) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.checkBucket(bucket); err != nil {
		return err
	}
	id, err := parseVersion(version)
	if err != nil {
		return err
	}
	k := objectKey(bucket, key, id)
	if _, err := s.meta.Get(k); errors.Is(err, lsm.ErrNotFound) {
		return fmt.Errorf("%w: %s/%s version %s", ErrNoSuchKey, bucket, key, version)
	} else if err != nil {
		return err
	}
	return s.meta.Delete(k, synced)
}

// CompactStats says what one Compact did.
type CompactStats struct {
	Examined, Moved       int   // data records in the compacted range / live ones copied
	BytesMoved, Reclaimed int64 // bytes copied to the tail / bytes no longer stored
}

// Compact reclaims the space of deleted versions in the older half of the
// data log: it copies the live parts found there to the end of the log,
// points their versions at the copies, and truncates the log's front. Each
// version is updated only after its copy is synced, so a crash at any
// point leaves every version readable. Compact blocks other operations
// while it runs.
func (s *Store) Compact() (CompactStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st CompactStats
	first, last := s.data.FirstIndex(), s.data.LastIndex()
	if last < first {
		return st, nil
	}
	upto := first + (last-first+1)/2 // compact [first, upto)
	it := s.meta.NewIter(&lsm.IterOptions{Prefix: []byte("obj/")})
	type move struct {
		key  []byte
		info ObjectInfo
	}
	var moves []move
	live := map[uint64]bool{}
	for k, v := range it.All() {
		info, err := decodeInfo("", "", v)
		if err != nil {
			it.Close()
			return st, fmt.Errorf("%w: table key %q", err, k)
		}
		old := false
		for _, p := range info.parts {
			if p < upto {
				old, live[p] = true, true
			}
		}
		if old {
			moves = append(moves, move{append([]byte(nil), k...), info})
		}
	}
	if err := errors.Join(it.Error(), it.Close()); err != nil {
		return st, err
	}
	for i := first; i < upto; i++ {
		rec, err := s.data.Read(i)
		if err != nil {
			return st, err
		}
		st.Examined++
		if !live[i] {
			st.Reclaimed += int64(len(rec))
		}
	}
	for _, m := range moves {
		parts := make([][]byte, len(m.info.parts))
		for j, p := range m.info.parts {
			rec, err := s.data.Read(p)
			if err != nil {
				return st, err
			}
			parts[j] = rec
			st.BytesMoved += int64(len(rec))
		}
		start, err := s.data.AppendBatch(parts)
		if err != nil {
			return st, err
		}
		for j := range m.info.parts {
			m.info.parts[j] = start + uint64(j)
		}
		if err := s.meta.Put(m.key, encodeInfo(m.info), synced); err != nil {
			return st, err
		}
		st.Moved += len(parts)
	}
	return st, s.data.TruncateFront(upto)
}
