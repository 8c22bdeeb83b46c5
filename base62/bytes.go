package base62

import (
	"fmt"
	"math"
	"slices"
)

// log2of62 is log2(62), the number of bits one digit carries.
const log2of62 = 5.954196310386876

// pow5 is 62^5, the largest power of 62 that fits in 32 bits: the byte
// conversions work on 32-bit words and move five digits per pass.
const pow5 = 62 * 62 * 62 * 62 * 62

// EncodedLen returns the number of characters that encode n bytes:
// ceil(8n / log2(62)). For example, 20 bytes take 27 characters and 32
// bytes 43.
func EncodedLen(n int) int {
	return int(math.Ceil(float64(8*n) / log2of62))
}

// DecodedLen returns the number of bytes that n characters decode to:
// floor(n * log2(62) / 8), the largest byte count whose values all fit in n
// digits. Not every n is a valid encoded length; see [Encoding.AppendDecode].
func DecodedLen(n int) int {
	return int(math.Floor(float64(n) * log2of62 / 8))
}

// EncodeToString returns the encoding of src; see [Encoding.AppendEncode].
func (e *Encoding) EncodeToString(src []byte) string {
	return string(e.AppendEncode(nil, src))
}

// AppendEncode appends the encoding of src to dst and returns the extended
// buffer. src is read as one big-endian unsigned number and written with
// exactly [EncodedLen](len(src)) digits, most significant first, so leading
// zero bytes become leading zero digits and survive decoding. This is the
// BaseX block encoding of saltpack and the KSUID string form.
func (e *Encoding) AppendEncode(dst, src []byte) []byte {
	c := EncodedLen(len(src))
	dst = slices.Grow(dst, c)
	out := dst[len(dst) : len(dst)+c]

	var stack [16]uint32
	words := toWords(stack[:0], src)
	pos := c
	first := 0
	for pos > 0 {
		for first < len(words) && words[first] == 0 {
			first++
		}
		// Divide the number by 62^5; the remainder holds the next five
		// least significant digits.
		var rem uint64
		for i := first; i < len(words); i++ {
			cur := rem<<32 | uint64(words[i])
			words[i] = uint32(cur / pow5)
			rem = cur % pow5
		}
		for k := 0; k < 5 && pos > 0; k++ {
			pos--
			out[pos] = e.encode[rem%62]
			rem /= 62
		}
	}
	return dst[:len(dst)+c]
}

// toWords packs src, big-endian, into 32-bit words, the first one holding
// the len(src)%4 leading bytes when src is not a multiple of 4 long.
func toWords(dst []uint32, src []byte) []uint32 {
	n := (len(src) + 3) / 4
	dst = slices.Grow(dst[:0], n)[:n]
	head := len(src) % 4
	i, w := 0, 0
	if head != 0 {
		var v uint32
		for ; i < head; i++ {
			v = v<<8 | uint32(src[i])
		}
		dst[0] = v
		w = 1
	}
	for ; i < len(src); i += 4 {
		dst[w] = uint32(src[i])<<24 | uint32(src[i+1])<<16 | uint32(src[i+2])<<8 | uint32(src[i+3])
		w++
	}
	return dst
}

// DecodeString returns the bytes s encodes; see [Encoding.AppendDecode].
func (e *Encoding) DecodeString(s string) ([]byte, error) {
	return e.AppendDecode(nil, []byte(s))
}

// AppendDecode appends the bytes that src encodes to dst and returns the
// extended buffer. src must be a whole encoding as [Encoding.AppendEncode]
// writes it: its length must be [EncodedLen] of some byte count (else an
// error wrapping [ErrLength]), every byte must be in the alphabet (else a
// [CorruptInputError]) and the number must fit in [DecodedLen](len(src))
// bytes (else an error wrapping [ErrOverflow]). On error dst is returned
// unchanged.
func (e *Encoding) AppendDecode(dst, src []byte) ([]byte, error) {
	b := DecodedLen(len(src))
	if EncodedLen(b) != len(src) {
		return dst, fmt.Errorf("%w: %d characters is not the encoded length of any byte count", ErrLength, len(src))
	}
	// One spare word catches values that do not fit in b bytes.
	n := (b+3)/4 + 1
	var stack [17]uint32
	words := stack[:0]
	words = slices.Grow(words, n)[:n]
	clear(words)
	top := n - 1

	for i := 0; i < len(src); {
		// Take up to five digits as one number below 62^5.
		k := min(5, len(src)-i)
		var chunk, mul uint64 = 0, 1
		for j := 0; j < k; j++ {
			d := e.decode[src[i+j]]
			if d == invalid {
				return dst, CorruptInputError(i + j)
			}
			chunk = chunk*62 + uint64(d)
			mul *= 62
		}
		i += k
		// words = words*mul + chunk, touching only the words in use
		// (top is the most significant one) so short prefixes cost little.
		carry := chunk
		for w := n - 1; w >= top; w-- {
			cur := uint64(words[w])*mul + carry
			words[w] = uint32(cur)
			carry = cur >> 32
		}
		if carry != 0 { // mul and every word are below 2^32: carry fits a word
			if top == 0 {
				return dst, overflowError(len(src), b)
			}
			top--
			words[top] = uint32(carry)
		}
	}
	// The value must fit in b bytes: every byte above them must be zero.
	spare := 4*n - b
	for i := 0; i < spare; i++ {
		if byte(words[i/4]>>(24-8*(i%4))) != 0 {
			return dst, overflowError(len(src), b)
		}
	}
	dst = slices.Grow(dst, b)
	for i := spare; i < 4*n; i++ {
		dst = append(dst, byte(words[i/4]>>(24-8*(i%4))))
	}
	return dst, nil
}

func overflowError(chars, bytes int) error {
	return fmt.Errorf("%w: %d characters encode a number above %d bytes", ErrOverflow, chars, bytes)
}
