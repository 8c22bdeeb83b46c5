package geohash_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/sysdesign-go/sysdesign/geohash"
)

// FuzzDecode checks that Decode never panics, that it accepts exactly the
// strings of alphabet characters, and that re-encoding the centre of a
// decoded cell gives back the (lower-cased) string.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{"", "ezs42", "u4pruydqqvj", "zzzzzzzzzzzzzzzzzzzz", "0", "EZS42", "a", "ezs4\xff", "u09tunquc1234567"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		box, err := geohash.Decode(s)
		if geohash.Valid(s) != (err == nil) {
			t.Fatalf("Valid(%q) = %v but Decode error %v", s, geohash.Valid(s), err)
		}
		if err != nil {
			if !errors.Is(err, geohash.ErrInvalidHash) {
				t.Fatalf("Decode(%q) error %v does not wrap ErrInvalidHash", s, err)
			}
			return
		}
		if !(box.MinLat <= box.MaxLat && box.MinLon <= box.MaxLon && box.MinLat >= -90 && box.MaxLat <= 90 && box.MinLon >= -180 && box.MaxLon <= 180) {
			t.Fatalf("Decode(%q) = bad box %+v", s, box)
		}
		if len(s) > 20 { // beyond float64 resolution cells stop shrinking
			return
		}
		lat, lon := box.Center()
		if got := geohash.Encode(lat, lon, len(s)); got != strings.ToLower(s) {
			t.Fatalf("Encode(centre of %q) = %q", s, got)
		}
	})
}

// FuzzParseInt checks ParseInt against Decode and FormatInt.
func FuzzParseInt(f *testing.F) {
	for _, s := range []string{"ezs42", "", "0123456789bcd", "zzzzzzzzzzzz", "il"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, bits, err := geohash.ParseInt(s)
		if err != nil {
			if geohash.Valid(s) && len(s) <= 12 {
				t.Fatalf("ParseInt(%q) rejected a valid hash: %v", s, err)
			}
			return
		}
		if got := geohash.FormatInt(h, int(bits/5)); got != strings.ToLower(s) {
			t.Fatalf("FormatInt(ParseInt(%q)) = %q", s, got)
		}
		b, _ := geohash.Decode(s)
		if got := geohash.DecodeInt(h, bits); got != b {
			t.Fatalf("DecodeInt = %+v; Decode = %+v", got, b)
		}
	})
}
