package trie

import (
	"iter"
	"slices"
	"strings"
	"unicode/utf8"
)

// locate returns the node whose subtree holds exactly the keys starting with
// key, or nil.
func (t *Trie) locate(key string) *node {
	n := t.root
	for key != "" {
		r, _ := utf8.DecodeRuneInString(key)
		i, ok := n.child(r)
		if !ok {
			return nil
		}
		c := &n.in.children[i]
		if strings.HasPrefix(key, c.label) {
			key = key[len(c.label):]
			n = c
			continue
		}
		if strings.HasPrefix(c.label, key) {
			return c
		}
		return nil
	}
	return n
}

func (t *Trie) suggestion(id int32, dist int) Suggestion {
	e := &t.entries[id]
	return Suggestion{Query: e.key, Weight: e.weight, Distance: dist}
}

// TopK returns the k heaviest stored queries that start with prefix
// (normalised first), heaviest first, ties by query. For k <= Options.K it
// reads the list cached at the prefix's node: O(len(prefix) + k). For larger
// k it walks the prefix's subtree: O(subtree). A prefix that is not valid
// UTF-8 or longer than MaxLen matches nothing. The empty prefix matches
// every query.
func (t *Trie) TopK(prefix string, k int) []Suggestion {
	return t.AppendTopK(nil, prefix, k)
}

// AppendTopK is [Trie.TopK] appending to dst; with enough capacity in dst
// and an already normalised prefix it does not allocate.
func (t *Trie) AppendTopK(dst []Suggestion, prefix string, k int) []Suggestion {
	if k <= 0 {
		return dst
	}
	key, err := t.opts.normalize(prefix)
	if err != nil {
		return dst
	}
	v := t.locate(key)
	if v == nil {
		return dst
	}
	if v.in == nil {
		if v.term >= 0 {
			dst = append(dst, t.suggestion(v.term, 0))
		}
		return dst
	}
	if top := v.in.top; k <= t.opts.K || len(top) < t.opts.K {
		for _, id := range top[:min(k, len(top))] {
			dst = append(dst, t.suggestion(id, 0))
		}
		return dst
	}
	var ids []int32
	collect(v, func(id int32) { ids = append(ids, id) })
	slices.SortFunc(ids, t.compareIDs)
	for _, id := range ids[:min(k, len(ids))] {
		dst = append(dst, t.suggestion(id, 0))
	}
	return dst
}

func (t *Trie) compareIDs(a, b int32) int {
	if t.better(a, b) {
		return -1
	}
	if t.better(b, a) {
		return 1
	}
	return 0
}

func collect(v *node, f func(int32)) {
	if v.term >= 0 {
		f(v.term)
	}
	for i := range v.kids() {
		collect(&v.in.children[i], f)
	}
}

// All returns an iterator over every stored query and its weight, in
// ascending order of the query's UTF-8 bytes. The trie must not be modified
// during iteration.
func (t *Trie) All() iter.Seq2[string, int64] {
	return func(yield func(string, int64) bool) {
		t.walk(t.root, yield)
	}
}

func (t *Trie) walk(v *node, yield func(string, int64) bool) bool {
	if v.term >= 0 {
		e := &t.entries[v.term]
		if !yield(e.key, e.weight) {
			return false
		}
	}
	for i := range v.kids() {
		if !t.walk(&v.in.children[i], yield) {
			return false
		}
	}
	return true
}

// WithPrefix returns an iterator over the stored queries starting with
// prefix (normalised first) and their weights, in ascending byte order.
func (t *Trie) WithPrefix(prefix string) iter.Seq2[string, int64] {
	return func(yield func(string, int64) bool) {
		key, err := t.opts.normalize(prefix)
		if err != nil {
			return
		}
		if v := t.locate(key); v != nil {
			t.walk(v, yield)
		}
	}
}
