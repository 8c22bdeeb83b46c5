// Package merklebench compares sysdesign/merkle with
// github.com/transparency-dev/merkle (RFC 6962 trees and inclusion proofs),
// and measures the anti-entropy diff, which no Go peer offers.
package merklebench

import (
	"context"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/cputime"
	"github.com/sysdesign-go/sysdesign/merkle"
	tdmerkle "github.com/transparency-dev/merkle"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/merkle/testonly"
)

const nBlocks = 4096

func blocks(n int) [][]byte {
	bs := make([][]byte, n)
	for i := range bs {
		bs[i] = []byte("block number " + strconv.Itoa(i) + " of a file being synced")
	}
	return bs
}

var hasher tdmerkle.LogHasher = rfc6962.DefaultHasher

// TestRootsMatch checks that both implementations compute the same RFC 6962
// roots and accept each other's proofs.
func TestRootsMatch(t *testing.T) {
	for _, n := range []int{1, 2, 3, 5, 8, 13, 100, 1000} {
		bs := blocks(n)
		ours := merkle.NewBinaryTree(bs)
		theirs := testonly.New(hasher)
		theirs.AppendData(bs...)
		root := ours.Root()
		if string(root[:]) != string(theirs.Hash()) {
			t.Fatalf("n=%d: roots differ", n)
		}
		for _, i := range []int{0, n / 2, n - 1} {
			p, _ := ours.Proof(i)
			path := make([][]byte, len(p.Path))
			for j := range p.Path {
				path[j] = p.Path[j][:]
			}
			if err := proof.VerifyInclusion(hasher, uint64(i), uint64(n), hasher.HashLeaf(bs[i]), path, root[:]); err != nil {
				t.Fatalf("n=%d i=%d: transparency-dev rejects our proof: %v", n, i, err)
			}
			tp, err := theirs.InclusionProof(uint64(i), uint64(n))
			if err != nil {
				t.Fatal(err)
			}
			q := merkle.Proof{Index: uint64(i), Size: uint64(n)}
			for _, h := range tp {
				q.Path = append(q.Path, merkle.Hash(h))
			}
			if err := q.Verify(root, bs[i]); err != nil {
				t.Fatalf("n=%d i=%d: we reject transparency-dev's proof: %v", n, i, err)
			}
		}
	}
}

func BenchmarkMerkle_Build(b *testing.B) {
	bs := blocks(nBlocks)
	b.Run("blocks=4096/impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		done := cputime.Start(b)
		for b.Loop() {
			t := merkle.NewBinaryTree(bs)
			_ = t.Root()
		}
		done()
	})
	b.Run("blocks=4096/impl=transparency-dev", func(b *testing.B) {
		b.ReportAllocs()
		done := cputime.Start(b)
		for b.Loop() {
			t := testonly.New(hasher)
			t.AppendData(bs...)
			_ = t.Hash()
		}
		done()
	})
}

func BenchmarkMerkle_Proof(b *testing.B) {
	bs := blocks(nBlocks)
	ours := merkle.NewBinaryTree(bs)
	theirs := testonly.New(hasher)
	theirs.AppendData(bs...)
	b.Run("blocks=4096/impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		done := cputime.Start(b)
		for b.Loop() {
			if _, err := ours.Proof(i % nBlocks); err != nil {
				b.Fatal(err)
			}
			i += 7
		}
		done()
	})
	b.Run("blocks=4096/impl=transparency-dev", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		done := cputime.Start(b)
		for b.Loop() {
			if _, err := theirs.InclusionProof(uint64(i%nBlocks), nBlocks); err != nil {
				b.Fatal(err)
			}
			i += 7
		}
		done()
	})
}

func BenchmarkMerkle_Verify(b *testing.B) {
	bs := blocks(nBlocks)
	ours := merkle.NewBinaryTree(bs)
	root := ours.Root()
	const idx = 1234
	p, _ := ours.Proof(idx)
	path := make([][]byte, len(p.Path))
	for j := range p.Path {
		path[j] = p.Path[j][:]
	}
	b.Run("blocks=4096/impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		done := cputime.Start(b)
		for b.Loop() {
			if err := p.Verify(root, bs[idx]); err != nil {
				b.Fatal(err)
			}
		}
		done()
	})
	b.Run("blocks=4096/impl=transparency-dev", func(b *testing.B) {
		b.ReportAllocs()
		done := cputime.Start(b)
		for b.Loop() {
			if err := proof.VerifyInclusion(hasher, idx, nBlocks, hasher.HashLeaf(bs[idx]), path, root[:]); err != nil {
				b.Fatal(err)
			}
		}
		done()
	})
}

// The anti-entropy benchmarks use the setting: 10M keys, one
// difference, fan-out 64 and depth 3.
const bigKeys = 10_000_000

var bigOpts = merkle.Options{Fanout: 64, Depth: 3}

type bigPair struct {
	local, remote *merkle.Tree
	keys          []string
	treeBytes     float64 // heap bytes per key of local, not counting key bytes
}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// bigTrees builds the two 10M-key replicas once per process; they differ
// in one key's value.
var bigTrees = sync.OnceValue(func() bigPair {
	keys := make([]string, bigKeys)
	for i := range keys {
		keys[i] = "user:" + strconv.Itoa(i)
	}
	before := heapInUse()
	local, _ := merkle.New(bigOpts)
	for i, k := range keys {
		local.Put(k, uint64(i))
	}
	treeBytes := float64(heapInUse()-before) / bigKeys
	remote, _ := merkle.New(bigOpts)
	for i, k := range keys {
		remote.Put(k, uint64(i))
	}
	remote.Put(keys[4_242_424], 1)
	return bigPair{local, remote, keys, treeBytes}
})

// updates is the write stream of the Put benchmarks: 1M distinct random
// existing keys and 2M keys that are not in the tree, each a fresh copy as
// a store receives it from a client (not the tree's own string). The
// stream is read in order and its strings were allocated in order, so
// reading it costs little; no key repeats within 1M updates, so the
// tree's and the map's entries are not warm in cache from an earlier
// iteration.
type updates struct {
	idx      []int    // index of each existing key in bigPair.keys
	existing []string // copies of those keys
	fresh    []string
}

var bigUpdates = sync.OnceValue(func() updates {
	rng := rand.New(rand.NewPCG(1, 2))
	u := updates{idx: make([]int, 1<<20), existing: make([]string, 1<<20), fresh: make([]string, 1<<21)}
	seen := make(map[int]bool, len(u.idx))
	for i := range u.idx {
		k := rng.IntN(bigKeys)
		for seen[k] { // distinct keys, so each slot tracks its key's value
			k = rng.IntN(bigKeys)
		}
		seen[k] = true
		u.idx[i] = k
		u.existing[i] = "user:" + strconv.Itoa(k)
	}
	for i := range u.fresh {
		u.fresh[i] = "fresh:" + strconv.Itoa(i)
	}
	return u
})

// bigMap is a Go map of the same 10M keys, built once, with its heap bytes
// per key.
var bigMap = sync.OnceValue(func() (bm struct {
	m     map[string]uint64
	bytes float64
}) {
	keys := bigTrees().keys
	before := heapInUse()
	bm.m = make(map[string]uint64)
	for i, k := range keys {
		bm.m[k] = uint64(i)
	}
	bm.bytes = float64(heapInUse()-before) / bigKeys
	return bm
})

// bigSummary is a merkle.Summary of the same 10M keys and values as
// bigTrees' local tree (its source is never called by the benchmarks).
var bigSummary = sync.OnceValue(func() *merkle.Summary {
	s, _ := merkle.NewSummary(bigOpts, nil)
	for i, k := range bigTrees().keys {
		s.Insert(k, uint64(i))
	}
	return s
})

// BenchmarkMerkle_Diff measures one repair comparison of two 10M-key
// replicas that differ in one key: round trips, hashes, candidate keys and
// wire bytes per diff are reported as metrics.
func BenchmarkMerkle_Diff(b *testing.B) {
	b.Run("keys=10M/diffs=1/impl=sysdesign", func(b *testing.B) {
		p := bigTrees()
		ctx := context.Background()
		var st merkle.Stats
		var diffs []merkle.Difference
		runtime.GC()
		b.ReportAllocs()
		done := cputime.Start(b)
		for b.Loop() {
			var err error
			diffs, st, err = p.local.Diff(ctx, merkle.RoundTripFunc(func(_ context.Context, req []byte) ([]byte, error) {
				return p.remote.Serve(req)
			}))
			if err != nil {
				b.Fatal(err)
			}
		}
		done()
		if len(diffs) != 1 {
			b.Fatalf("found %d differences; want 1", len(diffs))
		}
		b.ReportMetric(float64(st.RoundTrips), "roundtrips")
		b.ReportMetric(float64(st.Hashes), "hashes")
		b.ReportMetric(float64(st.Entries), "candidates")
		b.ReportMetric(float64(st.Bytes), "wire-bytes")
	})
}

// BenchmarkMerkle_Put measures an incremental update of a 10M-key tree
// (the path to the root is updated, no rebuild) for a stream of random
// existing keys (existing=yes) and of keys not yet in the tree
// (existing=no), in the two forms of the API:
//
//   - form=put: merkle.Tree.Put, which finds the key's old value hash in
//     the tree's own entries. impl=gomap is not a Merkle tree: it writes a
//     Go map of the same 10M keys, the cost of one keyed lookup and write
//     at this size on this machine.
//   - form=update: merkle.Summary.Update / Insert, for a store that knows
//     the old value hash; no per-key state.
//
// B/key is the heap the structure holds per key, not counting the key
// bytes (shared with the benchmark's key slice).
func BenchmarkMerkle_Put(b *testing.B) {
	for _, existing := range []bool{true, false} {
		name := "keys=10M/existing=yes"
		if !existing {
			name = "keys=10M/existing=no"
		}
		b.Run(name+"/form=put/impl=gomap", func(b *testing.B) {
			u, bm := bigUpdates(), bigMap()
			m := bm.m
			runtime.GC()
			b.ReportAllocs()
			i := 0
			done := cputime.Start(b)
			if existing {
				for b.Loop() {
					m[u.existing[i&(len(u.existing)-1)]] = uint64(i)
					i++
				}
			} else {
				for b.Loop() {
					m[u.fresh[i%len(u.fresh)]] = uint64(i)
					i++
				}
			}
			done()
			b.ReportMetric(bm.bytes, "B/key")
			b.StopTimer()
			if !existing {
				for _, k := range u.fresh[:min(i, len(u.fresh))] {
					delete(m, k)
				}
			}
			if len(m) != bigKeys {
				b.Fatalf("map has %d keys after restoring; want %d", len(m), bigKeys)
			}
		})
		b.Run(name+"/form=put/impl=sysdesign", func(b *testing.B) {
			p, u := bigTrees(), bigUpdates()
			t := p.local
			runtime.GC() // do not charge the 10M-key build's garbage to Put
			b.ReportAllocs()
			i := 0
			done := cputime.Start(b)
			if existing {
				for b.Loop() {
					t.Put(u.existing[i&(len(u.existing)-1)], uint64(i))
					i++
				}
			} else {
				for b.Loop() {
					t.Put(u.fresh[i%len(u.fresh)], uint64(i))
					i++
				}
			}
			done()
			b.ReportMetric(p.treeBytes, "B/key")
			b.StopTimer()
			if !existing && i > len(u.fresh) {
				b.Fatalf("%d inserts reuse the %d fresh keys; shorten -benchtime", i, len(u.fresh))
			}
			// Restore the shared replica.
			if existing {
				for _, k := range u.idx[:min(i, len(u.idx))] {
					t.Put(p.keys[k], uint64(k))
				}
			} else {
				for _, k := range u.fresh[:min(i, len(u.fresh))] {
					t.Delete(k)
				}
			}
			if t.Len() != bigKeys {
				b.Fatalf("tree has %d keys after restoring; want %d", t.Len(), bigKeys)
			}
		})
		b.Run(name+"/form=update/impl=sysdesign", func(b *testing.B) {
			p, u, s := bigTrees(), bigUpdates(), bigSummary()
			before := s.Root()
			if before != p.local.Root() {
				b.Fatal("summary and tree of the same keys have different roots")
			}
			// The store knows each key's current value hash; keep it here.
			cur := make([]uint64, len(u.idx))
			for j, k := range u.idx {
				cur[j] = uint64(k)
			}
			runtime.GC()
			b.ReportAllocs()
			i := 0
			done := cputime.Start(b)
			if existing {
				for b.Loop() {
					j := i & (len(u.existing) - 1)
					s.Update(u.existing[j], cur[j], uint64(i))
					cur[j] = uint64(i)
					i++
				}
			} else {
				for b.Loop() {
					s.Insert(u.fresh[i%len(u.fresh)], uint64(i))
					i++
				}
			}
			done()
			b.ReportMetric(float64(summaryBytes(s))/bigKeys, "B/key")
			b.StopTimer()
			if existing {
				for j, k := range u.idx {
					s.Update(u.existing[j], cur[j], uint64(k))
					cur[j] = uint64(k)
				}
			} else {
				for j := range i {
					s.Remove(u.fresh[j%len(u.fresh)], uint64(j))
				}
			}
			if s.Root() != before || s.Len() != bigKeys {
				b.Fatalf("summary not restored: root %x len %d; want %x %d", s.Root(), s.Len(), before, bigKeys)
			}
		})
	}
}

// summaryBytes is the size of a Summary's node hashes: 8 bytes per node,
// whatever the number of keys.
func summaryBytes(s *merkle.Summary) int {
	o := s.Options()
	n, w := 0, 1
	for range o.Depth + 1 {
		n += w
		w *= o.Fanout
	}
	return 8 * n
}
