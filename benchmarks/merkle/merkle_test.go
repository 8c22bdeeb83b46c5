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

	"github.com/sysdesign-go/sysdesign/benchmarks/internal/cputime"
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
}

// bigTrees builds the two 10M-key replicas once per process; they differ
// in one key's value.
var bigTrees = sync.OnceValue(func() bigPair {
	local, _ := merkle.New(bigOpts)
	remote, _ := merkle.New(bigOpts)
	keys := make([]string, bigKeys)
	for i := range keys {
		k := "user:" + strconv.Itoa(i)
		keys[i] = k
		local.Put(k, uint64(i))
		remote.Put(k, uint64(i))
	}
	remote.Put(keys[4_242_424], 1)
	return bigPair{local, remote, keys}
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

// BenchmarkMerkle_Put measures an incremental update of a random existing
// key in a 10M-key tree (the path to the root is updated, no rebuild).
// impl=gomap is not a Merkle tree: it updates a Go map of the same 10M keys,
// the floor that random memory access sets on this machine.
func BenchmarkMerkle_Put(b *testing.B) {
	b.Run("keys=10M/impl=gomap", func(b *testing.B) {
		p := bigTrees()
		m := make(map[string]uint64, bigKeys)
		for i, k := range p.keys {
			m[k] = uint64(i)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		order := make([]int, 1<<16)
		for i := range order {
			order[i] = rng.IntN(bigKeys)
		}
		runtime.GC()
		b.ReportAllocs()
		i := 0
		done := cputime.Start(b)
		for b.Loop() {
			m[p.keys[order[i&(len(order)-1)]]] = uint64(i)
			i++
		}
		done()
	})
	b.Run("keys=10M/impl=sysdesign", func(b *testing.B) {
		p := bigTrees()
		t := p.local
		rng := rand.New(rand.NewPCG(1, 2))
		order := make([]int, 1<<16)
		for i := range order {
			order[i] = rng.IntN(bigKeys)
		}
		runtime.GC() // do not charge the 10M-key build's garbage to Put
		b.ReportAllocs()
		i := 0
		done := cputime.Start(b)
		for b.Loop() {
			t.Put(p.keys[order[i&(len(order)-1)]], uint64(i))
			i++
		}
		done()
		b.StopTimer()
		for _, k := range order { // restore the shared replica
			t.Put(p.keys[k], uint64(k))
		}
	})
}
