package skiplist

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ScoreBound is one end of a score range, as in ZRANGE ... BYSCORE: a value
// that is included or, with Exclusive, excluded. Use math.Inf for -inf and
// +inf.
type ScoreBound struct {
	Value     float64
	Exclusive bool
}

// Inclusive returns the bound "v" (v included).
func Inclusive(v float64) ScoreBound { return ScoreBound{Value: v} }

// Exclusive returns the bound "(v" (v excluded).
func Exclusive(v float64) ScoreBound { return ScoreBound{Value: v, Exclusive: true} }

// NegInf and PosInf are the bounds "-inf" and "+inf".
var (
	NegInf = ScoreBound{Value: math.Inf(-1)}
	PosInf = ScoreBound{Value: math.Inf(1)}
)

// ParseScoreBound parses a Redis score bound: a float, optionally prefixed
// with "(" for exclusive, or "-inf"/"+inf"/"inf". It returns an error wrapping
// ErrBadBound for anything else, including NaN.
func ParseScoreBound(s string) (ScoreBound, error) {
	b := ScoreBound{}
	if strings.HasPrefix(s, "(") {
		b.Exclusive = true
		s = s[1:]
	}
	v, err := parseScore(s)
	if err != nil {
		return ScoreBound{}, fmt.Errorf("%w: %q", ErrBadBound, s)
	}
	b.Value = v
	return b, nil
}

func parseScore(s string) (float64, error) {
	switch strings.ToLower(s) {
	case "inf", "+inf":
		return math.Inf(1), nil
	case "-inf":
		return math.Inf(-1), nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, ErrBadBound
	}
	return v, nil
}

// String returns the bound in Redis syntax, accepted by [ParseScoreBound].
func (b ScoreBound) String() string {
	var s string
	switch {
	case math.IsInf(b.Value, 1):
		s = "+inf"
	case math.IsInf(b.Value, -1):
		s = "-inf"
	default:
		s = strconv.FormatFloat(b.Value, 'g', -1, 64)
	}
	if b.Exclusive {
		return "(" + s
	}
	return s
}

func (b ScoreBound) aboveMin(v float64) bool {
	if b.Exclusive {
		return v > b.Value
	}
	return v >= b.Value
}

func (b ScoreBound) belowMax(v float64) bool {
	if b.Exclusive {
		return v < b.Value
	}
	return v <= b.Value
}

// LexBound is one end of a lexicographic range, as in ZRANGE ... BYLEX:
// "-" (below everything), "+" (above everything), "[v" (v included) or "(v"
// (v excluded).
type LexBound struct {
	// Inf is -1 for "-", +1 for "+", 0 for a value bound.
	Inf       int
	Value     string
	Exclusive bool
}

// LexMin and LexMax are the bounds "-" and "+".
var (
	LexMin = LexBound{Inf: -1}
	LexMax = LexBound{Inf: 1}
)

// ParseLexBound parses a Redis lex bound: "-", "+", "[value" or "(value".
func ParseLexBound(s string) (LexBound, error) {
	switch {
	case s == "-":
		return LexMin, nil
	case s == "+":
		return LexMax, nil
	case strings.HasPrefix(s, "["):
		return LexBound{Value: s[1:]}, nil
	case strings.HasPrefix(s, "("):
		return LexBound{Value: s[1:], Exclusive: true}, nil
	}
	return LexBound{}, fmt.Errorf("%w: %q (want -, +, [value or (value)", ErrBadBound, s)
}

// String returns the bound in Redis syntax, accepted by [ParseLexBound].
func (b LexBound) String() string {
	switch {
	case b.Inf < 0:
		return "-"
	case b.Inf > 0:
		return "+"
	case b.Exclusive:
		return "(" + b.Value
	}
	return "[" + b.Value
}

func (b LexBound) aboveMin(m string) bool {
	switch {
	case b.Inf < 0:
		return true
	case b.Inf > 0:
		return false
	case b.Exclusive:
		return m > b.Value
	}
	return m >= b.Value
}

func (b LexBound) belowMax(m string) bool {
	switch {
	case b.Inf > 0:
		return true
	case b.Inf < 0:
		return false
	case b.Exclusive:
		return m < b.Value
	}
	return m <= b.Value
}
