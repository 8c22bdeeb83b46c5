// Package varint reads and writes the length-prefixed fields of the
// examples' record formats, accepting only the minimal encoding of each
// number, so every valid record has exactly one byte form (which is what
// their fuzz tests check) and a padded varint is reported as corruption
// rather than read.
package varint

import "encoding/binary"

// Uvarint reads an unsigned varint written with the fewest bytes; ok is
// false for a truncated, overlong or non-minimal one.
func Uvarint(b []byte) (v uint64, n int, ok bool) {
	v, n = binary.Uvarint(b)
	if n <= 0 || n != len(binary.AppendUvarint(nil, v)) {
		return 0, 0, false
	}
	return v, n, true
}

// Varint is [Uvarint] for a signed (zig-zag) varint.
func Varint(b []byte) (v int64, n int, ok bool) {
	v, n = binary.Varint(b)
	if n <= 0 || n != len(binary.AppendVarint(nil, v)) {
		return 0, 0, false
	}
	return v, n, true
}

// AppendBytes appends field with its length as a uvarint before it.
func AppendBytes(dst, field []byte) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(field))), field...)
}

// AppendString is [AppendBytes] for a string.
func AppendString(dst []byte, field string) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(field))), field...)
}

// Bytes reads a field written by AppendBytes and returns it (aliasing b)
// with the bytes after it; ok is false when the length is malformed or
// runs past b.
func Bytes(b []byte) (field, rest []byte, ok bool) {
	n, w, ok := Uvarint(b)
	if !ok || n > uint64(len(b)-w) {
		return nil, nil, false
	}
	return b[w : w+int(n)], b[w+int(n):], true
}
