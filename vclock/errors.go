package vclock

import "errors"

var (
	// ErrCorrupt is returned by the binary decoders for malformed or
	// non-canonical input.
	ErrCorrupt = errors.New("vclock: corrupt encoding")
	// ErrSyntax is returned by [Parse] for text that is not a clock in the
	// form String produces.
	ErrSyntax = errors.New("vclock: invalid clock syntax")
	// ErrInvalidOptions is returned by [NewPruner] for negative limits.
	ErrInvalidOptions = errors.New("vclock: invalid options")
	// ErrOverflow is returned when a counter would pass the largest uint64.
	ErrOverflow = errors.New("vclock: counter overflow")
)
