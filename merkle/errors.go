package merkle

import "errors"

var (
	// ErrInvalidOptions is returned by [New] for a fan-out or depth outside
	// the documented ranges.
	ErrInvalidOptions = errors.New("merkle: invalid options")
	// ErrShapeMismatch is returned by [Tree.Diff] when the remote tree has a
	// different fan-out or depth (its answers do not fit the local tree).
	ErrShapeMismatch = errors.New("merkle: remote tree has a different shape")
	// ErrBadRequest is returned when a diff request names a level, node or
	// bucket that does not exist, or is not in ascending order.
	ErrBadRequest = errors.New("merkle: bad diff request")
	// ErrBadResponse is returned when a remote answers with entries that
	// were not asked for or with the wrong number of hashes.
	ErrBadResponse = errors.New("merkle: bad diff response")
	// ErrNoSource is returned when a [Summary] created without an
	// [EntrySource] is asked for entries.
	ErrNoSource = errors.New("merkle: summary has no entry source")
	// ErrBadSource is returned when an [EntrySource] lists a key outside the
	// buckets asked for, or a key twice.
	ErrBadSource = errors.New("merkle: entry source broke its contract")
	// ErrStale is returned by [Summary.Diff] when the entries the source
	// lists for a bucket do not add up to the bucket's hash: an update was
	// missed or reported with the wrong value hash. [Summary.Rehash]
	// repairs the bucket.
	ErrStale = errors.New("merkle: summary does not match its entry source")
	// ErrCorrupt is returned by decoders for malformed input.
	ErrCorrupt = errors.New("merkle: corrupt encoding")
	// ErrIndexOutOfRange is returned by [BinaryTree.Proof] for a block index
	// outside [0, Len).
	ErrIndexOutOfRange = errors.New("merkle: block index out of range")
	// ErrProofInvalid is returned when an inclusion proof does not lead to
	// the expected root: the block, the proof or the root was altered.
	ErrProofInvalid = errors.New("merkle: inclusion proof does not verify")
)
