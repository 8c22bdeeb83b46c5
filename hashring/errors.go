package hashring

import "errors"

var (
	// ErrConfig reports an invalid option or node (empty ID, negative
	// weight, load factor not above 1).
	ErrConfig = errors.New("hashring: invalid configuration")

	// ErrDuplicateNode reports an Add of a node ID that is already a member.
	ErrDuplicateNode = errors.New("hashring: node already present")

	// ErrUnknownNode reports a Remove of a node ID that is not a member.
	ErrUnknownNode = errors.New("hashring: unknown node")

	// ErrTooManyNodes reports growth past a structure's node limit (65,536
	// for [Ring], the fixed capacity for [Anchor]).
	ErrTooManyNodes = errors.New("hashring: too many nodes")

	// ErrNotLast reports an attempt to remove a node other than the last from
	// a [Jump], which can only shrink from the end.
	ErrNotLast = errors.New("hashring: jump hash can only remove the last node")

	// ErrEmpty reports an assignment on a [Bounded] with no nodes.
	ErrEmpty = errors.New("hashring: no nodes")
)
