package trie

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/raceflag"
	"github.com/sysdesign-go/sysdesign/internal/shareddata"
)

// loadWords reads the SUBTLEX-US word list (word<TAB>count), skipping the
// test when the shared data is absent.
func loadWords(tb testing.TB) []Suggestion {
	tb.Helper()
	dir := shareddata.Dir(tb, "words")
	f, err := os.Open(filepath.Join(dir, "subtlex-us.tsv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []Suggestion
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w, c, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil {
			tb.Fatalf("bad count in %q", sc.Text())
		}
		out = append(out, Suggestion{Query: w, Weight: n})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func seqOf(ss []Suggestion) func(func(string, int64) bool) {
	return func(yield func(string, int64) bool) {
		for _, s := range ss {
			if !yield(s.Query, s.Weight) {
				return
			}
		}
	}
}

// TestWords builds the trie from the real word list (case folded), then
// compares TopK for prefixes of sampled words (every prefix of every word
// with TRIE_WORDS_ALL=1) with a brute-force scan of the sorted list.
func TestWords(t *testing.T) {
	words := loadWords(t)
	tr, err := Build(seqOf(words), Options{FoldCase: true})
	if err != nil {
		t.Fatal(err)
	}
	m := model{}
	for _, w := range words {
		m[strings.ToLower(w.Query)] += w.Weight
	}
	if tr.Len() != len(m) {
		t.Fatalf("Len = %d; want %d", tr.Len(), len(m))
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	step := 97
	if raceflag.Enabled {
		step = 997
	}
	if os.Getenv("TRIE_WORDS_ALL") == "1" {
		step = 1
	}
	for i := 0; i < len(keys); i += step {
		w := keys[i]
		for j := 1; j <= len(w); j++ {
			p := w[:j]
			lo, _ := slices.BinarySearch(keys, p)
			var want []Suggestion
			for _, k := range keys[lo:] {
				if !strings.HasPrefix(k, p) {
					break
				}
				want = append(want, Suggestion{Query: k, Weight: m[k]})
			}
			sortSuggestions(want)
			want = want[:min(10, len(want))]
			if got := tr.TopK(p, 10); !slices.Equal(got, want) {
				t.Fatalf("TopK(%q) = %v; want %v", p, got, want)
			}
		}
	}
	got := tr.TopK("th", 3)
	if len(got) != 3 || got[0].Query != "the" {
		t.Fatalf("TopK(th) = %v", got)
	}
	st := tr.Stats()
	t.Logf("%d queries, %d nodes, about %.0f B/query (estimate)", st.Queries, st.Nodes, st.BytesPerQuery())
	// Incremental updates keep the lists right on the real data too.
	for _, w := range words[:200] {
		tr.Delete(w.Query)
		delete(m, strings.ToLower(w.Query))
	}
	checkTrie(t, tr, m)
}
