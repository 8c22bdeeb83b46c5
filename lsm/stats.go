package lsm

import "time"

// counters are guarded by DB.mu.
type counters struct {
	userBytes, walBytes               int64
	flushes, flushBytes               int64
	compactions, moves                int64
	compactionRead, compactionWritten int64
	slowdowns, stops                  int64
	stallTime, longestStop            time.Duration
	commitGroups, commitBatches       int64
	logSyncs                          int64
}

func (c *counters) noteStall(d time.Duration, stop bool) {
	c.stallTime += d
	if stop {
		c.stops++
		c.longestStop = max(c.longestStop, d)
	} else {
		c.slowdowns++
	}
}

// LevelStats describes one level of the tree.
type LevelStats struct {
	Tables int   // number of tables
	Bytes  int64 // total table size in bytes
}

// Stats is a snapshot of the DB's counters.
type Stats struct {
	Levels             [numLevels]LevelStats
	MemtableBytes      int64 // approximate bytes in the mutable memtable
	FrozenMemtables    int   // memtables waiting for flush
	Flushes            int64 // memtables written to level 0
	Compactions        int64 // compactions that rewrote tables
	TrivialMoves       int64 // compactions that only moved a table down
	UserBytes          int64 // bytes of batches written by users
	WALBytes           int64 // bytes appended to logs
	FlushBytes         int64 // bytes of tables written by flushes
	CompactionRead     int64 // bytes of tables read by compactions
	CompactionWritten  int64 // bytes of tables written by compactions
	WriteAmplification float64
	// Slowdowns counts 1 ms write delays; Stops counts waits for a flush or
	// compaction; StallTime is their total and LongestStop the longest wait.
	Slowdowns, Stops       int64
	StallTime, LongestStop time.Duration
	CacheHits, CacheMisses int64
	CacheBytes             int64
	// CommitGroups counts group commits: each wrote the batches of
	// CommitBatches writers (together) to the log, and LogSyncs counts the
	// log fsyncs, at most one per group however many writers asked for Sync.
	CommitGroups, CommitBatches, LogSyncs int64
}

// Stats returns the current counters. WriteAmplification is
// (WALBytes + FlushBytes + CompactionWritten) / UserBytes.
func (db *DB) Stats() Stats {
	db.mu.Lock()
	defer db.mu.Unlock()
	var s Stats
	for l := range db.current.levels {
		s.Levels[l].Tables = len(db.current.levels[l])
		s.Levels[l].Bytes = int64(db.current.levelSize(l))
	}
	s.MemtableBytes = db.mem.mt.ApproximateSize()
	s.FrozenMemtables = len(db.imm)
	c := db.st
	s.Flushes, s.Compactions, s.TrivialMoves = c.flushes, c.compactions, c.moves
	s.UserBytes, s.WALBytes, s.FlushBytes = c.userBytes, c.walBytes, c.flushBytes
	s.CompactionRead, s.CompactionWritten = c.compactionRead, c.compactionWritten
	if c.userBytes > 0 {
		s.WriteAmplification = float64(c.walBytes+c.flushBytes+c.compactionWritten) / float64(c.userBytes)
	}
	s.Slowdowns, s.Stops, s.StallTime, s.LongestStop = c.slowdowns, c.stops, c.stallTime, c.longestStop
	s.CommitGroups, s.CommitBatches, s.LogSyncs = c.commitGroups, c.commitBatches, c.logSyncs
	s.CacheHits, s.CacheMisses, s.CacheBytes = db.cache.Stats()
	return s
}
