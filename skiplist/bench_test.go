package skiplist_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/sysdesign-go/sysdesign/skiplist"
)

const benchN = 100_000

func randKeys(n int) []uint64 {
	r := rand.New(rand.NewPCG(1, 2))
	keys := make([]uint64, n)
	for i := range keys {
		keys[i] = r.Uint64()
	}
	return keys
}

func filled(b *testing.B, keys []uint64) *skiplist.Map[uint64, uint64] {
	m, err := skiplist.NewOrdered[uint64, uint64](skiplist.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range keys {
		m.Set(k, k)
	}
	return m
}

func BenchmarkMap_Set(b *testing.B) {
	keys := randKeys(benchN)
	m := filled(b, keys)
	r := rand.New(rand.NewPCG(3, 4))
	b.ReportAllocs()
	for b.Loop() {
		k := keys[r.IntN(len(keys))]
		m.Delete(k)
		m.Set(k, k)
	}
}

func BenchmarkMap_Get(b *testing.B) {
	keys := randKeys(benchN)
	m := filled(b, keys)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		m.Get(keys[i%len(keys)])
		i++
	}
}

func BenchmarkMap_Rank(b *testing.B) {
	keys := randKeys(benchN)
	m := filled(b, keys)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		m.Rank(keys[i%len(keys)])
		i++
	}
}

func BenchmarkMap_At(b *testing.B) {
	keys := randKeys(benchN)
	m := filled(b, keys)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		m.At(i % len(keys))
		i += 7919
	}
}

func BenchmarkMap_RangeByRank(b *testing.B) {
	keys := randKeys(benchN)
	m := filled(b, keys)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		start := i % (len(keys) - 100)
		for range m.RangeByRank(start, start+100) {
		}
		i += 7919
	}
}

// BenchmarkMap_Memory reports heap bytes per element of a Map[uint64, uint64].
func BenchmarkMap_Memory(b *testing.B) {
	keys := randKeys(benchN)
	b.ReportAllocs()
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		m := filled(b, keys)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(m.Len()), "B/elem")
		runtime.KeepAlive(m)
	}
}

var indexes = []struct {
	name  string
	index skiplist.Index
}{{"skiplist", skiplist.SkiplistIndex}, {"btree", skiplist.BTreeIndex}}

func memberNames(n int) []string {
	members := make([]string, n)
	for i := range members {
		members[i] = "user:" + strconv.Itoa(i)
	}
	return members
}

func filledSet(b *testing.B, members []string, index skiplist.Index) *skiplist.SortedSet {
	s, err := skiplist.NewSortedSet(skiplist.Options{Index: index})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for _, m := range members {
		s.Add(skiplist.AddOptions{}, skiplist.Entry{Member: m, Score: float64(r.IntN(1_000_000))})
	}
	return s
}

func BenchmarkSortedSet_Add(b *testing.B) {
	for _, ix := range indexes {
		b.Run("index="+ix.name, func(b *testing.B) {
			members := memberNames(benchN)
			s := filledSet(b, members, ix.index)
			r := rand.New(rand.NewPCG(7, 8))
			b.ReportAllocs()
			for b.Loop() {
				s.Add(skiplist.AddOptions{}, skiplist.Entry{Member: members[r.IntN(len(members))], Score: float64(r.IntN(1_000_000))})
			}
		})
	}
}

func BenchmarkSortedSet_RevRank(b *testing.B) {
	for _, ix := range indexes {
		b.Run("index="+ix.name, func(b *testing.B) {
			members := memberNames(benchN)
			s := filledSet(b, members, ix.index)
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				s.RevRank(members[i%len(members)])
				i++
			}
		})
	}
}

func BenchmarkSortedSet_Around(b *testing.B) {
	for _, ix := range indexes {
		b.Run("index="+ix.name, func(b *testing.B) {
			members := memberNames(benchN)
			s := filledSet(b, members, ix.index)
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				r, _, _ := s.RevRank(members[i%len(members)])
				s.RangeByRank(r-4, r+4, true)
				i++
			}
		})
	}
}

// BenchmarkSortedSet_Window is BenchmarkSortedSet_Around in one call into
// a reused slice.
func BenchmarkSortedSet_Window(b *testing.B) {
	for _, ix := range indexes {
		b.Run("index="+ix.name, func(b *testing.B) {
			members := memberNames(benchN)
			s := filledSet(b, members, ix.index)
			var win []skiplist.Entry
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				win, _, _, _ = s.AppendWindow(win[:0], members[i%len(members)], 4, 4, true)
				i++
			}
		})
	}
}

// BenchmarkSortedSet_Memory reports the heap a SortedSet takes per member,
// not counting the member strings, which the set shares with the caller.
func BenchmarkSortedSet_Memory(b *testing.B) {
	for _, ix := range indexes {
		b.Run("index="+ix.name, func(b *testing.B) {
			members := memberNames(benchN)
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				s := filledSet(b, members, ix.index)
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(s.Card()), "B/member")
				runtime.KeepAlive(s)
			}
		})
	}
}

func BenchmarkMemoryLeaderboard_Incr(b *testing.B) {
	lb, _ := skiplist.NewMemoryLeaderboard(skiplist.Options{})
	users := make([]string, 10_000)
	for i := range users {
		users[i] = fmt.Sprint("u", i)
	}
	var mu sync.Mutex
	seed := uint64(0)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		mu.Lock()
		seed++
		r := rand.New(rand.NewPCG(seed, 1))
		mu.Unlock()
		for pb.Next() {
			lb.Incr(b.Context(), users[r.IntN(len(users))], 1)
		}
	})
}
