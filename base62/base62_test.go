package base62

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// Vectors from other projects, not from this decoder:
//   - KSUID (segmentio/ksuid): the minimum and maximum KSUIDs and the
//     example in its README; the Zed/SuperDB ksuid() documentation example.
//   - saltpack armor specification (keybase): single bytes 0x00, 0x01, 0x02
//     encode to "00", "01", "02".
//
// Each was also checked with Python's arbitrary-precision integers.
var byteVectors = []struct{ hex, enc string }{
	{"0000000000000000000000000000000000000000", "000000000000000000000000000"},
	{"ffffffffffffffffffffffffffffffffffffffff", "aWgEPTl1tmebfsQzFP4bxwgy80V"},
	{"0669f7efb5a1cd34b5f99d1154fb6853345c9735", "0ujtsYcgvSTl8PAuAdqWYSMnLOv"},
	{"0dfc90519b60f362e84a3fdddd9b9e63e1fb90d1", "1zjJzTWWCJNVrGwqB8kZwhTM2fR"},
	{"00", "00"},
	{"01", "01"},
	{"02", "02"},
	{"4d61", "59V"}, // "Ma", the saltpack spec's worked example input
	{"", ""},
}

func TestByteVectors(t *testing.T) {
	for _, v := range byteVectors {
		src, _ := hex.DecodeString(v.hex)
		if got := StdEncoding.EncodeToString(src); got != v.enc {
			t.Errorf("EncodeToString(%s) = %q; want %q", v.hex, got, v.enc)
		}
		got, err := StdEncoding.DecodeString(v.enc)
		if err != nil || !bytes.Equal(got, src) {
			t.Errorf("DecodeString(%q) = %x, %v; want %s, nil", v.enc, got, err, v.hex)
		}
	}
}

// bigEncode is an independent reference: math/big conversion, left-padded.
func bigEncode(src []byte) string {
	s := new(big.Int).SetBytes(src).Text(62) // digits 0-9a-zA-Z
	// math/big uses lower case before upper case; swap to StdAlphabet order.
	out := make([]byte, len(s))
	for i := range len(s) {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			out[i] = c - 'a' + 'A'
		case c >= 'A' && c <= 'Z':
			out[i] = c - 'A' + 'a'
		default:
			out[i] = c
		}
	}
	n := EncodedLen(len(src))
	if len(src) == 0 {
		return ""
	}
	return strings.Repeat("0", n-len(out)) + string(out)
}

func TestBytesMatchMathBig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 80; n++ {
		for trial := 0; trial < 20; trial++ {
			src := make([]byte, n)
			for i := range src {
				src[i] = byte(r.UintN(256))
			}
			if trial%5 == 0 && n > 0 { // leading zero bytes
				clear(src[:r.IntN(n)+1])
			}
			got := StdEncoding.EncodeToString(src)
			if want := bigEncode(src); got != want {
				t.Fatalf("EncodeToString(%x) = %q; want %q", src, got, want)
			}
			back, err := StdEncoding.DecodeString(got)
			if err != nil || !bytes.Equal(back, src) {
				t.Fatalf("round trip of %x: got %x, %v", src, back, err)
			}
		}
	}
}

func TestEncodedLenIsMinimal(t *testing.T) {
	b62, b256 := big.NewInt(62), big.NewInt(256)
	for n := 0; n <= 400; n++ {
		c := EncodedLen(n)
		max := new(big.Int).Exp(b256, big.NewInt(int64(n)), nil)
		if new(big.Int).Exp(b62, big.NewInt(int64(c)), nil).Cmp(max) < 0 {
			t.Fatalf("EncodedLen(%d) = %d: 62^%d < 256^%d", n, c, c, n)
		}
		if c > 0 && new(big.Int).Exp(b62, big.NewInt(int64(c-1)), nil).Cmp(max) >= 0 {
			t.Fatalf("EncodedLen(%d) = %d is not minimal", n, c)
		}
		if got := DecodedLen(c); got != n {
			t.Fatalf("DecodedLen(EncodedLen(%d)) = %d", n, got)
		}
	}
}

func TestDecodeBytesErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"0", ErrLength},    // 1 character encodes no byte count
		{"0000", ErrLength}, // 3 chars are 2 bytes, 4 are not minimal for 2 or 3 bytes
		{"4D", ErrOverflow}, // 62*4+13 = 261 > 255
		{"zz", ErrOverflow},
		{"aWgEPTl1tmebfsQzFP4bxwgy80W", ErrOverflow}, // max KSUID + 1
		{"zzzzzzzzzzzzzzzzzzzzzzzzzzz", ErrOverflow},
	}
	for _, tt := range tests {
		dst := []byte("keep")
		got, err := StdEncoding.AppendDecode(dst, []byte(tt.in))
		if !errors.Is(err, tt.want) {
			t.Errorf("AppendDecode(%q) error = %v; want %v", tt.in, err, tt.want)
		}
		if string(got) != "keep" {
			t.Errorf("AppendDecode(%q) changed dst to %q on error", tt.in, got)
		}
	}
	_, err := StdEncoding.DecodeString("0ujtsYcgvSTl8PAuAdqWYSMnL-v")
	var ce CorruptInputError
	if !errors.As(err, &ce) || ce != 25 {
		t.Errorf("DecodeString with '-' at 25: error = %v; want CorruptInputError(25)", err)
	}
}

func TestUint64Vectors(t *testing.T) {
	tests := []struct {
		n   uint64
		enc string
	}{
		{0, "0"}, {9, "9"}, {10, "A"}, {35, "Z"}, {36, "a"}, {61, "z"},
		{62, "10"}, {3843, "zz"}, {3844, "100"},
		{math.MaxUint64, "LygHa16AHYF"}, // checked with Python
	}
	for _, tt := range tests {
		if got := StdEncoding.EncodeUint64(tt.n); got != tt.enc {
			t.Errorf("EncodeUint64(%d) = %q; want %q", tt.n, got, tt.enc)
		}
		got, err := StdEncoding.DecodeUint64(tt.enc)
		if err != nil || got != tt.n {
			t.Errorf("DecodeUint64(%q) = %d, %v; want %d", tt.enc, got, err, tt.n)
		}
	}
}

func TestDecodeUint64Errors(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"", ErrLength},
		{"zzzzzzzzzzzz", ErrOverflow}, // 12 digits: far above 2^64
		{"zzzzzzzzzzz", ErrOverflow},  // 11 digits, above 2^64-1
		{"LygHa16AHYG", ErrOverflow},  // 2^64 exactly
		{"000000000000", ErrLength},   // 12 digits, value 0
	}
	for _, tt := range tests {
		if _, err := StdEncoding.DecodeUint64(tt.in); !errors.Is(err, tt.want) {
			t.Errorf("DecodeUint64(%q) error = %v; want %v", tt.in, err, tt.want)
		}
	}
	if err := func() error { _, err := StdEncoding.DecodeUint64("zzzzzzzzzzzz"); return err }(); !strings.Contains(err.Error(), "overflow") {
		t.Errorf("overflow error %q does not say so", err)
	}
	for _, in := range []string{"ab-", "+", "zzzzzzzzzzzz!"} {
		_, err := StdEncoding.DecodeUint64(in)
		var ce CorruptInputError
		if !errors.As(err, &ce) || int(ce) != strings.IndexAny(in, "-+!") {
			t.Errorf("DecodeUint64(%q) error = %v; want CorruptInputError at the bad byte", in, err)
		}
	}
}

// TestDecodeUint64FullWidth drives the 11-character path, whose tables
// fold validity and overflow into one test, through every leading digit,
// tails at both ends of the range and a bad byte at every position, and
// checks each answer and error against the textbook decoder.
func TestDecodeUint64FullWidth(t *testing.T) {
	tails := []string{"0000000000", "zzzzzzzzzz", "ygHa16AHYF", "ygHa16AHYG", "ygHa16AHYE"}
	for d := 0; d < 62; d++ {
		for _, tail := range tails {
			s := StdAlphabet[d:d+1] + tail
			got, err := StdEncoding.DecodeUint64(s)
			want, ok := naiveDecodeUint64(s)
			switch {
			case ok && (err != nil || got != want):
				t.Errorf("DecodeUint64(%q) = %d, %v; want %d", s, got, err, want)
			case !ok && !errors.Is(err, ErrOverflow):
				t.Errorf("DecodeUint64(%q) = %d, %v; want ErrOverflow", s, got, err)
			}
		}
	}
	for i := 0; i < MaxUint64Len; i++ {
		for _, bad := range []byte{0, '-', '0' - 1, '9' + 1, 'A' - 1, 'Z' + 1, 'a' - 1, 'z' + 1, 0xff} {
			for _, base := range []string{"00000000000", "zzzzzzzzzzz", "LygHa16AHYF"} {
				b := []byte(base)
				b[i] = bad
				_, err := StdEncoding.DecodeUint64(string(b))
				var ce CorruptInputError
				if !errors.As(err, &ce) || int(ce) != i {
					t.Errorf("DecodeUint64(%q) error = %v; want CorruptInputError(%d)", b, err, i)
				}
			}
		}
	}
}

func TestUint64RoundTripAndFixedOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	prev := uint64(0)
	prevFixed := StdEncoding.EncodeUint64Fixed(0)
	nums := []uint64{1, 61, 62, 63, math.MaxUint64 - 1, math.MaxUint64}
	for range 10000 {
		nums = append(nums, r.Uint64()>>r.UintN(64))
	}
	slices.Sort(nums)
	for _, n := range nums {
		s := StdEncoding.EncodeUint64(n)
		if want := naiveUint64(n); s != want {
			t.Fatalf("EncodeUint64(%d) = %q; want %q", n, s, want)
		}
		if got, err := StdEncoding.DecodeUint64(s); err != nil || got != n {
			t.Fatalf("round trip %d via %q: %d, %v", n, s, got, err)
		}
		f := StdEncoding.EncodeUint64Fixed(n)
		if len(f) != MaxUint64Len {
			t.Fatalf("EncodeUint64Fixed(%d) = %q: length %d", n, f, len(f))
		}
		if got, err := StdEncoding.DecodeUint64(f); err != nil || got != n {
			t.Fatalf("fixed round trip %d via %q: %d, %v", n, f, got, err)
		}
		if n > prev && f <= prevFixed {
			t.Fatalf("order broken: %d -> %q not after %d -> %q", n, f, prev, prevFixed)
		}
		prev, prevFixed = n, f
	}
}

func TestCustomAlphabet(t *testing.T) {
	// The GMP / math/big order: digits, lower case, upper case.
	alpha := "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	e, err := NewEncoding(alpha)
	if err != nil {
		t.Fatal(err)
	}
	if e.Sorted() || !StdEncoding.Sorted() {
		t.Errorf("Sorted: custom %v, std %v; want false, true", e.Sorted(), StdEncoding.Sorted())
	}
	if e.Alphabet() != alpha {
		t.Errorf("Alphabet() = %q", e.Alphabet())
	}
	n := uint64(1234567890123)
	if got, want := e.EncodeUint64(n), new(big.Int).SetUint64(n).Text(62); got != want {
		t.Errorf("custom EncodeUint64(%d) = %q; want %q (math/big)", n, got, want)
	}
	for _, n := range []uint64{n, math.MaxUint64, 1<<63 + 12345} {
		s := e.EncodeUint64Fixed(n)
		if got, err := e.DecodeUint64(s); err != nil || got != n {
			t.Errorf("custom DecodeUint64(%q) = %d, %v; want %d", s, got, err, n)
		}
	}
	if _, err := e.DecodeUint64("zzzzzzzzzzz"); !errors.Is(err, ErrOverflow) {
		t.Errorf("custom DecodeUint64 of 11 top digits: %v; want ErrOverflow", err)
	}
	for _, bad := range []string{"", alpha[:61], alpha[:61] + "0", alpha + "!"} {
		if _, err := NewEncoding(bad); !errors.Is(err, ErrAlphabet) {
			t.Errorf("NewEncoding(%q) error = %v; want ErrAlphabet", bad, err)
		}
	}
}

func TestAppendPathsDoNotAllocate(t *testing.T) {
	buf := make([]byte, 0, 64)
	src := bytes.Repeat([]byte{0xab}, 20)
	enc := StdEncoding.AppendEncode(nil, src)
	allocs := testing.AllocsPerRun(100, func() {
		buf = StdEncoding.AppendUint64(buf[:0], math.MaxUint64)
		buf = StdEncoding.AppendUint64Fixed(buf[:0], 12345)
		if _, err := StdEncoding.DecodeUint64("LygHa16AHYF"); err != nil {
			t.Fatal(err)
		}
		buf = StdEncoding.AppendEncode(buf[:0], src)
		var err error
		if buf, err = StdEncoding.AppendDecode(buf[:0], enc); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Append paths: got %v allocs per run; want 0", allocs)
	}
}

// naiveUint64 is the textbook conversion, one division per digit.
func naiveUint64(n uint64) string {
	var out []byte
	for {
		out = append([]byte{StdAlphabet[n%62]}, out...)
		n /= 62
		if n == 0 {
			return string(out)
		}
	}
}

// naiveDecodeUint64 is the textbook parse with math/big: ok is false for
// empty input, more than 11 characters (the documented limit, even with
// leading zeros), a byte outside StdAlphabet, or a value above 2^64-1.
func naiveDecodeUint64(s string) (uint64, bool) {
	if s == "" || len(s) > MaxUint64Len {
		return 0, false
	}
	n := new(big.Int)
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(StdAlphabet, s[i])
		if d < 0 {
			return 0, false
		}
		n.Mul(n, big.NewInt(62)).Add(n, big.NewInt(int64(d)))
	}
	if !n.IsUint64() {
		return 0, false
	}
	return n.Uint64(), true
}

func TestAppendUint64KeepsPrefix(t *testing.T) {
	for _, n := range []uint64{0, 61, 62, 1 << 40, math.MaxUint64} {
		for _, room := range []int{0, 3, 11, 20} {
			dst := make([]byte, 2, 2+room)
			copy(dst, "id")
			got := StdEncoding.AppendUint64(dst, n)
			if want := "id" + naiveUint64(n); string(got) != want {
				t.Errorf("AppendUint64(%q with room %d, %d) = %q; want %q", dst, room, n, got, want)
			}
			got = StdEncoding.AppendUint64Fixed(dst, n)
			if want := "id" + strings.Repeat("0", 11-len(naiveUint64(n))) + naiveUint64(n); string(got) != want {
				t.Errorf("AppendUint64Fixed(%q with room %d, %d) = %q; want %q", dst, room, n, got, want)
			}
		}
	}
}
