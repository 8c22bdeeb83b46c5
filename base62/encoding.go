package base62

import (
	"errors"
	"fmt"
	"strconv"
)

// StdAlphabet is the default alphabet: digits, then upper case, then lower
// case letters, in ascending byte order (as KSUID and saltpack use).
const StdAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// ErrOverflow reports a decoded number that does not fit its result: a
// uint64, or the byte count a character count stands for.
var ErrOverflow = errors.New("base62: value overflows")

// ErrLength reports input whose length cannot be valid: an empty integer, an
// integer longer than 11 characters, or a byte-string encoding whose length
// is not the minimal length for any byte count.
var ErrLength = errors.New("base62: invalid length")

// ErrAlphabet reports an alphabet that is not 62 distinct bytes.
var ErrAlphabet = errors.New("base62: alphabet must be 62 distinct bytes")

// CorruptInputError is the offset of the first byte of the input that is
// not in the encoding's alphabet.
type CorruptInputError int64

func (e CorruptInputError) Error() string {
	return "base62: illegal character at input byte " + strconv.FormatInt(int64(e), 10)
}

// invalid marks bytes outside the alphabet in Encoding.decode.
const invalid = 0xff

// badDigit marks bytes outside the alphabet in Encoding.high and
// Encoding.low, and in Encoding.lead also the leading digits too large for
// a uint64. A pair of valid digits is below 4096 (61*62+61 = 3843), and so
// is the OR of several pairs, while a sum holding one or two badDigits is
// not. No valid lead equals badDigit: 2^62 is not a multiple of 62^10.
const badDigit = 1 << 62

// Encoding is a base62 alphabet with its decoding table. Create one with
// [NewEncoding] or use [StdEncoding]. The zero value is not usable. It is
// immutable and safe for concurrent use.
type Encoding struct {
	encode [62]byte
	pairs  [62 * 62][2]byte // two digits at once, for integer encoding
	decode [256]byte
	// lead, high and low serve the 11-character DecodeUint64: the value of
	// a leading digit times 62^10, and of a digit at the high or low end of
	// a pair, so that a pair costs one addition and no multiplication.
	// Bytes outside the alphabet are badDigit, as are leading digits of 22
	// and above, whose numbers exceed 2^64-1 (22*62^10 > 2^64).
	lead, high, low [256]uint64
	sorted          bool
}

// StdEncoding is the encoding with [StdAlphabet].
var StdEncoding = mustEncoding(StdAlphabet)

func mustEncoding(alphabet string) *Encoding {
	e, err := NewEncoding(alphabet)
	if err != nil {
		panic(err)
	}
	return e
}

// NewEncoding returns an Encoding for alphabet, whose i-th byte is the digit
// of value i. It returns an error wrapping [ErrAlphabet] unless alphabet has
// exactly 62 distinct bytes.
func NewEncoding(alphabet string) (*Encoding, error) {
	if len(alphabet) != 62 {
		return nil, fmt.Errorf("%w: got %d bytes", ErrAlphabet, len(alphabet))
	}
	e := &Encoding{sorted: true}
	for i := range e.decode {
		e.decode[i] = invalid
		e.lead[i], e.high[i], e.low[i] = badDigit, badDigit, badDigit
	}
	for i := 0; i < 62; i++ {
		c := alphabet[i]
		if e.decode[c] != invalid {
			return nil, fmt.Errorf("%w: %q repeats", ErrAlphabet, c)
		}
		e.decode[c] = byte(i)
		e.high[c], e.low[c] = uint64(i)*62, uint64(i)
		if i < 22 {
			e.lead[c] = uint64(i) * p10
		}
		e.encode[i] = c
		if i > 0 && c <= alphabet[i-1] {
			e.sorted = false
		}
	}
	for i := range e.pairs {
		e.pairs[i] = [2]byte{e.encode[i/62], e.encode[i%62]}
	}
	return e, nil
}

// Alphabet returns the encoding's 62 digits in value order.
func (e *Encoding) Alphabet() string { return string(e.encode[:]) }

// Sorted reports whether the alphabet is in ascending byte order, the
// condition under which fixed-width encodings sort like the numbers.
func (e *Encoding) Sorted() bool { return e.sorted }
