package lsm

import (
	"fmt"
	"time"
)

// numLevels is the number of levels of the tree (L0..L6).
const numLevels = 7

// Defaults of the log buffer options.
const (
	DefaultWALBufferSize  = 64 << 10
	DefaultWALBufferDelay = 10 * time.Millisecond
)

// Options configures a DB. The zero value (or a nil *Options) gives the
// documented defaults.
type Options struct {
	// MemtableSize is the size in bytes at which the mutable memtable is
	// frozen and flushed to a level-0 table. It counts the memory the
	// memtable really holds: keys, values and skiplist nodes (80 bytes per
	// entry with an internal key of up to 24 bytes), so a 16-byte key with
	// a 100-byte value takes 180 bytes. Default 4 MiB.
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
	// is delayed by 1 ms to let compaction catch up. Default 16.
	//
	// Level 0 is where a write-heavy load waits for compaction: each
	// level-0 compaction rewrites the overlapping level-1 tables, so the
	// more level-0 data it merges at once, the fewer bytes it rewrites per
	// byte written. With 4 MiB memtables (about 2.5 MiB tables) the
	// defaults of 16 and 20 tables let level 0 hold about 40-50 MiB before
	// writes slow down or stop, near pebble's limit (12 sublevels of ~3 MiB
	// flushes); LevelDB's 8 and 12 tables (with the 1.8 MiB flushes of the
	// time) made a random-overwrite run rewrite about 1.8x as many bytes in
	// compactions and spend a quarter of its time in 1 ms delays. The
	// price is read amplification: a Get may consult up to that many
	// level-0 tables (each one's Bloom filter usually rules it out without
	// touching its blocks).
	L0SlowdownWrites int
	// L0StopWrites is the number of level-0 tables at which writes wait
	// for compaction. Default 20.
	L0StopWrites int
	// LevelBaseSize is the target size of level 1; each deeper level is
	// LevelMultiplier times larger. Default 64 MiB.
	LevelBaseSize int64
	// LevelMultiplier is the size ratio between adjacent levels. Default 10.
	LevelMultiplier int
	// Sync makes every write fsync the log unless its WriteOptions say
	// otherwise. Default false.
	Sync bool
	// DisableMmap turns off memory-mapped table reads. By default (on Unix)
	// table files are mapped read-only: the first read of a block checks
	// its checksum over the mapped memory, and later reads use the mapped
	// bytes directly, with no system call, no copy and no block cache, so
	// hot data lives in the operating system's page cache, outside the Go
	// heap and outside CacheSize. The trade-offs: a disk error while the
	// kernel pages in table data kills the process (SIGBUS) instead of
	// failing the read; damage that appears on disk after a block was
	// first checked is not seen until the table is reopened (as with a
	// block cache); each open table takes address space (a concern on
	// 32-bit systems); and the record of checked blocks costs one bit per
	// 16 bytes of table (0.8%) on the Go heap. Tables are never written after they are created and
	// are unmapped only once no reader holds them. With DisableMmap, or
	// where mapping fails, blocks are read with pread into the block cache
	// and checked on every read from disk. Default false (mapped).
	DisableMmap bool
	// WALBufferSize is the size in bytes of the log's write buffer
	// (wal.Options.BufferSize). Writes without Sync return once their log
	// record is in the buffer; the buffer reaches the operating system in
	// one write call when it holds WALBufferSize bytes, WALBufferDelay after
	// its oldest record, or with the next Sync write or Close (Flush puts
	// the writes in a table). This saves a system call per small write, as
	// pebble's asynchronous log writer does, at a price: a process crash
	// can lose the non-Sync writes of about the last WALBufferDelay (more
	// only if the process is starved of CPU), whole batches only, never
	// part of one, and never a Sync write or anything before it.
	// Default 64 KiB; negative turns buffering off, so that every write
	// reaches the operating system before it returns and survives a process
	// crash (small non-Sync writes then cost a write system call each:
	// 1.15-1.5x slower in the fillrandom and overwrite benchmarks).
	WALBufferSize int
	// WALBufferDelay bounds how long a non-Sync write waits in the log
	// buffer (see WALBufferSize). Default 10 ms.
	WALBufferDelay time.Duration
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
	def(&c.L0SlowdownWrites, 16)
	def(&c.L0StopWrites, 20)
	def64(&c.LevelBaseSize, 64<<20)
	def(&c.LevelMultiplier, 10)
	def(&c.WALBufferSize, DefaultWALBufferSize)
	if c.WALBufferDelay == 0 {
		c.WALBufferDelay = DefaultWALBufferDelay
	}
	return c
}

// Validate reports an error wrapping ErrInvalidOptions if a field is out of
// range. Zero fields are valid (they mean the default).
func (o *Options) Validate() error {
	c := o.withDefaults()
	bad := func(f string, v any) error { return fmt.Errorf("%w: %s = %v", ErrInvalidOptions, f, v) }
	switch {
	case c.WALBufferDelay < 0:
		return bad("WALBufferDelay", c.WALBufferDelay)
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
