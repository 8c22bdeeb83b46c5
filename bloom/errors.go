package bloom

import "errors"

var (
	// ErrConfig reports an invalid constructor argument: a zero capacity, a
	// false-positive rate outside (0, 1), or an out-of-range option.
	ErrConfig = errors.New("bloom: invalid configuration")

	// ErrCorrupt reports encoded bytes that are truncated, fail their
	// checksum, or hold impossible parameters. Decoders wrap it with %w and a
	// description of what was wrong.
	ErrCorrupt = errors.New("bloom: corrupt encoding")

	// ErrVersion reports an encoding written by a newer, unknown format
	// version.
	ErrVersion = errors.New("bloom: unsupported encoding version")

	// ErrWrongKind reports an encoding of a different filter type than the
	// one decoding it (for example a cuckoo filter given to
	// [Filter.UnmarshalBinary]).
	ErrWrongKind = errors.New("bloom: encoding holds a different filter kind")

	// ErrIncompatible reports a Union or Intersect of filters with different
	// sizes or hash counts.
	ErrIncompatible = errors.New("bloom: filters are not compatible")

	// ErrFull reports that a [Cuckoo] filter cannot take another item. The
	// item is not inserted and nothing already inserted is lost.
	ErrFull = errors.New("bloom: cuckoo filter is full")

	// ErrBuild reports that a [Fuse] filter could not be constructed (only
	// possible for pathological inputs after many seeds).
	ErrBuild = errors.New("bloom: fuse filter construction failed")
)
