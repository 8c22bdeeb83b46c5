// Package base holds the internal key encoding and the iterator interface
// shared by the lsm package and its internal subpackages.
//
// An internal key is the user key followed by an 8-byte little-endian
// trailer (seq<<8 | kind). Internal keys sort by user key ascending, then by
// sequence number descending, so the newest version of a key comes first.
package base

import (
	"bytes"
	"encoding/binary"
)

// Kind is the type of an entry.
type Kind uint8

// Entry kinds. KindSet sorts above KindDelete for the same sequence number,
// which never happens in practice because every entry has its own sequence.
const (
	KindDelete Kind = 0
	KindSet    Kind = 1
	// KindMax is used for seek keys: with MaxSeq it sorts before every
	// entry of the same user key.
	KindMax Kind = 1
)

// MaxSeq is the largest sequence number (56 bits).
const MaxSeq uint64 = 1<<56 - 1

// TrailerLen is the length of the internal key trailer.
const TrailerLen = 8

// MakeKey appends the internal key for (ukey, seq, kind) to dst.
func MakeKey(dst, ukey []byte, seq uint64, kind Kind) []byte {
	dst = append(dst, ukey...)
	return binary.LittleEndian.AppendUint64(dst, seq<<8|uint64(kind))
}

// UserKey returns the user key part of an internal key. ik must be valid.
func UserKey(ik []byte) []byte { return ik[:len(ik)-TrailerLen] }

// Trailer returns the trailer of an internal key.
func Trailer(ik []byte) uint64 { return binary.LittleEndian.Uint64(ik[len(ik)-TrailerLen:]) }

// Seq returns the sequence number of an internal key.
func Seq(ik []byte) uint64 { return Trailer(ik) >> 8 }

// KindOf returns the kind of an internal key.
func KindOf(ik []byte) Kind { return Kind(Trailer(ik) & 0xff) }

// Valid reports whether ik is long enough and has a known kind.
func Valid(ik []byte) bool {
	return len(ik) >= TrailerLen && KindOf(ik) <= KindSet
}

// CompareUser orders user keys bytewise, with a fast path comparing the
// first 8 bytes as one big-endian word.
func CompareUser(a, b []byte) int {
	if len(a) >= 8 && len(b) >= 8 {
		x, y := binary.BigEndian.Uint64(a), binary.BigEndian.Uint64(b)
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
		a, b = a[8:], b[8:]
		if len(a) >= 8 && len(b) >= 8 {
			x, y = binary.BigEndian.Uint64(a), binary.BigEndian.Uint64(b)
			if x != y {
				if x < y {
					return -1
				}
				return 1
			}
			a, b = a[8:], b[8:]
		}
	}
	return bytes.Compare(a, b)
}

// Compare orders internal keys: user key ascending, trailer descending.
func Compare(a, b []byte) int {
	if c := CompareUser(UserKey(a), UserKey(b)); c != 0 {
		return c
	}
	ta, tb := Trailer(a), Trailer(b)
	switch {
	case ta > tb:
		return -1
	case ta < tb:
		return 1
	}
	return 0
}

// Iterator is an internal iterator over internal keys. Key and Value are
// valid until the next positioning call. Implementations are not safe for
// concurrent use.
type Iterator interface {
	// SeekGE positions at the first entry with key >= ik.
	SeekGE(ik []byte) bool
	// SeekLT positions at the last entry with key < ik.
	SeekLT(ik []byte) bool
	First() bool
	Last() bool
	Next() bool
	Prev() bool
	Valid() bool
	Key() []byte
	Value() []byte
	// Error returns the first error met (a corrupt block, an I/O error).
	Error() error
	Close() error
}
