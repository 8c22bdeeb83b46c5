package base62

import (
	"fmt"
	"math/bits"
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
func (e *Encoding) AppendUint64(dst []byte, n uint64) []byte {
	var buf [MaxUint64Len]byte
	i := e.fill(&buf, n)
	return append(dst, buf[i:]...)
}

// AppendUint64Fixed appends the 11-character encoding of n, padded on the
// left with the alphabet's zero digit. When the alphabet is [Encoding.Sorted]
// the byte order of two such encodings is the numeric order of the numbers.
func (e *Encoding) AppendUint64Fixed(dst []byte, n uint64) []byte {
	var buf [MaxUint64Len]byte
	i := e.fill(&buf, n)
	for j := 0; j < i; j++ {
		buf[j] = e.encode[0]
	}
	return append(dst, buf[:]...)
}

// EncodeUint64Fixed returns the 11-character encoding of n; see
// [Encoding.AppendUint64Fixed].
func (e *Encoding) EncodeUint64Fixed(n uint64) string {
	var buf [MaxUint64Len]byte
	return string(e.AppendUint64Fixed(buf[:0], n))
}

// fill writes the digits of n at the end of buf and returns the index of the
// first one. n is split into three parts below 62^5 with two divisions, so
// the two long parts are converted in parallel with 32-bit arithmetic, two
// digits per step, instead of one long chain of 64-bit divisions.
func (e *Encoding) fill(buf *[MaxUint64Len]byte, n uint64) int {
	const p5 = 62 * 62 * 62 * 62 * 62
	q := n / p5
	lo := uint32(n - q*p5)
	top := q / p5 // below 22: 2^64 / 62^10 < 22
	mid := uint32(q - top*p5)
	e.five(buf[6:11], lo)
	e.five(buf[1:6], mid)
	buf[0] = e.encode[top]
	// Drop leading zero digits, keeping at least one.
	i := 0
	for i < MaxUint64Len-1 && buf[i] == e.encode[0] {
		i++
	}
	return i
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
	if len(s) == 0 || len(s) > MaxUint64Len {
		return 0, e.lengthError(s)
	}
	// Every digit times its power of 62 is independent of the others, so
	// the CPU overlaps the multiplications instead of running one long
	// n = n*62 + d chain. Only an 11th digit can overflow; one widening
	// multiply checks it.
	var lo uint64
	last := len(s) - 1
	first := 0
	if len(s) == MaxUint64Len {
		first = 1
	}
	for i := first; i <= last; i++ {
		d := e.decode[s[i]]
		if d == invalid {
			return 0, CorruptInputError(i)
		}
		lo += uint64(d) * pow62[last-i]
	}
	if first == 0 {
		return lo, nil
	}
	d := e.decode[s[0]]
	if d == invalid {
		return 0, CorruptInputError(0)
	}
	hi, top := bits.Mul64(uint64(d), pow62[10])
	sum, carry := bits.Add64(top, lo, 0)
	if hi != 0 || carry != 0 {
		return 0, fmt.Errorf("%w: %q is above 2^64-1", ErrOverflow, s)
	}
	return sum, nil
}

// pow62[i] is 62^i.
var pow62 = [MaxUint64Len]uint64{
	1, 62, 3844, 238328, 14776336, 916132832, 56800235584, 3521614606208,
	218340105584896, 13537086546263552, 839299365868340224,
}

func (e *Encoding) lengthError(s string) error {
	if len(s) == 0 {
		return fmt.Errorf("%w: empty input", ErrLength)
	}
	// A long string of valid digits is a number too large; say so.
	for i := 0; i < len(s); i++ {
		if e.decode[s[i]] == invalid {
			return CorruptInputError(i)
		}
	}
	for i := 0; i < len(s)-MaxUint64Len; i++ {
		if s[i] != e.encode[0] {
			return fmt.Errorf("%w: %q is above 2^64-1", ErrOverflow, s)
		}
	}
	return fmt.Errorf("%w: %d characters, at most %d for a uint64", ErrLength, len(s), MaxUint64Len)
}
