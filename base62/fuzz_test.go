package base62

import (
	"bytes"
	"encoding/hex"
	"testing"
)

func FuzzDecodeUint64(f *testing.F) {
	for _, s := range []string{"", "0", "zz", "LygHa16AHYF", "LygHa16AHYG", "zzzzzzzzzzzz", "a-b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := StdEncoding.DecodeUint64(s)
		want, ok := naiveDecodeUint64(s)
		if ok != (err == nil) || ok && n != want {
			t.Fatalf("DecodeUint64(%q) = %d, %v; the textbook decoder gives %d, ok=%v", s, n, err, want, ok)
		}
		if err != nil {
			return
		}
		// A valid input re-encodes to itself once leading zeros are dropped.
		got := StdEncoding.EncodeUint64(n)
		trimmed := s
		for len(trimmed) > 1 && trimmed[0] == '0' {
			trimmed = trimmed[1:]
		}
		if got != trimmed {
			t.Fatalf("DecodeUint64(%q) = %d, which encodes to %q", s, n, got)
		}
	})
}

func FuzzDecodeBytes(f *testing.F) {
	for _, v := range byteVectors {
		f.Add(v.enc)
	}
	f.Add("4D")
	f.Add("0000")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := StdEncoding.DecodeString(s)
		if err != nil {
			return
		}
		// Decoding is the inverse of encoding: a valid input is canonical.
		if got := StdEncoding.EncodeToString(b); got != s {
			t.Fatalf("DecodeString(%q) = %s, which encodes to %q", s, hex.EncodeToString(b), got)
		}
	})
}

func FuzzEncodeBytes(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 1})
	f.Add(bytes.Repeat([]byte{0xff}, 33))
	f.Fuzz(func(t *testing.T, src []byte) {
		enc := StdEncoding.EncodeToString(src)
		if len(enc) != EncodedLen(len(src)) {
			t.Fatalf("len(encode(%x)) = %d; want %d", src, len(enc), EncodedLen(len(src)))
		}
		back, err := StdEncoding.DecodeString(enc)
		if err != nil || !bytes.Equal(back, src) {
			t.Fatalf("round trip of %x: %x, %v", src, back, err)
		}
	})
}
