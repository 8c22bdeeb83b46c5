package base62

import (
	"fmt"
	"slices"
)

// MaxUint64Len is the length of the longest uint64 encoding and of every
// fixed-width encoding: 62^11 > 2^64 > 62^10.
const MaxUint64Len = 11

// EncodeUint64 returns the shortest encoding of n (one digit for 0).
func (e *Encoding) EncodeUint64(n uint64) string {
	var buf [MaxUint64Len]byte
	return string(e.AppendUint64(buf[:0], n))
}

// AppendUint64 appends the shortest encoding of n to dst and returns the
// extended buffer. It does not allocate when dst has room for 11 bytes.
func (e *Encoding) AppendUint64(dst []byte, n uint64) []byte { return e.appendUint64(dst, n, true) }

// EncodeUint64Fixed returns the 11-character encoding of n; see
// [Encoding.AppendUint64Fixed].
func (e *Encoding) EncodeUint64Fixed(n uint64) string {
	var buf [MaxUint64Len]byte
	return string(e.AppendUint64Fixed(buf[:0], n))
}

// AppendUint64Fixed appends the 11-character encoding of n, padded on the
// left with the alphabet's zero digit. When the alphabet is [Encoding.Sorted]
// the byte order of two such encodings is the numeric order of the numbers.
func (e *Encoding) AppendUint64Fixed(dst []byte, n uint64) []byte {
	return e.appendUint64(dst, n, false)
}

// appendUint64 writes the 11 digits of n in place at the end of dst, then,
// if trim is set, drops the leading zero digits. The exported methods are
// one-line wrappers so that they inline and a caller pays one call: the
// digit work is too large to inline and a second call cost a quarter of
// the time.
//
// n is split into three parts below 62^5 with two divisions, so the two
// long parts are converted in parallel with 32-bit arithmetic, two digits
// per step, instead of one long chain of 64-bit divisions.
func (e *Encoding) appendUint64(dst []byte, n uint64, trim bool) []byte {
	l := len(dst)
	dst = slices.Grow(dst, MaxUint64Len)[:l+MaxUint64Len]
	buf := (*[MaxUint64Len]byte)(dst[l:])
	q := n / p5
	lo := uint32(n - q*p5)
	top := q / p5 // below 22: 2^64 / 62^10 < 22
	mid := uint32(q - top*p5)
	e.five(buf[6:11], lo)
	e.five(buf[1:6], mid)
	buf[0] = e.encode[top]
	if !trim || n >= p10 {
		return dst // 11 digits, the common case for 64-bit IDs
	}
	// Drop leading zero digits, keeping at least one.
	i := 0
	for i < MaxUint64Len-1 && buf[i] == e.encode[0] {
		i++
	}
	copy(buf[:], buf[i:])
	return dst[:len(dst)-i]
}

// five writes v < 62^5 as exactly five digits into dst.
func (e *Encoding) five(dst []byte, v uint32) {
	_ = dst[4]
	q := v / (62 * 62)
	p := e.pairs[v-q*62*62]
	dst[3], dst[4] = p[0], p[1]
	r := q / (62 * 62)
	p = e.pairs[q-r*62*62]
	dst[1], dst[2] = p[0], p[1]
	dst[0] = e.encode[r]
}

// DecodeUint64 decodes s, in shortest or fixed-width form (leading zero
// digits are allowed), into a uint64. It returns a [CorruptInputError] for a
// byte outside the alphabet, an error wrapping [ErrLength] for empty input or
// more than 11 characters, and one wrapping [ErrOverflow] for a value above
// 2^64-1 such as "zzzzzzzzzzz".
func (e *Encoding) DecodeUint64(s string) (uint64, error) {
	// Both paths are written out in this one function: a call to a helper
	// cost a fifth of the time of a whole 11-digit decode.
	if len(s) == MaxUint64Len {
		// Full width, the form of every number at or above 62^10 and of
		// fixed-width encodings. Unrolled, with no dependencies between
		// digits: the tables turn each pair of digits into its value with
		// one addition and the leading digit into its place value, so four
		// multiplications remain. One test covers every kind of bad input.
		_ = s[10]
		lead := e.lead[s[0]]
		q1, q2 := e.high[s[1]]+e.low[s[2]], e.high[s[3]]+e.low[s[4]]
		q3, q4 := e.high[s[5]]+e.low[s[6]], e.high[s[7]]+e.low[s[8]]
		q5 := e.high[s[9]] + e.low[s[10]]
		rest := (q1*p8 + q2*p6) + (q3*p4 + q4*p2) + q5
		sum := lead + rest
		if (q1|q2|q3|q4|q5) >= 4096 || lead == badDigit || sum < rest {
			return 0, e.decodeError(s)
		}
		return sum, nil
	}
	if len(s) == 0 || len(s) > MaxUint64Len {
		return 0, e.lengthError(s)
	}
	// Every digit times its power of 62 is independent of the others, so
	// the CPU overlaps the multiplications instead of running one long
	// n = n*62 + d chain. Fewer than 11 digits cannot overflow.
	var n uint64
	var seen byte
	last := len(s) - 1
	for i := 0; i <= last; i++ {
		d := e.decode[s[i]]
		seen |= d
		n += uint64(d) * pow62[last-i]
	}
	if seen >= 64 { // valid digits are below 64; invalid is 0xff
		return 0, e.decodeError(s)
	}
	return n, nil
}

// decodeError returns the error for an s of at most 11 characters that
// DecodeUint64 rejected: a byte outside the alphabet, or, at full width, a
// number above 2^64-1 (shorter inputs cannot overflow).
func (e *Encoding) decodeError(s string) error {
	if i := e.firstInvalid(s); i >= 0 {
		return CorruptInputError(i)
	}
	return fmt.Errorf("%w: %q is above 2^64-1", ErrOverflow, s)
}

// firstInvalid returns the index of the first byte of s outside the
// alphabet, or -1.
func (e *Encoding) firstInvalid(s string) int {
	for i := 0; i < len(s); i++ {
		if e.decode[s[i]] == invalid {
			return i
		}
	}
	return -1
}

// Powers of 62, as constants so the multiplications take immediates.
const (
	p1  = 62
	p2  = p1 * 62
	p3  = p2 * 62
	p4  = p3 * 62
	p5  = p4 * 62
	p6  = p5 * 62
	p7  = p6 * 62
	p8  = p7 * 62
	p9  = p8 * 62
	p10 = p9 * 62
)

// pow62[i] is 62^i.
var pow62 = [MaxUint64Len]uint64{1, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10}

func (e *Encoding) lengthError(s string) error {
	if len(s) == 0 {
		return fmt.Errorf("%w: empty input", ErrLength)
	}
	// A long string of valid digits is a number too large; say so.
	if i := e.firstInvalid(s); i >= 0 {
		return CorruptInputError(i)
	}
	for i := 0; i < len(s)-MaxUint64Len; i++ {
		if s[i] != e.encode[0] {
			return fmt.Errorf("%w: %q is above 2^64-1", ErrOverflow, s)
		}
	}
	return fmt.Errorf("%w: %d characters, at most %d for a uint64", ErrLength, len(s), MaxUint64Len)
}
