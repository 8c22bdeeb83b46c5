package base62_test

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/sysdesign-go/sysdesign/base62"
)

func Example() {
	// A URL shortener turns a numeric ID into a short code and back.
	code := base62.StdEncoding.EncodeUint64(2009215674938)
	id, err := base62.StdEncoding.DecodeUint64(code)
	fmt.Println(code, id, err)
	// Output: ZN9EDCU 2009215674938 <nil>
}

func ExampleEncoding_DecodeUint64_errors() {
	_, err := base62.StdEncoding.DecodeUint64("zzzzzzzzzzzz")
	fmt.Println(errors.Is(err, base62.ErrOverflow), err)
	_, err = base62.StdEncoding.DecodeUint64("ab_c")
	fmt.Println(err)
	// Output:
	// true base62: value overflows: "zzzzzzzzzzzz" is above 2^64-1
	// base62: illegal character at input byte 2
}

func ExampleEncoding_AppendUint64Fixed() {
	// Fixed-width codes sort like the numbers they encode.
	for _, n := range []uint64{7, 62, 1 << 40} {
		fmt.Println(string(base62.StdEncoding.AppendUint64Fixed(nil, n)))
	}
	// Output:
	// 00000000007
	// 00000000010
	// 0000JMAIjoW
}

func ExampleEncoding_EncodeToString() {
	// The KSUID string form: 20 bytes become 27 characters.
	raw, _ := hex.DecodeString("0669f7efb5a1cd34b5f99d1154fb6853345c9735")
	s := base62.StdEncoding.EncodeToString(raw)
	back, _ := base62.StdEncoding.DecodeString(s)
	fmt.Println(s, hex.EncodeToString(back))
	// Output: 0ujtsYcgvSTl8PAuAdqWYSMnLOv 0669f7efb5a1cd34b5f99d1154fb6853345c9735
}
