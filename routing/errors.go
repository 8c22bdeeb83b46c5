package routing

import (
	"errors"
	"fmt"
)

var (
	// ErrUnknownNode is returned when a node ID is outside [0, NumNodes).
	ErrUnknownNode = errors.New("routing: unknown node")
	// ErrNoPath is returned when the target cannot be reached from the source.
	ErrNoPath = errors.New("routing: no path")
	// ErrNegativeWeight is returned when an arc weight is negative.
	ErrNegativeWeight = errors.New("routing: negative weight")
	// ErrWeightRange is returned when a weight, or a shortcut built from
	// weights, does not fit in [MaxWeight].
	ErrWeightRange = errors.New("routing: weight out of range")
	// ErrSyntax is wrapped by every [ParseError] from the loaders.
	ErrSyntax = errors.New("routing: syntax error")
	// ErrCorrupt is returned when a saved hierarchy fails its checks
	// (bad magic, checksum, lengths or arcs).
	ErrCorrupt = errors.New("routing: corrupt hierarchy")
	// ErrVersion is returned when a saved hierarchy has an unknown format version.
	ErrVersion = errors.New("routing: unsupported hierarchy version")
	// ErrMismatch is returned when a hierarchy or landmark set is used with a
	// graph of a different size.
	ErrMismatch = errors.New("routing: graph does not match")
	// ErrNoCoordinates is returned by A* when the graph has no coordinates.
	ErrNoCoordinates = errors.New("routing: graph has no coordinates")
)

// ParseError reports malformed input of a loader: the format, the 1-based
// line (0 when the input is not line-based) and the reason. It wraps
// [ErrSyntax].
type ParseError struct {
	Format string // "dimacs-gr", "dimacs-co", "metis", "xyz" or "osm"
	Line   int    // 1-based line number, 0 if not applicable
	Reason string
}

// Error returns "routing: <format> line <n>: <reason>".
func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("routing: %s line %d: %s", e.Format, e.Line, e.Reason)
	}
	return fmt.Sprintf("routing: %s: %s", e.Format, e.Reason)
}

// Unwrap returns [ErrSyntax].
func (e *ParseError) Unwrap() error { return ErrSyntax }

func unknownNode(v int) error { return fmt.Errorf("%w: %d", ErrUnknownNode, v) }
