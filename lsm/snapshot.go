package lsm

// Snapshot is a consistent, repeatable view of the DB at one moment: reads
// through it ignore later writes. Compactions keep the versions it can see
// until it is closed. It is safe for concurrent use.
type Snapshot struct {
	db  *DB
	seq uint64
}

// NewSnapshot returns a snapshot of the current state. Close it when done.
func (db *DB) NewSnapshot() *Snapshot {
	db.mu.Lock()
	defer db.mu.Unlock()
	s := &Snapshot{db: db, seq: db.visibleSeq.Load()}
	db.snapshots[s] = struct{}{}
	return s
}

// Get returns a copy of the value of key as of the snapshot, or
// ErrNotFound.
func (s *Snapshot) Get(key []byte) ([]byte, error) { return s.db.getAt(key, s.seq, true) }

// NewIter returns an iterator over the snapshot.
func (s *Snapshot) NewIter(o *IterOptions) *Iterator { return s.db.newIter(o, s.seq, true) }

// Close releases the snapshot. Closing twice is a no-op.
func (s *Snapshot) Close() error {
	s.db.mu.Lock()
	defer s.db.mu.Unlock()
	delete(s.db.snapshots, s)
	return nil
}
