package trie

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldRune maps r to a canonical member of its simple case-folding orbit:
// the lower-case form of the orbit's smallest rune, so that 'K', 'k' and the
// Kelvin sign all become 'k' and 'ſ', 's', 'S' become 's'.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	return unicode.ToLower(m)
}

// needsFold reports whether folding would change s (fast path: no
// allocation for already folded ASCII).
func needsFold(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			if c < utf8.RuneSelf {
				return true
			}
			for _, r := range s[i:] {
				if foldRune(r) != r {
					return true
				}
			}
			return false
		}
	}
	return false
}

// normalize applies Options.Normalize then case folding, and checks UTF-8
// and length. It does not reject the empty string (prefix queries may be
// empty).
func (o *Options) normalize(s string) (string, error) {
	if o.Normalize != nil {
		s = o.Normalize(s)
	}
	if !utf8.ValidString(s) {
		return "", ErrInvalidUTF8
	}
	if o.FoldCase && needsFold(s) {
		s = strings.Map(foldRune, s)
	}
	if n := utf8.RuneCountInString(s); n > o.MaxLen {
		return "", fmt.Errorf("%w: %d runes, MaxLen %d", ErrTooLong, n, o.MaxLen)
	}
	return s, nil
}

// commonPrefix returns the length in bytes of the longest common prefix of a
// and b that ends on a rune boundary.
func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	for i > 0 && ((i < len(a) && !utf8.RuneStart(a[i])) || (i < len(b) && !utf8.RuneStart(b[i]))) {
		i--
	}
	return i
}
