// Package lsm is an embeddable LSM-tree key-value store: the storage engine
// of LevelDB and RocksDB (O'Neil et al., "The Log-Structured Merge-Tree",
// 1996, https://doi.org/10.1007/s002360050048), in plain Go.
//
// # Usage
//
//	db, err := lsm.Open(dir, nil)
//	...
//	err = db.Put([]byte("k"), []byte("v"), nil)
//	v, err := db.Get([]byte("k"))     // lsm.ErrNotFound if absent
//	it := db.NewIter(&lsm.IterOptions{Prefix: []byte("user:")})
//	for k, v := range it.All() { ... }
//	err = it.Close()
//	err = db.Close()
//
// # How it works
//
// Writes go to a write-ahead log (one record per [Batch], buffered up to
// 64 KiB or 10 ms unless fsynced) and then to a memtable, a skiplist ordered by (key, sequence
// number descending). A full memtable is frozen, a new one (with a new log)
// takes the writes, and a background goroutine flushes the frozen one to a
// level-0 sorted table (SSTable). Tables have 4 KiB data blocks with
// shared-prefix key compression and restart points, a block index, a Bloom
// filter over the table's keys, a CRC-32C on every block and a footer with
// a format version (see lsm/internal/sstable for the byte layout). A
// MANIFEST records every change to the set of live tables as a version edit,
// so the tree survives crashes; CURRENT names the live MANIFEST.
//
// Leveled compaction keeps level 0 small (L0CompactionTrigger tables, merged
// with the overlapping level-1 tables) and each level L >= 1 under
// LevelBaseSize * LevelMultiplier^(L-1) bytes, by merging one table at a
// time, round-robin, into the next level; tables that overlap nothing below
// are moved without rewriting. Overwritten values no snapshot can see are
// dropped, and tombstones are dropped once no deeper level can hold the
// key. When level 0 reaches L0SlowdownWrites tables each write is delayed
// 1 ms, and at L0StopWrites writes wait, so level 0 cannot grow without
// bound. A table is deleted only when no version still in use by an
// iterator or a running read refers to it.
//
// Reads consult the memtables, then level-0 tables newest first, then one
// table per deeper level, skipping tables whose Bloom filter rules the key
// out. On Unix, table files are mapped into memory (read-only): a block's
// checksum is checked the first time it is read, and later reads use the
// mapped bytes with no system call and no copy, the operating system's
// page cache holding hot data (see Options.DisableMmap for the
// trade-offs). Otherwise blocks read from disk are kept in a shared LRU
// block cache; blocks are reference counted, so the buffer of an evicted
// block is reused for the next miss once no reader holds it. Either way a
// Get allocates nothing but the copy of the value it returns.
//
// Writers queue for a group commit: whoever holds the commit lock next
// writes every queued batch to the log in one write call (one log record
// per batch) and fsyncs at most once for all of them, so concurrent Sync
// writers share fsyncs (Stats.CommitGroups, CommitBatches, LogSyncs).
//
// # Costs
//
// Put/Delete/Apply: one log append (a copy into the log buffer, one write
// system call per 64 KiB; with Sync, a write and an fsync) and O(log n)
// memtable insertion per key; compaction rewrites each byte about
// LevelMultiplier times per level it descends (see Stats.WriteAmplification).
// Get: O(log n) in each memtable, at most one block read per level-0 table
// and per level (usually none thanks to the filters and the cache).
// Iterators: a k-way merge over memtables and levels, O(log k) per step.
//
// # Consistency and durability
//
// Every write gets a sequence number. Get, iterators and [Snapshot] read
// the state as of one sequence number, so a Batch is seen whole or not at
// all and iterators are not disturbed by concurrent writes. After a machine
// crash every write made with Sync is recovered from the logs, and so is
// every write acknowledged before it. Non-Sync writes go through the log's
// write buffer (Options.WALBufferSize, 64 KiB by default), so a process
// crash can lose the latest of them: about those of the last
// Options.WALBufferDelay (10 ms by default), whole batches only, always the
// newest, never one before a surviving write. A negative WALBufferSize
// makes every acknowledged write survive a process crash, at 1.15-1.5x the
// cost of a small write. Corrupt tables, MANIFEST or
// log records give errors matching [ErrCorrupt] naming the file; no read
// returns wrong data.
//
// # Concurrency
//
// A [DB] and a [Snapshot] are safe for concurrent use. Writers are
// serialised; readers do not block writers. An [Iterator] is for one
// goroutine at a time.
//
// # Tests
//
// The model test (random operations, snapshots, flushes, compactions and
// reopens checked against a map after every step) runs LSM_MODEL_STEPS
// steps (default 3000, 1000 under -race); the crash test re-executes the
// test binary as a child that writes with Sync and is killed with SIGKILL,
// LSM_CRASH_ROUNDS times (default 6).
//
// # Building blocks
//
// The write-ahead log is the project's wal package (one wal directory per
// memtable, NNNNNN.log/), and each table's filter is a blocked Bloom filter
// from the bloom package. Both sit behind small internal seams
// (wal_seam.go, filter_seam.go). The MANIFEST uses a simpler checksummed
// record file (lsm/internal/record).
//
// # Used by
//
// The key-value store, URL shortener, mail, hotel, S3 and payment examples.
package lsm
