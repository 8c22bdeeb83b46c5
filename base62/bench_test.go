package base62

import (
	"bytes"
	"strconv"
	"testing"
)

func BenchmarkEncoding_AppendUint64(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 16)
	for b.Loop() {
		buf = StdEncoding.AppendUint64(buf[:0], 0xfedcba9876543210)
	}
}

func BenchmarkEncoding_DecodeUint64(b *testing.B) {
	b.ReportAllocs()
	s := StdEncoding.EncodeUint64(0xfedcba9876543210)
	for b.Loop() {
		if _, err := StdEncoding.DecodeUint64(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncoding_AppendEncode(b *testing.B) {
	for _, n := range []int{20, 32, 256} {
		src := bytes.Repeat([]byte{0xa5}, n)
		b.Run("size="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(n))
			buf := make([]byte, 0, EncodedLen(n))
			for b.Loop() {
				buf = StdEncoding.AppendEncode(buf[:0], src)
			}
		})
	}
}

func BenchmarkEncoding_AppendDecode(b *testing.B) {
	for _, n := range []int{20, 32, 256} {
		enc := StdEncoding.AppendEncode(nil, bytes.Repeat([]byte{0xa5}, n))
		b.Run("size="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(n))
			buf := make([]byte, 0, n)
			for b.Loop() {
				var err error
				if buf, err = StdEncoding.AppendDecode(buf[:0], enc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
