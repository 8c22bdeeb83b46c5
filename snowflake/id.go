package snowflake

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/sysdesign-go/sysdesign/base62"
)

// ErrInvalidID reports text that is not an ID.
var ErrInvalidID = errors.New("snowflake: invalid id")

// ID is a snowflake ID: a positive int64 that sorts by creation time. Its
// text form (String, JSON, MarshalText) is the decimal number; JSON encodes
// it as a string because JavaScript numbers lose precision above 2^53.
type ID int64

// String returns the decimal form of id.
func (id ID) String() string { return strconv.FormatInt(int64(id), 10) }

// Base62 returns the shortest base62 form of id (at most 11 characters),
// as a URL shortener would use it.
func (id ID) Base62() string { return base62.StdEncoding.EncodeUint64(uint64(id)) }

// ParseID parses the decimal form of an ID. It returns an error wrapping
// [ErrInvalidID] for anything else, including negative numbers and values
// above 2^63-1.
func ParseID(s string) (ID, error) {
	if s == "" || s[0] == '-' || s[0] == '+' {
		return 0, fmt.Errorf("%w: %q is not a non-negative decimal number", ErrInvalidID, s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q: %v", ErrInvalidID, s, err.(*strconv.NumError).Err)
	}
	return ID(n), nil
}

// ParseBase62 parses the base62 form of an ID, as [ID.Base62] writes it.
func ParseBase62(s string) (ID, error) {
	n, err := base62.StdEncoding.DecodeUint64(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrInvalidID, err)
	}
	if n > 1<<63-1 {
		return 0, fmt.Errorf("%w: %q is above 2^63-1", ErrInvalidID, s)
	}
	return ID(n), nil
}

// AppendText appends the decimal form of id to b.
func (id ID) AppendText(b []byte) ([]byte, error) { return strconv.AppendInt(b, int64(id), 10), nil }

// MarshalText returns the decimal form of id.
func (id ID) MarshalText() ([]byte, error) { return id.AppendText(nil) }

// UnmarshalText parses the decimal form of an ID.
func (id *ID) UnmarshalText(b []byte) error {
	v, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// MarshalJSON encodes id as a JSON string of its decimal form.
func (id ID) MarshalJSON() ([]byte, error) {
	b := append(make([]byte, 0, 21), '"')
	b = strconv.AppendInt(b, int64(id), 10)
	return append(b, '"'), nil
}

// UnmarshalJSON accepts a JSON string of the decimal form, or a bare JSON
// number for clients that send one.
func (id *ID) UnmarshalJSON(b []byte) error {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	return id.UnmarshalText(b)
}
