package geohash

import "math"

// alphabet is the geohash base32 alphabet (digits and lowercase letters
// without a, i, l and o).
const alphabet = "0123456789bcdefghjkmnpqrstuvwxyz"

// decodeTable maps a byte to its 5-bit value, or 0xff. Upper-case letters are
// accepted, as most implementations do.
var decodeTable = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
		if c := alphabet[i]; c >= 'a' && c <= 'z' {
			t[c-'a'+'A'] = byte(i)
		}
	}
	return t
}()

// MaxIntChars is the longest string geohash that fits an integer geohash
// (12 characters, 60 bits). Strings may be longer; see [Encode].
const MaxIntChars = 12

// Encode returns the string geohash of (lat, lon) with chars characters
// (5 bits each). Any precision is allowed: the first 12 characters come from
// the 64-bit integer geohash ([EncodeInt]); further characters continue the
// bisection of the cell in float64, so precision stops improving near 25
// characters (float64 resolution). chars <= 0 gives "".
// Out-of-range input is clamped as in [EncodeInt].
func Encode(lat, lon float64, chars int) string {
	if chars <= 0 {
		return ""
	}
	if chars <= MaxIntChars {
		var buf [MaxIntChars]byte
		return string(appendInt(buf[:0], EncodeInt(lat, lon, uint(5*chars)), chars))
	}
	return string(AppendEncode(make([]byte, 0, chars), lat, lon, chars))
}

// AppendEncode appends the string geohash of (lat, lon) with chars
// characters to dst and returns the extended buffer. It does not allocate
// when dst has room.
func AppendEncode(dst []byte, lat, lon float64, chars int) []byte {
	if chars <= 0 {
		return dst
	}
	if chars <= MaxIntChars {
		return appendInt(dst, EncodeInt(lat, lon, uint(5*chars)), chars)
	}
	h := EncodeInt(lat, lon, 64)
	dst = appendInt(dst, h>>4, MaxIntChars) // first 60 bits
	// bisect the 64-bit cell for the remaining bits; bits 61..64 are h's low 4.
	lat, lon = clampLat(lat), clampLon(lon)
	box := DecodeInt(h, 64)
	var c byte
	n := 0
	emit := func(bit byte) {
		c = c<<1 | bit
		n++
		if n == 5 {
			dst = append(dst, alphabet[c])
			c, n = 0, 0
		}
	}
	for i := 3; i >= 0; i-- {
		emit(byte(h>>uint(i)) & 1)
	}
	for bit := 64; bit < 5*chars; bit++ {
		if bit%2 == 0 { // longitude
			mid := (box.MinLon + box.MaxLon) / 2
			if lon >= mid {
				box.MinLon = mid
				emit(1)
			} else {
				box.MaxLon = mid
				emit(0)
			}
		} else {
			mid := (box.MinLat + box.MaxLat) / 2
			if lat >= mid {
				box.MinLat = mid
				emit(1)
			} else {
				box.MaxLat = mid
				emit(0)
			}
		}
	}
	return dst
}

func clampLat(lat float64) float64 {
	if !(lat >= -90) {
		return -90
	}
	return math.Min(lat, 90)
}

func clampLon(lon float64) float64 {
	if !(lon >= -180) {
		return -180
	}
	return math.Min(lon, 180)
}

// appendInt appends the low 5*chars bits of h as base32.
func appendInt(dst []byte, h uint64, chars int) []byte {
	for i := chars - 1; i >= 0; i-- {
		dst = append(dst, alphabet[(h>>(5*uint(i)))&31])
	}
	return dst
}

// FormatInt returns the string geohash of the integer geohash h read as
// 5*chars bits (chars in 1..12; other values are clamped). Only the low
// 5*chars bits of h are used.
func FormatInt(h uint64, chars int) string {
	if chars <= 0 {
		return ""
	}
	chars = min(chars, MaxIntChars)
	var buf [MaxIntChars]byte
	return string(appendInt(buf[:0], h, chars))
}

// ParseInt returns the integer geohash of a string geohash of at most 12
// characters and its precision in bits (5 per character). It returns a
// [*SyntaxError] for an empty string, a byte outside the alphabet, or a
// string longer than 12 characters (at offset 12).
func ParseInt(s string) (h uint64, bits uint, err error) {
	if len(s) == 0 {
		return 0, 0, &SyntaxError{}
	}
	if len(s) > MaxIntChars {
		return 0, 0, &SyntaxError{Offset: MaxIntChars, Char: s[MaxIntChars]}
	}
	for i := 0; i < len(s); i++ {
		v := decodeTable[s[i]]
		if v == 0xff {
			return 0, 0, &SyntaxError{Offset: i, Char: s[i]}
		}
		h = h<<5 | uint64(v)
	}
	return h, uint(5 * len(s)), nil
}

// Valid reports whether s is a non-empty string of geohash characters.
func Valid(s string) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if decodeTable[s[i]] == 0xff {
			return false
		}
	}
	return true
}

// Decode returns the cell (bounding box) of a string geohash of any length;
// its centre is Box.Center. Invalid input returns a [*SyntaxError]
// wrapping [ErrInvalidHash]. Upper-case letters are accepted.
func Decode(s string) (Box, error) {
	if len(s) <= MaxIntChars {
		h, bits, err := ParseInt(s)
		if err != nil {
			return Box{}, err
		}
		return DecodeInt(h, bits), nil
	}
	h, bits, err := ParseInt(s[:MaxIntChars])
	if err != nil {
		return Box{}, err
	}
	box := DecodeInt(h, bits)
	bit := int(bits)
	for i := MaxIntChars; i < len(s); i++ {
		v := decodeTable[s[i]]
		if v == 0xff {
			return Box{}, &SyntaxError{Offset: i, Char: s[i]}
		}
		for j := 4; j >= 0; j-- {
			one := v>>uint(j)&1 == 1
			if bit%2 == 0 {
				mid := (box.MinLon + box.MaxLon) / 2
				if one {
					box.MinLon = mid
				} else {
					box.MaxLon = mid
				}
			} else {
				mid := (box.MinLat + box.MaxLat) / 2
				if one {
					box.MinLat = mid
				} else {
					box.MaxLat = mid
				}
			}
			bit++
		}
	}
	return box, nil
}
