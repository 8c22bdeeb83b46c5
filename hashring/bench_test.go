package hashring

import (
	"fmt"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/cputime"
)

func benchKeys(n int) []string {
	ks := make([]string, n)
	for i := range ks {
		ks[i] = fmt.Sprint("key-", i)
	}
	return ks
}

func BenchmarkRing_Get(b *testing.B) {
	keys := benchKeys(1 << 16)
	for _, n := range []int{10, 100, 1000} {
		r, _ := New(Options{}, nodeList(n, "node")...)
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				r.Get(keys[i&(1<<16-1)])
				i++
			}
		})
	}
}

func BenchmarkRing_GetParallel(b *testing.B) {
	keys := benchKeys(1 << 16)
	r, _ := New(Options{}, nodeList(100, "node")...)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			r.Get(keys[i&(1<<16-1)])
			i++
		}
	})
}

func BenchmarkRing_AppendNZones(b *testing.B) {
	keys := benchKeys(1 << 16)
	var ns []Node
	for i := range 100 {
		ns = append(ns, Node{ID: fmt.Sprint("node-", i), Zone: fmt.Sprint("zone-", i%3)})
	}
	r, _ := New(Options{}, ns...)
	dst := make([]string, 0, 3)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		dst = r.AppendNZones(dst[:0], keys[i&(1<<16-1)], 3)
		i++
	}
}

func BenchmarkRing_Add(b *testing.B) {
	r, _ := New(Options{}, nodeList(100, "node")...)
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Add(Node{ID: "extra"}); err != nil {
			b.Fatal(err)
		}
		if err := r.Remove("extra"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBounded_Assign(b *testing.B) {
	keys := benchKeys(1 << 20)
	bd, _ := NewBounded(BoundedOptions{}, nodeList(100, "node")...)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		k := keys[i&(1<<20-1)]
		if _, err := bd.Assign(k); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func benchLocator(b *testing.B, mk func(ids []string) Locator) {
	keys := benchKeys(1 << 16)
	for _, n := range []int{10, 100, 1000} {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprint("node-", i)
		}
		l := mk(ids)
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				l.Get(keys[i&(1<<16-1)])
				i++
			}
		})
	}
}

func BenchmarkAnchor_Get(b *testing.B) {
	benchLocator(b, func(ids []string) Locator { a, _ := NewAnchor(2*len(ids), ids...); return a })
}

func BenchmarkJump_Get(b *testing.B) {
	benchLocator(b, func(ids []string) Locator { j, _ := NewJump(ids...); return j })
}

func BenchmarkRendezvous_Get(b *testing.B) {
	benchLocator(b, func(ids []string) Locator {
		var ns []Node
		for _, id := range ids {
			ns = append(ns, Node{ID: id})
		}
		r, _ := NewRendezvous(ns...)
		return r
	})
}

// BenchmarkRing_Owner compares, on the same ring and hashes, the owner
// table Get uses (path=table) with the bucket index and point scan it
// replaced (path=index), which preference lists and the table's exact
// path still use.
func BenchmarkRing_Owner(b *testing.B) {
	keys := benchKeys(1 << 16)
	hs := make([]uint64, len(keys))
	for i, k := range keys {
		hs[i] = HashString(k)
	}
	for _, n := range []int{100, 1000} {
		r, _ := New(Options{}, nodeList(n, "node")...)
		st := r.state.Load()
		for _, path := range []struct {
			name string
			f    func(uint64) uint64
		}{
			{"table", st.owner},
			{"index", func(h uint64) uint64 { return st.ext[st.find(h)] & ownerMask }},
		} {
			b.Run(fmt.Sprintf("nodes=%d/path=%s", n, path.name), func(b *testing.B) {
				b.ReportAllocs()
				done := cputime.Start(b)
				defer done()
				var sink uint64
				i := 0
				for b.Loop() {
					sink += path.f(hs[i&(1<<16-1)])
					i++
				}
				if sink == 1 {
					b.Log(sink)
				}
			})
		}
	}
}
