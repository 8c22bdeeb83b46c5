package trie

import (
	"fmt"
	"math"
	"slices"
	"unicode/utf8"
)

func (t *Trie) key(query string) (string, error) {
	key, err := t.opts.normalize(query)
	if err != nil {
		return "", err
	}
	if key == "" {
		return "", ErrEmpty
	}
	return key, nil
}

// Insert stores query with the given weight, replacing the weight if the
// query is already stored. The query is normalised first (Options.Normalize,
// FoldCase); it must be non-empty valid UTF-8 of at most MaxLen runes.
// Cost: O(len(query) + depth·K) to keep the cached lists correct; a weight
// decrease of a query that sits last in a full cached list recomputes that
// node's list from its children, O(children·K).
func (t *Trie) Insert(query string, weight int64) error {
	key, err := t.key(query)
	if err != nil {
		return err
	}
	t.set(key, func(int64, bool) (int64, error) { return weight, nil })
	return nil
}

// Add adds delta to query's weight, storing it with weight delta if absent
// (a query log counting one more search), and returns the new weight. It
// returns ErrOverflow, changing nothing, if the sum overflows int64.
func (t *Trie) Add(query string, delta int64) (int64, error) {
	key, err := t.key(query)
	if err != nil {
		return 0, err
	}
	return t.set(key, func(old int64, _ bool) (int64, error) {
		if (delta > 0 && old > math.MaxInt64-delta) || (delta < 0 && old < math.MinInt64-delta) {
			return 0, fmt.Errorf("%w: %d + %d", ErrOverflow, old, delta)
		}
		return old + delta, nil
	})
}

// walkCreate returns the path from the root to the node spelling key,
// creating and splitting nodes as needed (keeping cached lists correct for
// the unchanged set of entries).
func (t *Trie) walkCreate(path []*node, key string) []*node {
	n := t.root
	path = append(path, n)
	rest := key
	for rest != "" {
		r, _ := utf8.DecodeRuneInString(rest)
		i, ok := n.child(r)
		if !ok {
			if n.in == nil {
				n.in = &inner{}
				if n.term >= 0 {
					n.in.top = []int32{n.term}
				}
			}
			// Grow children by exactly one: they are stored by value, so
			// spare capacity would cost 32 bytes a slot.
			ch := make([]node, len(n.in.children)+1)
			copy(ch, n.in.children[:i])
			copy(ch[i+1:], n.in.children[i:])
			ch[i] = node{label: rest, term: -1, first: r}
			n.in.children = ch
			return append(path, &ch[i])
		}
		c := &n.in.children[i]
		if p := commonPrefix(rest, c.label); p < len(c.label) {
			tail := node{label: c.label[p:], in: c.in, term: c.term}
			tail.first, _ = utf8.DecodeRuneInString(tail.label)
			mid := &inner{children: []node{tail}}
			if tail.in == nil {
				mid.top = []int32{tail.term}
			} else {
				mid.top = slices.Clone(tail.in.top)
			}
			*c = node{label: c.label[:p], in: mid, term: -1, first: c.first}
		}
		rest = rest[len(c.label):]
		n = c
		path = append(path, n)
	}
	return path
}

type change int

const (
	up change = iota
	down
	deleted
)

// set applies f to key's weight (creating the entry when absent) and fixes
// the cached lists along the path.
func (t *Trie) set(key string, f func(old int64, exists bool) (int64, error)) (int64, error) {
	var buf [32]*node
	path := t.walkCreate(buf[:0], key)
	n := path[len(path)-1]
	exists := n.term >= 0
	var old int64
	if exists {
		old = t.entries[n.term].weight
	}
	w, err := f(old, exists)
	if err != nil {
		if !exists {
			// undo: the new empty leaf (if any) is removed again
			t.prune(path)
		}
		return 0, err
	}
	var id int32
	dir := up
	if exists {
		id = n.term
		switch {
		case w == old:
			return w, nil
		case w < old:
			dir = down
		}
		t.entries[id].weight = w
	} else {
		if k := len(t.free); k > 0 {
			id = t.free[k-1]
			t.free = t.free[:k-1]
			t.entries[id] = entry{key, w}
		} else {
			id = int32(len(t.entries))
			t.entries = append(t.entries, entry{key, w})
		}
		n.term = id
		t.n++
	}
	t.fixPath(path, id, dir)
	return w, nil
}

// Delete removes query (normalised first) and reports whether it was stored.
// Cost as for Insert, plus merging of nodes left with one child.
func (t *Trie) Delete(query string) bool {
	key, err := t.key(query)
	if err != nil {
		return false
	}
	var buf [32]*node
	path := t.walkCreateless(buf[:0], key)
	if path == nil {
		return false
	}
	n := path[len(path)-1]
	if n.term < 0 {
		return false
	}
	id := n.term
	n.term = -1
	t.fixPath(path, id, deleted)
	t.entries[id] = entry{}
	t.free = append(t.free, id)
	t.n--
	t.prune(path)
	return true
}

// walkCreateless returns the path to the node spelling key, or nil.
func (t *Trie) walkCreateless(path []*node, key string) []*node {
	n := t.root
	path = append(path, n)
	for key != "" {
		r, _ := utf8.DecodeRuneInString(key)
		i, ok := n.child(r)
		if !ok {
			return nil
		}
		c := &n.in.children[i]
		if len(key) < len(c.label) || key[:len(c.label)] != c.label {
			return nil
		}
		key = key[len(c.label):]
		n = c
		path = append(path, n)
	}
	return path
}

// prune restores the radix invariants at the end of path after its last
// node lost its entry: an empty leaf is removed, and a non-root node without
// an entry and with one child is merged with that child.
func (t *Trie) prune(path []*node) {
	n := path[len(path)-1]
	if n == t.root {
		return
	}
	p := path[len(path)-2]
	if n.term < 0 && n.in == nil {
		i, _ := p.child(n.first)
		if len(p.in.children) == 1 {
			p.in = nil
		} else {
			ch := make([]node, len(p.in.children)-1)
			copy(ch, p.in.children[:i])
			copy(ch[i:], p.in.children[i+1:])
			p.in.children = ch
		}
		n = p
		if n == t.root {
			return
		}
	}
	if n.term < 0 && n.in != nil && len(n.in.children) == 1 {
		c := n.in.children[0]
		n.label = n.label + c.label
		n.in, n.term = c.in, c.term
	}
}

// fixPath updates the cached lists on path, deepest first, after entry id
// moved in direction dir.
func (t *Trie) fixPath(path []*node, id int32, dir change) {
	for j := len(path) - 1; j >= 0; j-- {
		v := path[j]
		if v.in == nil {
			continue
		}
		t.fixNode(v, id, dir)
	}
}

func (t *Trie) fixNode(v *node, id int32, dir change) {
	pos := slices.Index(v.in.top, id)
	K := t.opts.K
	switch dir {
	case up:
		if pos < 0 {
			switch {
			case len(v.in.top) < K:
				v.in.top = append(v.in.top, id)
			case t.better(id, v.in.top[len(v.in.top)-1]):
				v.in.top[len(v.in.top)-1] = id
			default:
				return
			}
			pos = len(v.in.top) - 1
		}
		for pos > 0 && t.better(v.in.top[pos], v.in.top[pos-1]) {
			v.in.top[pos], v.in.top[pos-1] = v.in.top[pos-1], v.in.top[pos]
			pos--
		}
	case down:
		if pos < 0 {
			return
		}
		for pos+1 < len(v.in.top) && t.better(v.in.top[pos+1], v.in.top[pos]) {
			v.in.top[pos], v.in.top[pos+1] = v.in.top[pos+1], v.in.top[pos]
			pos++
		}
		if len(v.in.top) == K && pos == len(v.in.top)-1 {
			t.recompute(v) // an entry outside the list may now beat it
		}
	case deleted:
		if pos < 0 {
			return
		}
		if len(v.in.top) < K {
			v.in.top = slices.Delete(v.in.top, pos, pos+1)
			return
		}
		t.recompute(v)
	}
}

// recompute rebuilds v's cached list from its own entry and its children's
// lists, which must be correct. Each child's list is sorted, so it is merged
// into a bounded insertion list and abandoned at its first element that
// cannot enter: O(c + K·K) in the worst case, about O(c) in practice.
func (t *Trie) recompute(v *node) {
	K := t.opts.K
	res := t.scratch[:0]
	offer := func(id int32) bool {
		if len(res) == K && !t.better(id, res[K-1]) {
			return false
		}
		if len(res) < K {
			res = append(res, id)
		} else {
			res[K-1] = id
		}
		for i := len(res) - 1; i > 0 && t.better(res[i], res[i-1]); i-- {
			res[i], res[i-1] = res[i-1], res[i]
		}
		return true
	}
	if v.term >= 0 {
		offer(v.term)
	}
	for i := range v.in.children {
		c := &v.in.children[i]
		if c.in == nil {
			if c.term >= 0 {
				offer(c.term)
			}
			continue
		}
		for _, id := range c.in.top {
			if !offer(id) {
				break
			}
		}
	}
	t.scratch = res
	if cap(v.in.top) >= len(res) && cap(v.in.top) <= 2*len(res) {
		v.in.top = append(v.in.top[:0], res...)
	} else {
		v.in.top = slices.Clone(res)
	}
}
