// Package base62bench compares sysdesign/base62 with jxskiss/base62 and
// eknkc/basex on the same inputs. jxskiss's byte encoding is its own
// variable-length scheme (not the KSUID/saltpack form), so its byte rows
// compare speed only.
package base62bench

import (
	"bytes"
	"testing"

	"github.com/eknkc/basex"
	jxskiss "github.com/jxskiss/base62"
	"github.com/sysdesign-go/sysdesign/base62"
)

const num = uint64(0xfedcba9876543210) // an 11-digit value

var src20 = bytes.Repeat([]byte{0xa5, 0x5a, 0x00, 0xff}, 5)

func BenchmarkBase62_EncodeUint64(b *testing.B) {
	b.Run("impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 16)
		for b.Loop() {
			buf = base62.StdEncoding.AppendUint64(buf[:0], num)
		}
	})
	b.Run("impl=jxskiss", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 16)
		for b.Loop() {
			buf = jxskiss.AppendUint(buf[:0], num)
		}
	})
}

func BenchmarkBase62_DecodeUint64(b *testing.B) {
	s := base62.StdEncoding.EncodeUint64(num)
	js := jxskiss.FormatUint(num)
	b.Run("impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := base62.StdEncoding.DecodeUint64(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=jxskiss", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := jxskiss.ParseUint(js); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkBase62_Encode(b *testing.B) {
	basexEnc, err := basex.NewEncoding(base62.StdAlphabet)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("size=20/impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(20)
		buf := make([]byte, 0, 32)
		for b.Loop() {
			buf = base62.StdEncoding.AppendEncode(buf[:0], src20)
		}
	})
	b.Run("size=20/impl=jxskiss", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(20)
		buf := make([]byte, 0, 32)
		for b.Loop() {
			buf = jxskiss.StdEncoding.EncodeToBuf(buf[:0], src20)
		}
	})
	b.Run("size=20/impl=basex", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(20)
		for b.Loop() {
			_ = basexEnc.Encode(src20)
		}
	})
}

func BenchmarkBase62_Decode(b *testing.B) {
	basexEnc, err := basex.NewEncoding(base62.StdAlphabet)
	if err != nil {
		b.Fatal(err)
	}
	ours := []byte(base62.StdEncoding.EncodeToString(src20))
	js := jxskiss.StdEncoding.Encode(src20)
	bx := basexEnc.Encode(src20)
	b.Run("size=20/impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(20)
		buf := make([]byte, 0, 32)
		for b.Loop() {
			if buf, err = base62.StdEncoding.AppendDecode(buf[:0], ours); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("size=20/impl=jxskiss", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(20)
		buf := make([]byte, 0, 32)
		for b.Loop() {
			if buf, err = jxskiss.StdEncoding.DecodeToBuf(buf[:0], js); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("size=20/impl=basex", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(20)
		for b.Loop() {
			if _, err := basexEnc.Decode(bx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
