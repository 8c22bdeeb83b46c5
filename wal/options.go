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
	// MinSegmentSize is the smallest accepted [Options.SegmentSize].
	MinSegmentSize = segmentHeaderSize + recordHeaderSize + 1
)

// Options configures [Open]. The zero value means: the operating system's
// file system, 64 MiB segments, [SyncAlways], no repair.
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
	return c
}
