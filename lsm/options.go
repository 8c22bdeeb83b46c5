package lsm

import "fmt"

// numLevels is the number of levels of the tree (L0..L6).
const numLevels = 7

// Options configures a DB. The zero value (or a nil *Options) gives the
// documented defaults.
type Options struct {
	// MemtableSize is the size in bytes at which the mutable memtable is
	// frozen and flushed to a level-0 table. Default 4 MiB.
	MemtableSize int64
	// MaxImmutableMemtables bounds the frozen memtables waiting for flush
	// before writers wait. Default 2.
	MaxImmutableMemtables int
	// BlockSize is the target data block size in bytes. Default 4096.
	BlockSize int
	// BlockRestartInterval is the number of keys between restart points.
	// Default 16.
	BlockRestartInterval int
	// BloomBitsPerKey is the Bloom filter size per key in each table.
	// Default 10 (about 1% false positives); negative disables filters.
	BloomBitsPerKey int
	// CacheSize is the block cache capacity in bytes. Default 8 MiB;
	// negative disables the cache.
	CacheSize int64
	// TargetFileSize is the size of tables written by compaction.
	// Default 2 MiB.
	TargetFileSize int64
	// L0CompactionTrigger is the number of level-0 tables that starts a
	// compaction into level 1. Default 4.
	L0CompactionTrigger int
	// L0SlowdownWrites is the number of level-0 tables at which each write
	// is delayed by 1 ms to let compaction catch up. Default 8.
	L0SlowdownWrites int
	// L0StopWrites is the number of level-0 tables at which writes wait
	// for compaction. Default 12.
	L0StopWrites int
	// LevelBaseSize is the target size of level 1; each deeper level is
	// LevelMultiplier times larger. Default 64 MiB.
	LevelBaseSize int64
	// LevelMultiplier is the size ratio between adjacent levels. Default 10.
	LevelMultiplier int
	// Sync makes every write fsync the log unless its WriteOptions say
	// otherwise. Default false.
	Sync bool
	// MmapTables maps table files into memory (read-only, on Unix) so a
	// block read is a checksum over mapped memory: no read system call and
	// no copy. Hot data then lives in the operating system's page cache,
	// outside the block cache and the Go heap, and cached blocks alias the
	// mapping. Where mapping fails, tables are read normally. Default false.
	MmapTables bool
	// WALBufferSize, when positive, lets writes without Sync return
	// before their log record reaches the operating system: records are
	// kept in memory and written to the log (in one write call) once
	// WALBufferSize bytes are pending, or with the next Sync write, memtable
	// switch, Flush or Close. This saves a system call per write, as
	// pebble's asynchronous log writer does, at a price: a process crash
	// can lose the latest non-Sync writes (up to WALBufferSize bytes; whole
	// batches only, never part of one, and never a Sync write or anything
	// before it). Default 0: every write reaches the operating system
	// before it returns, so it survives a process crash.
	WALBufferSize int
	// DisableBackgroundCompaction stops automatic compactions (flushes
	// still run); Compact still works. For tests. Default false.
	DisableBackgroundCompaction bool
}

func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	def := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	def64 := func(p *int64, v int64) {
		if *p == 0 {
			*p = v
		}
	}
	def64(&c.MemtableSize, 4<<20)
	def(&c.MaxImmutableMemtables, 2)
	def(&c.BlockSize, 4096)
	def(&c.BlockRestartInterval, 16)
	def(&c.BloomBitsPerKey, 10)
	def64(&c.CacheSize, 8<<20)
	def64(&c.TargetFileSize, 2<<20)
	def(&c.L0CompactionTrigger, 4)
	def(&c.L0SlowdownWrites, 8)
	def(&c.L0StopWrites, 12)
	def64(&c.LevelBaseSize, 64<<20)
	def(&c.LevelMultiplier, 10)
	return c
}

// Validate reports an error wrapping ErrInvalidOptions if a field is out of
// range. Zero fields are valid (they mean the default).
func (o *Options) Validate() error {
	c := o.withDefaults()
	bad := func(f string, v any) error { return fmt.Errorf("%w: %s = %v", ErrInvalidOptions, f, v) }
	switch {
	case c.WALBufferSize < 0:
		return bad("WALBufferSize", c.WALBufferSize)
	case c.MemtableSize < 1<<10:
		return bad("MemtableSize", c.MemtableSize)
	case c.MaxImmutableMemtables < 1:
		return bad("MaxImmutableMemtables", c.MaxImmutableMemtables)
	case c.BlockSize < 64:
		return bad("BlockSize", c.BlockSize)
	case c.BlockRestartInterval < 1:
		return bad("BlockRestartInterval", c.BlockRestartInterval)
	case c.TargetFileSize < 1<<10:
		return bad("TargetFileSize", c.TargetFileSize)
	case c.L0CompactionTrigger < 1:
		return bad("L0CompactionTrigger", c.L0CompactionTrigger)
	case c.L0SlowdownWrites < c.L0CompactionTrigger:
		return bad("L0SlowdownWrites", c.L0SlowdownWrites)
	case c.L0StopWrites < c.L0SlowdownWrites:
		return bad("L0StopWrites", c.L0StopWrites)
	case c.LevelBaseSize < 1<<10:
		return bad("LevelBaseSize", c.LevelBaseSize)
	case c.LevelMultiplier < 2:
		return bad("LevelMultiplier", c.LevelMultiplier)
	}
	return nil
}

// WriteOptions control one write. A nil *WriteOptions uses Options.Sync.
type WriteOptions struct {
	// Sync fsyncs the log before the write returns, so the write survives
	// a machine crash, not only a process crash.
	Sync bool
}

// IterOptions bound an iterator. The zero value iterates everything.
type IterOptions struct {
	// LowerBound, if set, is the smallest key returned (inclusive).
	LowerBound []byte
	// UpperBound, if set, is the exclusive upper limit.
	UpperBound []byte
	// Prefix, if set, restricts the iterator to keys with this prefix
	// (it narrows LowerBound and UpperBound).
	Prefix []byte
}
