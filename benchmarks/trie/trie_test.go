// Package triebench compares sysdesign/trie with armon/go-radix,
// hashicorp/go-immutable-radix/v2 and derekparker/trie for autocomplete:
// the 10 heaviest queries under a prefix. The peers have no cached top-k, so
// they walk the prefix's subtree and keep the 10 heaviest, which is what a
// user of those libraries has to do. Two data sets: the shared SUBTLEX-US
// word list (74,286 words with frequencies; skipped when ../shared/data is
// absent) and a generated query log (1M distinct queries by default,
// TRIE_BENCH_LOG overrides). derekparker/trie runs only on data sets of at
// most 200k queries: at over 1 KB per key the 1M log would need gigabytes.
// Memory per stored query is reported as B/query.
package triebench

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	radix "github.com/armon/go-radix"
	dptrie "github.com/derekparker/trie"
	iradix "github.com/hashicorp/go-immutable-radix/v2"
	"github.com/sysdesign-go/sysdesign/internal/shareddata"
	"github.com/sysdesign-go/sysdesign/trie"
)

type query struct {
	q string
	w int64
}

type dataset struct {
	name     string
	queries  []query
	prefixes map[string][]string // by prefix kind
}

// top10 keeps the 10 heaviest (ties: smaller query first).
type top10 struct {
	n     int
	items [10]query
}

func (t *top10) offer(q string, w int64) {
	if t.n == 10 {
		last := t.items[9]
		if w < last.w || (w == last.w && q > last.q) {
			return
		}
	} else {
		t.n++
	}
	i := t.n - 1
	for i > 0 && (t.items[i-1].w < w || (t.items[i-1].w == w && t.items[i-1].q > q)) {
		if i < 10 {
			t.items[i] = t.items[i-1]
		}
		i--
	}
	t.items[i] = query{q, w}
}

type impl struct {
	name   string
	topK   func(prefix string) int // returns the number of results
	update func(q string, w int64)
}

func words() []query {
	dir, err := shareddata.Find("words")
	if err != nil {
		return nil
	}
	f, err := os.Open(filepath.Join(dir, "subtlex-us.tsv"))
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []query
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w, c, _ := strings.Cut(sc.Text(), "\t")
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, query{w, n})
	}
	return out
}

// genLog makes n distinct queries of 1-4 words from a Zipf-weighted
// 20,000-word synthetic vocabulary, with Zipf weights.
func genLog(n int) []query {
	r := rand.New(rand.NewPCG(1, 1))
	vocab := make([]string, 20_000)
	for i := range vocab {
		b := make([]byte, 3+r.IntN(7))
		for j := range b {
			b[j] = byte('a' + r.IntN(26))
		}
		vocab[i] = string(b)
	}
	z := rand.NewZipf(r, 1.1, 1, uint64(len(vocab)-1))
	seen := make(map[string]bool, n)
	out := make([]query, 0, n)
	var sb strings.Builder
	for len(out) < n {
		sb.Reset()
		for i := range 1 + r.IntN(4) {
			if i > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(vocab[z.Uint64()])
		}
		q := sb.String()
		if seen[q] {
			continue
		}
		seen[q] = true
		out = append(out, query{q, int64(1 + z.Uint64())})
	}
	return out
}

func makePrefixes(qs []query) map[string][]string {
	r := rand.New(rand.NewPCG(2, 2))
	p := map[string][]string{}
	for range 2048 {
		q := qs[r.IntN(len(qs))].q
		p["1"] = append(p["1"], q[:1])
		p["mixed"] = append(p["mixed"], q[:1+r.IntN(min(len(q), 8))])
	}
	return p
}

var (
	setsOnce sync.Once
	sets     []*dataset
	implMu   sync.Mutex
	impls    = map[string][]*impl{}
	memUse   = map[string]float64{}
)

func datasets() []*dataset {
	setsOnce.Do(func() {
		if w := words(); w != nil {
			sets = append(sets, &dataset{name: "words", queries: w, prefixes: makePrefixes(w)})
		}
		n := 1_000_000
		if v, err := strconv.Atoi(os.Getenv("TRIE_BENCH_LOG")); err == nil && v > 0 {
			n = v
		}
		l := genLog(n)
		sets = append(sets, &dataset{name: fmt.Sprintf("log%dk", n/1000), queries: l, prefixes: makePrefixes(l)})
	})
	return sets
}

func measure(name string, build func() any) (any, float64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	return v, float64(int64(after.HeapAlloc) - int64(before.HeapAlloc))
}

// implsFor builds (once) every implementation over ds.
func implsFor(b *testing.B, ds *dataset) []*impl {
	implMu.Lock()
	defer implMu.Unlock()
	if v, ok := impls[ds.name]; ok {
		return v
	}
	var out []*impl
	n := float64(len(ds.queries))

	v, mem := measure("sysdesign", func() any {
		t, err := trie.Build(func(yield func(string, int64) bool) {
			for _, q := range ds.queries {
				if !yield(q.q, q.w) {
					return
				}
			}
		}, trie.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return t
	})
	ours := v.(*trie.Trie)
	memUse[ds.name+"/sysdesign"] = mem / n
	dst := make([]trie.Suggestion, 0, 10)
	out = append(out, &impl{
		name:   "sysdesign",
		topK:   func(p string) int { dst = ours.AppendTopK(dst[:0], p, 10); return len(dst) },
		update: func(q string, w int64) { ours.Insert(q, w) },
	})

	v, mem = measure("armon", func() any {
		t := radix.New()
		for _, q := range ds.queries {
			t.Insert(q.q, q.w)
		}
		return t
	})
	ar := v.(*radix.Tree)
	memUse[ds.name+"/armon-radix"] = mem / n
	out = append(out, &impl{
		name: "armon-radix",
		topK: func(p string) int {
			var t top10
			ar.WalkPrefix(p, func(k string, v any) bool { t.offer(k, v.(int64)); return false })
			return t.n
		},
		update: func(q string, w int64) { ar.Insert(q, w) },
	})

	v, mem = measure("iradix", func() any {
		txn := iradix.New[int64]().Txn()
		for _, q := range ds.queries {
			txn.Insert([]byte(q.q), q.w)
		}
		return txn.Commit()
	})
	ir := v.(*iradix.Tree[int64])
	memUse[ds.name+"/immutable-radix"] = mem / n
	out = append(out, &impl{
		name: "immutable-radix",
		topK: func(p string) int {
			var t top10
			ir.Root().WalkPrefix([]byte(p), func(k []byte, v int64) bool { t.offer(string(k), v); return false })
			return t.n
		},
		update: func(q string, w int64) { ir, _, _ = ir.Insert([]byte(q), w) },
	})

	if len(ds.queries) <= 200_000 {
		v, mem = measure("derekparker", func() any {
			t := dptrie.New()
			for _, q := range ds.queries {
				t.Add(q.q, q.w)
			}
			return t
		})
		dp := v.(*dptrie.Trie)
		memUse[ds.name+"/derekparker"] = mem / n
		out = append(out, &impl{
			name: "derekparker",
			topK: func(p string) int {
				var t top10
				for _, k := range dp.PrefixSearch(p) {
					if nd, ok := dp.Find(k); ok {
						t.offer(k, nd.Meta().(int64))
					}
				}
				return t.n
			},
			update: func(q string, w int64) { dp.Add(q, w) },
		})
	}
	impls[ds.name] = out
	return out
}

func BenchmarkTrie_TopK(b *testing.B) {
	for _, ds := range datasets() {
		for _, kind := range []string{"1", "mixed"} {
			prefixes := ds.prefixes[kind]
			for _, im := range implsFor(b, ds) {
				b.Run(fmt.Sprintf("data=%s/prefix=%s/impl=%s", ds.name, kind, im.name), func(b *testing.B) {
					i := 0
					b.ReportAllocs()
					for b.Loop() {
						if im.topK(prefixes[i%len(prefixes)]) == 0 {
							b.Fatal("no results")
						}
						i++
					}
				})
			}
		}
	}
}

// BenchmarkTrie_Update changes the weight of a random stored query.
func BenchmarkTrie_Update(b *testing.B) {
	for _, ds := range datasets() {
		for _, im := range implsFor(b, ds) {
			b.Run(fmt.Sprintf("data=%s/impl=%s", ds.name, im.name), func(b *testing.B) {
				r := rand.New(rand.NewPCG(3, 3))
				b.ReportAllocs()
				for b.Loop() {
					q := ds.queries[r.IntN(len(ds.queries))]
					im.update(q.q, q.w+int64(r.IntN(100)))
				}
			})
		}
	}
}

// BenchmarkTrie_Memory reports heap bytes per stored query, measured while
// building.
func BenchmarkTrie_Memory(b *testing.B) {
	for _, ds := range datasets() {
		for _, im := range implsFor(b, ds) {
			b.Run(fmt.Sprintf("data=%s/impl=%s", ds.name, im.name), func(b *testing.B) {
				for b.Loop() {
				}
				implMu.Lock()
				b.ReportMetric(memUse[ds.name+"/"+im.name], "B/query")
				implMu.Unlock()
			})
		}
	}
}
