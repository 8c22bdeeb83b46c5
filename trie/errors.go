package trie

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidOptions is returned (wrapped) by [New] for an unusable
	// configuration.
	ErrInvalidOptions = errors.New("trie: invalid options")

	// ErrInvalidUTF8 is returned when a query is not valid UTF-8 (after
	// normalisation).
	ErrInvalidUTF8 = errors.New("trie: query is not valid UTF-8")

	// ErrEmpty is returned when a query is empty after normalisation.
	ErrEmpty = errors.New("trie: empty query")

	// ErrTooLong is returned when a query has more runes than
	// [Options.MaxLen].
	ErrTooLong = errors.New("trie: query longer than MaxLen")

	// ErrOverflow is returned when a weight update would overflow int64.
	ErrOverflow = errors.New("trie: weight overflows int64")

	// ErrInvalidArgument is returned for out-of-range arguments, such as more
	// than two edits for [Trie.Fuzzy].
	ErrInvalidArgument = errors.New("trie: invalid argument")

	// ErrCorrupt is matched (via errors.Is) by every [CorruptError].
	ErrCorrupt = errors.New("trie: corrupt encoding")
)

// CorruptError reports malformed binary input to UnmarshalBinary, with the
// byte offset where decoding failed. errors.Is(err, ErrCorrupt) holds.
type CorruptError struct {
	Offset int
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("trie: corrupt encoding at byte %d: %s", e.Offset, e.Reason)
}

// Is makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// LogError reports a malformed line of a query log read by [ReadLog].
type LogError struct {
	Line int // 1-based
	Err  error
}

func (e *LogError) Error() string { return fmt.Sprintf("trie: query log line %d: %v", e.Line, e.Err) }

// Unwrap returns the underlying error.
func (e *LogError) Unwrap() error { return e.Err }
