package trie

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Default option values.
const (
	DefaultK      = 10
	DefaultMaxLen = 100
	maxK          = 1024
)

// Options configures a [Trie]. The zero value gives the defaults.
type Options struct {
	// K is how many top suggestions every node caches, 1..1024. TopK answers
	// k <= K from the cache in O(prefix + k); larger k walks the subtree.
	// Zero means DefaultK (10).
	K int
	// MaxLen is the longest query, in runes after normalisation, that the
	// trie stores and so the longest prefix it answers; Insert rejects longer
	// queries with ErrTooLong. Zero means DefaultMaxLen (100).
	MaxLen int
	// FoldCase maps every rune to a canonical case (lower case of its simple
	// folding orbit, via unicode.SimpleFold) before storing or looking up, so
	// "Go", "GO" and "go" are one query. This is simple, rune-by-rune folding:
	// it does not expand "ß" to "ss" or fold across normalisation forms.
	FoldCase bool
	// Normalize, if set, is applied to every query and prefix before case
	// folding, for example norm.NFC.String from golang.org/x/text/unicode/norm
	// (not a dependency of this package) or strings.TrimSpace. It must be
	// idempotent and must not fold prefixes of a query differently from the
	// query itself.
	Normalize func(string) string
}

// Validate reports whether o is usable, returning an error wrapping
// ErrInvalidOptions if not.
func (o Options) Validate() error {
	if o.K < 0 || o.K > maxK {
		return fmt.Errorf("%w: K %d out of range 0..%d", ErrInvalidOptions, o.K, maxK)
	}
	if o.MaxLen < 0 {
		return fmt.Errorf("%w: negative MaxLen %d", ErrInvalidOptions, o.MaxLen)
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.K == 0 {
		o.K = DefaultK
	}
	if o.MaxLen == 0 {
		o.MaxLen = DefaultMaxLen
	}
	return o
}

// Suggestion is one completion: the stored (normalised) query, its weight
// and, for [Trie.Fuzzy], the number of edits between the prefix asked for
// and a prefix of Query.
type Suggestion struct {
	Query    string
	Weight   int64
	Distance int
}

type entry struct {
	key    string
	weight int64
}

// node is a radix-tree node. label is the (non-empty, except at the root)
// UTF-8 edge label from the parent, first its first rune (kept in what would
// otherwise be padding, so finding a child reads one contiguous array).
// Children are stored by value in their parent's array, so a node costs 32
// bytes and no pointer of its own; a leaf (most nodes) is just its label
// and entry, while an inner node also points to its children and cached
// list.
type node struct {
	label string
	in    *inner // nil for a leaf
	term  int32  // entry id, or -1
	first rune
}

// inner holds an inner node's children, sorted by their labels' first
// runes (which differ), and top, the best K entry ids of the subtree, best
// first. A leaf keeps no list: its top is its own entry. Pointers to
// children are valid only until their parent's array changes.
type inner struct {
	children []node
	top      []int32
}

func (n *node) kids() []node {
	if n.in == nil {
		return nil
	}
	return n.in.children
}

func (n *node) tops() []int32 {
	if n.in == nil {
		return nil
	}
	return n.in.top
}

func (n *node) child(r rune) (int, bool) {
	ch := n.kids()
	lo, hi := 0, len(ch)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		cr := ch[m].first
		switch {
		case cr == r:
			return m, true
		case cr < r:
			lo = m + 1
		default:
			hi = m
		}
	}
	return lo, false
}

// Trie is an autocomplete index: queries (strings) with int64 weights,
// answering the best K completions of any prefix from lists cached at every
// node of a radix tree. See the package documentation for costs.
//
// Create a Trie with [New] or [Build]; the zero value is not usable. A Trie
// is not safe for concurrent use when any goroutine writes; concurrent
// readers (TopK, Fuzzy, Weight, All) are safe without writers. To serve
// queries while updating, publish immutable [Snapshot]s through a [Holder].
type Trie struct {
	opts    Options
	root    *node
	entries []entry
	free    []int32
	n       int
	scratch []int32 // recompute's working list
}

// New returns an empty Trie.
func New(opts Options) (*Trie, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	return &Trie{opts: opts.withDefaults(), root: &node{term: -1}}, nil
}

// Len returns the number of stored queries. O(1).
func (t *Trie) Len() int { return t.n }

// Options returns the options in effect (defaults filled in).
func (t *Trie) Options() Options { return t.opts }

// better reports whether entry a ranks before entry b: higher weight first,
// then smaller query.
func (t *Trie) better(a, b int32) bool {
	ea, eb := &t.entries[a], &t.entries[b]
	if ea.weight != eb.weight {
		return ea.weight > eb.weight
	}
	return ea.key < eb.key
}

// find returns the node whose path spells key exactly, or nil.
func (t *Trie) find(key string) *node {
	n := t.root
	for key != "" {
		r, _ := utf8.DecodeRuneInString(key)
		i, ok := n.child(r)
		if !ok {
			return nil
		}
		c := &n.in.children[i]
		if !strings.HasPrefix(key, c.label) {
			return nil
		}
		key = key[len(c.label):]
		n = c
	}
	return n
}

// Weight returns the weight of query (normalised first) and whether it is
// stored. O(len(query)).
func (t *Trie) Weight(query string) (int64, bool) {
	key, err := t.opts.normalize(query)
	if err != nil {
		return 0, false
	}
	if n := t.find(key); n != nil && n.term >= 0 {
		return t.entries[n.term].weight, true
	}
	return 0, false
}
