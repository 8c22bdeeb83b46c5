package wal

import (
	"errors"
	"fmt"
)

var (
	// ErrCorrupt is matched (with [errors.Is]) by every [CorruptError]: a
	// record or segment failed its checksum or structure check somewhere
	// other than a torn tail.
	ErrCorrupt = errors.New("wal: corrupt log")
	// ErrLocked is returned by [Open] when another Log (in this or another
	// process) has the directory open.
	ErrLocked = errors.New("wal: log directory is locked by another user")
	// ErrClosed is returned by every method of a closed [Log].
	ErrClosed = errors.New("wal: log closed")
	// ErrNotFound is returned when an index is outside [FirstIndex, LastIndex].
	ErrNotFound = errors.New("wal: index not found")
	// ErrOutOfRange is returned by TruncateFront and TruncateBack for an
	// index they cannot truncate at.
	ErrOutOfRange = errors.New("wal: truncate index out of range")
	// ErrTooLarge is returned by Append for a record that does not fit in a
	// segment (see [Options.SegmentSize]).
	ErrTooLarge = errors.New("wal: record too large")
	// ErrFailed wraps the I/O error after which the log stops accepting
	// writes: once a write or fsync has failed, what reached the disk is
	// unknown, so the log must be closed and reopened to recover.
	ErrFailed = errors.New("wal: log failed")
	// ErrInvalidOptions is wrapped by [Open] for invalid [Options].
	ErrInvalidOptions = errors.New("wal: invalid options")
)

// CorruptError reports where corruption was found: the segment file, the
// byte offset in it of the damaged record (or header), and why.
// It matches [ErrCorrupt] with [errors.Is].
type CorruptError struct {
	Segment string // path of the segment file
	Offset  int64  // byte offset of the damaged record or header
	Index   uint64 // index the damaged record would have had, 0 if unknown
	Reason  string // what check failed
}

func (e *CorruptError) Error() string {
	if e.Index != 0 {
		return fmt.Sprintf("wal: corrupt log: %s at offset %d (record %d): %s", e.Segment, e.Offset, e.Index, e.Reason)
	}
	return fmt.Sprintf("wal: corrupt log: %s at offset %d: %s", e.Segment, e.Offset, e.Reason)
}

// Is reports whether target is [ErrCorrupt].
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }
