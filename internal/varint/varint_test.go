package varint

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func TestRoundTripAndStrictness(t *testing.T) {
	for _, v := range []uint64{0, 1, 127, 128, 1 << 40, 1<<64 - 1} {
		b := AppendBytes(nil, bytes.Repeat([]byte{'x'}, int(v%300)))
		f, rest, ok := Bytes(append(b, 'r'))
		if !ok || len(f) != int(v%300) || string(rest) != "r" {
			t.Errorf("Bytes of a %d-byte field: %q, %q, %v", v%300, f, rest, ok)
		}
		if f, _, ok := Bytes(AppendString(nil, "s")); !ok || string(f) != "s" {
			t.Errorf("AppendString round trip: %q, %v", f, ok)
		}
		if got, n, ok := Uvarint(binaryUvarint(v)); !ok || got != v || n != len(binaryUvarint(v)) {
			t.Errorf("Uvarint(%d) = %d, %d, %v", v, got, n, ok)
		}
	}
	for _, bad := range [][]byte{nil, {0x80}, {0x80, 0x00}, {0x81, 0x00}, bytes.Repeat([]byte{0xff}, 11)} {
		if _, _, ok := Uvarint(bad); ok {
			t.Errorf("Uvarint(%x) accepted", bad)
		}
		if _, _, ok := Varint(bad); ok {
			t.Errorf("Varint(%x) accepted", bad)
		}
	}
	if _, _, ok := Bytes([]byte{5, 'a'}); ok {
		t.Error("Bytes accepted a field running past the input")
	}
	for _, v := range []int64{0, -1, 1, -1 << 63, 1<<63 - 1} {
		if got, _, ok := Varint(binaryVarint(v)); !ok || got != v {
			t.Errorf("Varint(%d) = %d, %v", v, got, ok)
		}
	}
}

func binaryUvarint(v uint64) []byte { return binary.AppendUvarint(nil, v) }
func binaryVarint(v int64) []byte   { return binary.AppendVarint(nil, v) }
