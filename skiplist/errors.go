package skiplist

import "errors"

var (
	// ErrInvalidOptions is returned (wrapped) by constructors given an
	// unusable configuration.
	ErrInvalidOptions = errors.New("skiplist: invalid options")

	// ErrNaN is returned when a score is NaN or an operation would make one
	// (Redis: "resulting score is not a number (NaN)").
	ErrNaN = errors.New("skiplist: score is not a number (NaN)")

	// ErrIncompatibleFlags is returned by [SortedSet.Add] for flag
	// combinations Redis rejects: NX with XX, and NX, GT, LT together.
	ErrIncompatibleFlags = errors.New("skiplist: incompatible ZADD flags")

	// ErrNegativeCount is returned for a negative count where Redis requires
	// a positive one (ZPOPMIN/ZPOPMAX), and for a negative window size
	// ([SortedSet.AppendWindow], a leaderboard's Top and Around).
	ErrNegativeCount = errors.New("skiplist: count must be non-negative")

	// ErrBadBound is returned by [ParseScoreBound] and [ParseLexBound] for a
	// malformed range bound.
	ErrBadBound = errors.New("skiplist: malformed range bound")
)
