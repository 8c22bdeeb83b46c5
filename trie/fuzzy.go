package trie

import (
	"fmt"
	"slices"
)

// MaxEdits is the largest edit distance [Trie.Fuzzy] accepts.
const MaxEdits = 2

// Fuzzy returns up to k suggestions for a prefix that may contain typos:
// stored queries that have a prefix within maxEdits (0..2) edits of prefix,
// counting insertions, deletions, substitutions and swaps of adjacent runes
// (optimal string alignment distance). Suggestion.Distance is the smallest
// such distance; results are ordered by distance, then weight (heaviest
// first), then query. This is the typo tolerance of RediSearch's and
// Typesense's prefix search.
//
// The search walks the trie with one row of the edit-distance table per rune
// of path and prunes any branch whose row exceeds maxEdits, so it visits only
// nodes within maxEdits of the prefix; from every node whose path matches it
// takes the node's cached top K, so results are complete for k <= Options.K.
// It returns an error wrapping ErrInvalidArgument for maxEdits outside 0..2;
// a prefix that is not valid UTF-8 or longer than MaxLen matches nothing.
func (t *Trie) Fuzzy(prefix string, maxEdits, k int) ([]Suggestion, error) {
	if maxEdits < 0 || maxEdits > MaxEdits {
		return nil, fmt.Errorf("%w: maxEdits %d outside 0..%d", ErrInvalidArgument, maxEdits, MaxEdits)
	}
	if k <= 0 {
		return nil, nil
	}
	key, err := t.opts.normalize(prefix)
	if err != nil {
		return nil, nil
	}
	m := len([]rune(key))
	f := fuzzer{t: t, q: []rune(key), max: maxEdits, best: map[int32]int{}, w: m + 1}
	f.buf = make([]int, (t.opts.MaxLen+1)*(m+1))
	f.path = make([]rune, t.opts.MaxLen+1)
	for j := 0; j <= m; j++ {
		f.buf[j] = j
	}
	if m <= maxEdits {
		f.take(t.root, m)
	}
	if !(m <= maxEdits && m == 0) {
		for i := range t.root.kids() {
			f.visit(&t.root.in.children[i], 0)
		}
	}
	ids := make([]int32, 0, len(f.best))
	for id := range f.best {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b int32) int {
		if da, db := f.best[a], f.best[b]; da != db {
			return da - db
		}
		return t.compareIDs(a, b)
	})
	out := make([]Suggestion, 0, min(k, len(ids)))
	for _, id := range ids[:min(k, len(ids))] {
		out = append(out, t.suggestion(id, f.best[id]))
	}
	return out, nil
}

type fuzzer struct {
	t    *Trie
	q    []rune
	max  int
	w    int    // row width, len(q)+1
	buf  []int  // buf[d*w:(d+1)*w] is the table row after d path runes
	path []rune // path[d] is the d-th path rune (1-based; path[0] unused)
	best map[int32]int
}

func (f *fuzzer) row(d int) []int { return f.buf[d*f.w : (d+1)*f.w] }

// take records the cached suggestions of v's subtree at distance d.
func (f *fuzzer) take(v *node, d int) {
	rec := func(id int32) {
		if old, ok := f.best[id]; !ok || d < old {
			f.best[id] = d
		}
	}
	if v.in == nil {
		if v.term >= 0 {
			rec(v.term)
		}
		return
	}
	for _, id := range v.in.top {
		rec(id)
	}
}

// visit extends the table along v's label, starting after depth path runes,
// and recurses while some cell is within max. Once the subtree matched at
// distance e, it stops when no deeper row can go below e: the subtree's top K
// were taken at distance <= e, so nothing below could enter the results.
func (f *fuzzer) visit(v *node, depth int) {
	m := len(f.q)
	matched := -1
	lo := 0
	d := depth
	for _, r := range v.label {
		d++
		if d >= len(f.path) {
			return // longer than MaxLen: cannot happen for stored queries
		}
		prev, row := f.row(d-1), f.row(d)
		row[0] = d
		lo = d
		f.path[d] = r
		for j := 1; j <= m; j++ {
			cost := 1
			if f.q[j-1] == r {
				cost = 0
			}
			x := min(prev[j]+1, row[j-1]+1, prev[j-1]+cost)
			if d > 1 && j > 1 && r == f.q[j-2] && f.path[d-1] == f.q[j-1] {
				x = min(x, f.row(d - 2)[j-2]+1)
			}
			row[j] = x
			lo = min(lo, x)
		}
		if row[m] <= f.max && (matched < 0 || row[m] < matched) {
			matched = row[m]
		}
		if lo > f.max || (matched >= 0 && lo >= matched) {
			break
		}
	}
	if matched >= 0 {
		f.take(v, matched)
	}
	if lo > f.max || (matched >= 0 && lo >= matched) {
		return
	}
	for i := range v.kids() {
		f.visit(&v.in.children[i], d)
	}
}
