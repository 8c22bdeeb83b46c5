package lsm

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound is returned by Get for a key with no live value.
	ErrNotFound = errors.New("lsm: not found")
	// ErrClosed is returned by operations on a closed DB.
	ErrClosed = errors.New("lsm: closed")
	// ErrCorrupt is matched (errors.Is) by every error about a damaged
	// table, MANIFEST or log file; the message names the file.
	ErrCorrupt = errors.New("lsm: corrupt data")
	// ErrLocked is returned by Open when another DB holds the directory.
	ErrLocked = errors.New("lsm: directory is locked by another process")
	// ErrInvalidOptions wraps every configuration error from Open.
	ErrInvalidOptions = errors.New("lsm: invalid options")
	// ErrBatchTooLarge is returned by Apply for a batch larger than
	// MaxBatchSize.
	ErrBatchTooLarge = errors.New("lsm: batch too large")
	// ErrBatchCorrupt is returned when a batch's encoding is invalid.
	ErrBatchCorrupt = errors.New("lsm: corrupt batch")
)

// CorruptionError reports damaged on-disk data. It matches ErrCorrupt.
type CorruptionError struct {
	File string // path of the damaged file
	Err  error  // what was wrong
}

func (e *CorruptionError) Error() string {
	return fmt.Sprintf("lsm: corrupt file %s: %v", e.File, e.Err)
}

// Unwrap returns the underlying error.
func (e *CorruptionError) Unwrap() error { return e.Err }

// Is reports whether target is ErrCorrupt.
func (e *CorruptionError) Is(target error) bool { return target == ErrCorrupt }
