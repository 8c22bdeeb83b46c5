package wal

import (
	"fmt"
	"time"
)

// SyncPolicy says when appended records are made durable with fsync.
type SyncPolicy int

const (
	// SyncAlways makes Append return only after its records are fsynced.
	// Concurrent appenders share one write and one fsync (group commit).
	// It is the default.
	SyncAlways SyncPolicy = iota
	// SyncInterval writes records to the operating system at once and
	// fsyncs every [Options.SyncInterval]; a crash loses at most that
	// window of acknowledged records.
	SyncInterval
	// SyncNever leaves flushing to the operating system. A process crash
	// loses nothing that Append acknowledged; a power cut may lose any
	// record not yet synced by [Log.Sync], a segment roll or [Log.Close].
	SyncNever
)

// String returns the policy's name, like "always".
func (p SyncPolicy) String() string {
	switch p {
	case SyncAlways:
		return "always"
	case SyncInterval:
		return "interval"
	case SyncNever:
		return "never"
	}
	return fmt.Sprintf("SyncPolicy(%d)", int(p))
}

// Default values of [Options] fields.
const (
	DefaultSegmentSize  = 64 << 20
	DefaultSyncInterval = 100 * time.Millisecond
	// DefaultBufferDelay is the default [Options.BufferDelay].
	DefaultBufferDelay = 10 * time.Millisecond
	// MinSegmentSize is the smallest accepted [Options.SegmentSize].
	MinSegmentSize = segmentHeaderSize + recordHeaderSize + 1
)

// Options configures [Open]. The zero value means: the operating system's
// file system, 64 MiB segments, [SyncAlways], no write buffering, no repair.
type Options struct {
	// FS is the file system the log lives in. Default: [OSFS].
	// Tests and examples pass a [MemFS].
	FS FS

	// SegmentSize is the size in bytes at which the log starts a new
	// segment file: a record that would take the active segment past it goes
	// to a new segment. A record, with its 12-byte header, may be at most
	// SegmentSize-16 bytes. Default: [DefaultSegmentSize] (64 MiB); at least
	// [MinSegmentSize].
	SegmentSize int64

	// Sync is the durability policy of Append. Default: [SyncAlways].
	Sync SyncPolicy

	// SyncInterval is the fsync period of [SyncInterval]; ignored by the
	// other policies. Default: [DefaultSyncInterval] (100ms).
	SyncInterval time.Duration

	// BufferSize, when positive and Sync is not [SyncAlways], lets Append
	// return before its record reaches the operating system: records are
	// framed into an in-memory buffer and written with one write call once
	// BufferSize bytes are pending, BufferDelay after the oldest of them was
	// appended, or when [Log.Sync], [Log.Close], a truncation, a read of a
	// buffered record or a waiting tailing reader needs them. This saves a
	// write system call per small record (the asynchronous log writers of
	// pebble and RocksDB make the same trade). The price: a process crash
	// may lose the records appended in the last BufferDelay (at most about
	// BufferSize bytes of them, whole records only, always a suffix of the
	// log), and a failed background write is reported by the next call.
	// Records appended before a successful Sync are never lost this way.
	// Ignored with SyncAlways, whose appends wait for the fsync anyway.
	// Default 0: every Append reaches the operating system before it
	// returns.
	BufferSize int

	// BufferDelay is the longest a buffered record waits before it is
	// written to the operating system (see BufferSize). Default:
	// [DefaultBufferDelay] (10ms).
	BufferDelay time.Duration

	// Repair makes Open cut the log at the first corrupt record instead of
	// failing: the damaged record and everything after it (the rest of its
	// segment and all later segments) are deleted, everything before it is
	// kept, and [Log.Recovery] describes what was cut. Default: false, so
	// Open returns a [*CorruptError].
	Repair bool
}

// Validate reports whether the options are usable, with an error wrapping
// [ErrInvalidOptions] if not. Zero fields are valid (they mean defaults).
func (o *Options) Validate() error {
	switch {
	case o.SegmentSize != 0 && o.SegmentSize < MinSegmentSize:
		return fmt.Errorf("%w: SegmentSize %d is below %d", ErrInvalidOptions, o.SegmentSize, MinSegmentSize)
	case o.Sync < SyncAlways || o.Sync > SyncNever:
		return fmt.Errorf("%w: unknown sync policy %d", ErrInvalidOptions, int(o.Sync))
	case o.SyncInterval < 0:
		return fmt.Errorf("%w: negative SyncInterval %v", ErrInvalidOptions, o.SyncInterval)
	case o.BufferSize < 0:
		return fmt.Errorf("%w: negative BufferSize %d", ErrInvalidOptions, o.BufferSize)
	case o.BufferDelay < 0:
		return fmt.Errorf("%w: negative BufferDelay %v", ErrInvalidOptions, o.BufferDelay)
	}
	return nil
}

// withDefaults returns a copy of o with zero fields set to their defaults.
func (o *Options) withDefaults() Options {
	c := Options{}
	if o != nil {
		c = *o
	}
	if c.FS == nil {
		c.FS = OSFS{}
	}
	if c.SegmentSize == 0 {
		c.SegmentSize = DefaultSegmentSize
	}
	if c.SyncInterval == 0 {
		c.SyncInterval = DefaultSyncInterval
	}
	if c.BufferDelay == 0 {
		c.BufferDelay = DefaultBufferDelay
	}
	return c
}
