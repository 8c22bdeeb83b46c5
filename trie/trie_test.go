package trie

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sysdesign-go/sysdesign/internal/raceflag"
)

// model is the obvious reference: a map from query to weight.
type model map[string]int64

func (m model) topK(prefix string, k int) []Suggestion {
	var out []Suggestion
	for q, w := range m {
		if strings.HasPrefix(q, prefix) {
			out = append(out, Suggestion{Query: q, Weight: w})
		}
	}
	sortSuggestions(out)
	return out[:min(k, len(out))]
}

func sortSuggestions(s []Suggestion) {
	slices.SortFunc(s, func(a, b Suggestion) int {
		if a.Distance != b.Distance {
			return a.Distance - b.Distance
		}
		if a.Weight != b.Weight {
			if a.Weight > b.Weight {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Query, b.Query)
	})
}

// checkTrie verifies the radix invariants and that every cached list is the
// true top K of its subtree.
func checkTrie(t *testing.T, tr *Trie, m model) {
	t.Helper()
	if tr.Len() != len(m) {
		t.Fatalf("Len = %d; want %d", tr.Len(), len(m))
	}
	var walk func(v *node, path string) []int32
	walk = func(v *node, path string) []int32 {
		if v != tr.root {
			if v.label == "" {
				t.Fatalf("empty label under %q", path)
			}
			if v.term < 0 && len(v.kids()) < 2 {
				t.Fatalf("node %q has no entry and %d children", path+v.label, len(v.kids()))
			}
		}
		path += v.label
		var all []int32
		if v.term >= 0 {
			e := tr.entries[v.term]
			if e.key != path {
				t.Fatalf("entry %q at path %q", e.key, path)
			}
			if w, ok := m[path]; !ok || w != e.weight {
				t.Fatalf("entry %q weight %d; model %d, %v", path, e.weight, w, ok)
			}
			all = append(all, v.term)
		}
		var prev rune = -1
		if v.in != nil && len(v.in.children) == 0 {
			t.Fatalf("inner node %q without children", path)
		}
		for i := range v.kids() {
			c := &v.in.children[i]
			if fr, _ := utf8.DecodeRuneInString(c.label); fr != c.first {
				t.Fatalf("edge rune %q for label %q", c.first, c.label)
			}
			r, _ := utf8.DecodeRuneInString(c.label)
			if r <= prev {
				t.Fatalf("children of %q out of order", path)
			}
			prev = r
			all = append(all, walk(c, path)...)
		}
		if v.in == nil {
			return all
		}
		slices.SortFunc(all, tr.compareIDs)
		want := all[:min(len(all), tr.opts.K)]
		if !slices.Equal(v.tops(), want) {
			t.Fatalf("cached list at %q = %v; want %v", path, v.tops(), want)
		}
		return all
	}
	all := walk(tr.root, "")
	if len(all) != len(m) {
		t.Fatalf("%d entries reachable; want %d", len(all), len(m))
	}
}

var alphabet = []string{"a", "b", "c", "é", "è", "日", "ab", "ba", "本"}

func randQuery(r *rand.Rand) string {
	var b strings.Builder
	for range 1 + r.IntN(5) {
		b.WriteString(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

func TestTrieModel(t *testing.T) {
	ops := 6000
	if raceflag.Enabled {
		ops = 2000
	}
	for _, k := range []int{1, 3, 10} {
		r := rand.New(rand.NewPCG(uint64(k), 42))
		tr, err := New(Options{K: k})
		if err != nil {
			t.Fatal(err)
		}
		m := model{}
		for i := range ops {
			q := randQuery(r)
			switch op := r.IntN(10); {
			case op < 4:
				w := int64(r.IntN(20))
				if err := tr.Insert(q, w); err != nil {
					t.Fatal(err)
				}
				m[q] = w
			case op < 6:
				d := int64(r.IntN(11) - 5)
				got, err := tr.Add(q, d)
				if err != nil {
					t.Fatal(err)
				}
				m[q] += d
				if got != m[q] {
					t.Fatalf("Add(%q, %d) = %d; want %d", q, d, got, m[q])
				}
			case op < 8:
				_, ok := m[q]
				if got := tr.Delete(q); got != ok {
					t.Fatalf("Delete(%q) = %v; want %v", q, got, ok)
				}
				delete(m, q)
			default:
				p := q[:len(q)/2]
				for !utf8.ValidString(p) {
					p = p[:len(p)-1]
				}
				kk := 1 + r.IntN(2*k)
				got := tr.TopK(p, kk)
				if want := m.topK(p, kk); !slices.Equal(got, want) {
					t.Fatalf("TopK(%q, %d) = %v; want %v", p, kk, got, want)
				}
			}
			if i%500 == 0 {
				checkTrie(t, tr, m)
			}
		}
		checkTrie(t, tr, m)
		// All in byte order with the model's weights.
		var keys []string
		for q, w := range tr.All() {
			if m[q] != w {
				t.Fatalf("All: %q weight %d; want %d", q, w, m[q])
			}
			keys = append(keys, q)
		}
		if !slices.IsSorted(keys) || len(keys) != len(m) {
			t.Fatalf("All not sorted or incomplete")
		}
	}
}

func TestInsertErrors(t *testing.T) {
	tr, _ := New(Options{MaxLen: 5})
	tests := []struct {
		q    string
		want error
	}{
		{"", ErrEmpty},
		{"\xff", ErrInvalidUTF8},
		{"abcdef", ErrTooLong},
		{"日本語日本語", ErrTooLong},
	}
	for _, tt := range tests {
		if err := tr.Insert(tt.q, 1); !errors.Is(err, tt.want) {
			t.Errorf("Insert(%q) = %v; want %v", tt.q, err, tt.want)
		}
	}
	if err := tr.Insert("日本語日本", 1); err != nil {
		t.Errorf("5 runes: %v", err)
	}
	tr.Insert("max", math.MaxInt64)
	if _, err := tr.Add("max", 1); !errors.Is(err, ErrOverflow) {
		t.Errorf("overflow: %v", err)
	}
	if w, _ := tr.Weight("max"); w != math.MaxInt64 {
		t.Errorf("failed Add changed weight to %d", w)
	}
	if _, err := tr.Add("new", 1); err != nil {
		t.Fatal(err)
	}
	// A failed Add of a new query leaves no trace.
	tr.Insert("mi", 1)
	before := tr.Stats().Nodes
	tr2 := tr.Snapshot().Thaw()
	if _, err := tr2.Add("m", 0); err != nil { // creates "m" as a split point
		t.Fatal(err)
	}
	if tr.Stats().Nodes != before {
		t.Errorf("Thaw shares nodes with the original")
	}
	for _, o := range []Options{{K: -1}, {K: 5000}, {MaxLen: -2}} {
		if _, err := New(o); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("New(%+v) = %v", o, err)
		}
	}
	if got := tr.TopK("abcdefgh", 3); got != nil {
		t.Errorf("prefix longer than MaxLen: %v", got)
	}
	if got := tr.TopK("m", 0); got != nil {
		t.Errorf("k=0: %v", got)
	}
}

func TestFoldCase(t *testing.T) {
	tr, _ := New(Options{FoldCase: true, Normalize: strings.TrimSpace})
	for _, q := range []string{"Go", "GO", " go ", "GOLANG", "Straße", "STRASSE", "Kelvin"} {
		if _, err := tr.Add(q, 1); err != nil {
			t.Fatal(err)
		}
	}
	if w, ok := tr.Weight("gO"); !ok || w != 3 {
		t.Errorf("Weight(gO) = %d, %v; want 3", w, ok)
	}
	// The Kelvin sign U+212A folds to k.
	if w, ok := tr.Weight("\u212aelvin"); !ok || w != 1 {
		t.Errorf("Kelvin sign: %d, %v", w, ok)
	}
	// Simple folding does not map ß to ss: two distinct queries.
	if got := tr.TopK("STR", 5); len(got) != 2 {
		t.Errorf("TopK(STR) = %v; want straße and strasse", got)
	}
	if got := tr.TopK("G", 1); len(got) != 1 || got[0].Query != "go" || got[0].Weight != 3 {
		t.Errorf("TopK(G, 1) = %v", got)
	}
}

// osa is the reference optimal-string-alignment distance.
func osa(a, b []rune) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func bruteFuzzy(m model, prefix string, maxEdits, k int) []Suggestion {
	q := []rune(prefix)
	var out []Suggestion
	for key, w := range m {
		rs := []rune(key)
		best := -1
		for i := 0; i <= len(rs); i++ {
			if d := osa(rs[:i], q); d <= maxEdits && (best < 0 || d < best) {
				best = d
			}
		}
		if best >= 0 {
			out = append(out, Suggestion{key, w, best})
		}
	}
	sortSuggestions(out)
	return out[:min(k, len(out))]
}

func TestFuzzyModel(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	tr, _ := New(Options{K: 5})
	m := model{}
	for range 400 {
		q := randQuery(r)
		w := int64(r.IntN(100))
		tr.Insert(q, w)
		m[q] = w
	}
	for i := range 300 {
		p := randQuery(r)
		edits := i % 3
		k := 1 + r.IntN(5)
		got, err := tr.Fuzzy(p, edits, k)
		if err != nil {
			t.Fatal(err)
		}
		if want := bruteFuzzy(m, p, edits, k); !slices.Equal(got, want) {
			t.Fatalf("Fuzzy(%q, %d, %d) = %v; want %v", p, edits, k, got, want)
		}
	}
	if _, err := tr.Fuzzy("a", 3, 5); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("maxEdits 3: %v", err)
	}
}

func TestFuzzyTypos(t *testing.T) {
	tr, _ := New(Options{})
	for q, w := range map[string]int64{"weather": 90, "whether": 40, "wheat": 10, "leather": 30, "feather": 5} {
		tr.Insert(q, w)
	}
	tests := []struct {
		prefix string
		edits  int
		first  string
		dist   int
	}{
		{"wea", 0, "weather", 0},
		{"waether", 1, "weather", 1},  // swap
		{"wheather", 1, "weather", 1}, // extra letter
		{"lether", 1, "leather", 1},   // missing letter
		{"xeathr", 2, "weather", 2},
	}
	for _, tt := range tests {
		got, _ := tr.Fuzzy(tt.prefix, tt.edits, 3)
		if len(got) == 0 || got[0].Query != tt.first || got[0].Distance != tt.dist {
			t.Errorf("Fuzzy(%q, %d) = %v; want first %s at %d", tt.prefix, tt.edits, got, tt.first, tt.dist)
		}
	}
}

func TestBuildEqualsInserts(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	var log []Suggestion
	m := model{}
	for range 3000 {
		q := randQuery(r)
		w := int64(r.IntN(5))
		log = append(log, Suggestion{Query: q, Weight: w})
		m[q] += w
	}
	tr, err := Build(func(yield func(string, int64) bool) {
		for _, s := range log {
			if !yield(s.Query, s.Weight) {
				return
			}
		}
	}, Options{K: 4})
	if err != nil {
		t.Fatal(err)
	}
	checkTrie(t, tr, m)
	tr2, _ := New(Options{K: 4})
	for _, s := range log {
		tr2.Add(s.Query, s.Weight)
	}
	for _, p := range []string{"", "a", "é", "日本", "ab"} {
		if !slices.Equal(tr.TopK(p, 4), tr2.TopK(p, 4)) {
			t.Fatalf("bulk and incremental differ for %q", p)
		}
	}
	// Large k walks the subtree.
	if got, want := tr.TopK("a", 50), m.topK("a", 50); !slices.Equal(got, want) {
		t.Fatalf("TopK(a, 50) = %v; want %v", got, want)
	}
}

func TestReadLog(t *testing.T) {
	in := "pizza\npizza near me\t5\npizza\n\nPasta\t2\r\n"
	tr, err := ReadLog(strings.NewReader(in), Options{FoldCase: true})
	if err != nil {
		t.Fatal(err)
	}
	got := tr.TopK("p", 3)
	want := []Suggestion{{"pizza near me", 5, 0}, {"pasta", 2, 0}, {"pizza", 2, 0}}
	if !slices.Equal(got, want) {
		t.Fatalf("TopK = %v; want %v", got, want)
	}
	_, err = ReadLog(strings.NewReader("a\nb\tx\n"), Options{})
	var le *LogError
	if !errors.As(err, &le) || le.Line != 2 {
		t.Fatalf("bad count: %v", err)
	}
	_, err = ReadLog(strings.NewReader("a\n\xff\n"), Options{})
	if !errors.As(err, &le) || !errors.Is(err, ErrInvalidUTF8) {
		t.Fatalf("bad utf8: %v", err)
	}
}

func TestStats(t *testing.T) {
	tr, _ := New(Options{})
	for _, q := range []string{"car", "cart", "carbon", "dog"} {
		tr.Insert(q, 1)
	}
	s := tr.Stats()
	// root, "car", "t", "bon", "dog"
	if s.Queries != 4 || s.Nodes != 5 || s.Bytes <= 0 || s.BytesPerQuery() <= 0 {
		t.Fatalf("Stats = %+v", s)
	}
}
