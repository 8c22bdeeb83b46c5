package trie

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/shareddata"
)

// genLog makes a synthetic query log of n distinct queries with Zipf
// weights: phrases of 1-4 words from a 5,000-word vocabulary of random
// lower-case words.
func genLog(n int, seed uint64) []Suggestion {
	r := rand.New(rand.NewPCG(seed, 1))
	vocab := make([]string, 5000)
	for i := range vocab {
		b := make([]byte, 3+r.IntN(7))
		for j := range b {
			b[j] = byte('a' + r.IntN(26))
		}
		vocab[i] = string(b)
	}
	zipf := rand.NewZipf(r, 1.1, 1, uint64(len(vocab)-1))
	seen := map[string]bool{}
	out := make([]Suggestion, 0, n)
	for len(out) < n {
		words := make([]byte, 0, 32)
		for w := range 1 + r.IntN(4) {
			if w > 0 {
				words = append(words, ' ')
			}
			words = append(words, vocab[zipf.Uint64()]...)
		}
		q := string(words)
		if seen[q] {
			continue
		}
		seen[q] = true
		out = append(out, Suggestion{Query: q, Weight: int64(1 + zipf.Uint64())})
	}
	return out
}

func prefixesOf(qs []Suggestion, n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, 2))
	out := make([]string, n)
	for i := range out {
		q := qs[r.IntN(len(qs))].Query
		out[i] = q[:1+r.IntN(min(len(q), 8))]
	}
	return out
}

func benchTries(b *testing.B) map[string]*Trie {
	b.Helper()
	sets := map[string]*Trie{}
	if words := loadWordsOrNil(b); words != nil {
		t, err := Build(seqOf(words), Options{})
		if err != nil {
			b.Fatal(err)
		}
		sets["words"] = t
	}
	t, err := Build(seqOf(genLog(200_000, 1)), Options{})
	if err != nil {
		b.Fatal(err)
	}
	sets["log200k"] = t
	return sets
}

// loadWordsOrNil returns the shared word list, or nil when it is absent
// (the benchmarks then run on the generated log only).
func loadWordsOrNil(b *testing.B) []Suggestion {
	if _, err := shareddata.Find("words"); err != nil {
		return nil
	}
	return loadWords(b)
}

func BenchmarkTrie_TopK(b *testing.B) {
	for name, t := range benchTries(b) {
		var qs []Suggestion
		for q, w := range t.All() {
			qs = append(qs, Suggestion{Query: q, Weight: w})
		}
		prefixes := prefixesOf(qs, 4096, 7)
		b.Run("data="+name, func(b *testing.B) {
			dst := make([]Suggestion, 0, 10)
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				dst = t.AppendTopK(dst[:0], prefixes[i%len(prefixes)], 10)
				i++
			}
		})
	}
}

func BenchmarkTrie_TopKParallel(b *testing.B) {
	qs := genLog(200_000, 1)
	t, _ := Build(seqOf(qs), Options{})
	var h Holder
	h.Store(t.Freeze())
	prefixes := prefixesOf(qs, 4096, 7)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		dst := make([]Suggestion, 0, 10)
		i := 0
		for pb.Next() {
			dst = h.Load().AppendTopK(dst[:0], prefixes[i%len(prefixes)], 10)
			i++
		}
	})
}

func BenchmarkTrie_Add(b *testing.B) {
	qs := genLog(200_000, 1)
	t, _ := Build(seqOf(qs), Options{})
	r := rand.New(rand.NewPCG(3, 3))
	b.ReportAllocs()
	for b.Loop() {
		q := qs[r.IntN(len(qs))].Query
		if _, err := t.Add(q, int64(r.IntN(200)-100)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTrie_Build(b *testing.B) {
	qs := genLog(200_000, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(seqOf(qs), Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(qs))*float64(b.N)/b.Elapsed().Seconds(), "queries/s")
}

func BenchmarkTrie_Fuzzy(b *testing.B) {
	qs := genLog(200_000, 1)
	t, _ := Build(seqOf(qs), Options{})
	prefixes := prefixesOf(qs, 1024, 9)
	for _, e := range []int{1, 2} {
		b.Run(fmt.Sprintf("edits=%d", e), func(b *testing.B) {
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				t.Fuzzy(prefixes[i%len(prefixes)], e, 10)
				i++
			}
		})
	}
}

func BenchmarkTrie_Memory(b *testing.B) {
	qs := genLog(200_000, 1)
	keyBytes := 0
	for _, q := range qs {
		keyBytes += len(q.Query)
	}
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		t, _ := Build(seqOf(qs), Options{})
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(t.Len()), "B/query")
		b.ReportMetric(float64(int(after.HeapAlloc-before.HeapAlloc)-keyBytes)/float64(t.Len()), "B/query-overhead")
		runtime.KeepAlive(t)
	}
}

// TestTopKLatencyReport is not a timing assertion: it records the latency
// distribution of TopK for the benchmarks' report when run with -v.
func TestTopKLatencyReport(t *testing.T) {
	if testing.Short() {
		t.Skip("report only")
	}
	qs := genLog(20_000, 1)
	tr, _ := Build(seqOf(qs), Options{})
	prefixes := prefixesOf(qs, 2000, 3)
	n := 0
	for _, p := range prefixes {
		got := tr.TopK(p, 10)
		if len(got) == 0 {
			t.Fatalf("no completion for prefix %q of a stored query", p)
		}
		n += len(got)
		if !slices.IsSortedFunc(got, func(a, b Suggestion) int { return int(b.Weight - a.Weight) }) {
			t.Fatalf("TopK(%q) not sorted by weight: %v", p, got)
		}
	}
	t.Logf("%d prefixes, %d results", len(prefixes), n)
}
