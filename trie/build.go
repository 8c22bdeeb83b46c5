package trie

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Build returns a Trie holding the queries of log with their weights summed
// (a query may appear many times, as in a raw query log), built in bulk:
// counts are aggregated in a map, the distinct queries inserted in sorted
// order without list maintenance, and every node's cached list computed once,
// bottom up. That is several times faster than inserting one by one. Queries
// are normalised as by [Trie.Insert]; an invalid query or a sum that
// overflows int64 is an error.
func Build(log iter.Seq2[string, int64], opts Options) (*Trie, error) {
	t, err := New(opts)
	if err != nil {
		return nil, err
	}
	sums := map[string]int64{}
	for q, w := range log {
		key, err := t.key(q)
		if err != nil {
			return nil, fmt.Errorf("query %q: %w", q, err)
		}
		old := sums[key]
		if (w > 0 && old > math.MaxInt64-w) || (w < 0 && old < math.MinInt64-w) {
			return nil, fmt.Errorf("query %q: %w", q, ErrOverflow)
		}
		sums[key] = old + w
	}
	keys := make([]string, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	t.bulk(keys, func(i int) int64 { return sums[keys[i]] })
	return t, nil
}

// bulk inserts sorted, distinct, normalised keys into an empty trie and
// computes the cached lists once.
func (t *Trie) bulk(keys []string, weight func(i int) int64) {
	t.entries = make([]entry, len(keys))
	var buf [32]*node
	for i, k := range keys {
		path := t.walkCreate(buf[:0], k)
		t.entries[i] = entry{k, weight(i)}
		path[len(path)-1].term = int32(i)
	}
	t.n = len(keys)
	t.computeTops(t.root)
}

func (t *Trie) computeTops(v *node) {
	if v.in == nil {
		return
	}
	for i := range v.in.children {
		t.computeTops(&v.in.children[i])
	}
	v.in.top = nil
	t.recompute(v)
}

// ReadLog builds a Trie from a query-frequency log read from r: one query a
// line, optionally followed by a tab and a count (default 1), so both a raw
// log of searches and an aggregated "query<TAB>count" file work. Blank lines
// are skipped; repeated queries are summed. A malformed count or invalid
// query is reported as a [*LogError] with its line number.
func ReadLog(r io.Reader, opts Options) (*Trie, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var lineErr error
	line := 0
	seq := func(yield func(string, int64) bool) {
		for sc.Scan() {
			line++
			text := strings.TrimRight(sc.Text(), "\r")
			if strings.TrimSpace(text) == "" {
				continue
			}
			q, count := text, int64(1)
			if i := strings.LastIndexByte(text, '\t'); i >= 0 {
				c, err := strconv.ParseInt(strings.TrimSpace(text[i+1:]), 10, 64)
				if err != nil {
					lineErr = &LogError{Line: line, Err: err}
					return
				}
				q, count = text[:i], c
			}
			if !yield(q, count) {
				return
			}
		}
	}
	t, err := Build(seq, opts)
	if lineErr != nil {
		return nil, lineErr
	}
	if err != nil {
		return nil, &LogError{Line: line, Err: err}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &LogError{Line: line + 1, Err: err}
		}
		return nil, err
	}
	return t, nil
}
