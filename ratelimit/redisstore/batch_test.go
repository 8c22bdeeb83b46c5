package redisstore

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"
)

// appendAnyInt encodes v with the given MessagePack type, to test every
// integer width the decoder accepts.
func appendAnyInt(b []byte, h byte, v int64) []byte {
	b = append(b, h)
	switch h {
	case 0xcc, 0xd0:
		return append(b, byte(v))
	case 0xcd, 0xd1:
		return binary.BigEndian.AppendUint16(b, uint16(v))
	case 0xce, 0xd2:
		return binary.BigEndian.AppendUint32(b, uint32(v))
	case 0xcb:
		return binary.BigEndian.AppendUint64(b, math.Float64bits(float64(v)))
	}
	return binary.BigEndian.AppendUint64(b, uint64(v))
}

func TestDecodeInts(t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 70000} {
		want := make([]int64, n)
		b := appendArrayHeader(nil, n)
		for i := range want {
			want[i] = int64(i*7919) - 3000
			b = appendInt(b, want[i])
		}
		got, err := decodeInts(nil, b)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("n=%d: round trip: %v (%d values)", n, err, len(got))
		}
	}
	cases := []struct {
		h byte
		v int64
	}{{0xcc, 200}, {0xd0, -100}, {0xcd, 60000}, {0xd1, -30000}, {0xce, 4e9}, {0xd2, -2e9}, {0xcf, 1 << 62}, {0xd3, -1 << 62}, {0xcb, 123456789}}
	b := appendArrayHeader(nil, len(cases)+1)
	var want []int64
	for _, c := range cases {
		b = appendAnyInt(b, c.h, c.v)
		want = append(want, c.v)
	}
	b = append(b, 0xff) // negative fixint -1
	want = append(want, -1)
	if got, err := decodeInts(nil, b); err != nil || !slices.Equal(got, want) {
		t.Errorf("widths: %v %v; want %v", got, err, want)
	}
	bad := [][]byte{
		nil,
		{0x91},             // missing element
		{0x91, 0x01, 0x01}, // trailing byte
		{0x91, 0xa1, 'x'},  // a string
		{0x91, 0xcd, 0x01}, // short uint16
		{0xdc, 0x00},       // short header
		{0x91, 0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}, // 1.5
		{0x01}, // not an array
	}
	for _, p := range bad {
		if _, err := decodeInts(nil, p); err == nil {
			t.Errorf("% x accepted", p)
		}
	}
}

func FuzzDecodeInts(f *testing.F) {
	f.Add(appendInt(appendInt(appendArrayHeader(nil, 2), 5), -1<<40))
	f.Add([]byte{0x93, 0xcc, 0xff, 0xd1, 0x80, 0x00, 0xcb, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0xdd, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, p []byte) {
		got, err := decodeInts(nil, p)
		if err != nil {
			return
		}
		// whatever decodes re-encodes (canonically) and decodes the same
		b := appendArrayHeader(nil, len(got))
		for _, v := range got {
			b = appendInt(b, v)
		}
		again, err := decodeInts(nil, b)
		if err != nil || !slices.Equal(again, got) {
			t.Fatalf("re-encoded %v: %v %v", got, again, err)
		}
	})
}
