package merkle

import (
	"context"
	"strconv"
	"testing"
)

func benchKeys(n int) []string {
	ks := make([]string, n)
	for i := range ks {
		ks[i] = "key:" + strconv.Itoa(i)
	}
	return ks
}

func BenchmarkTree_Put(b *testing.B) {
	tr, _ := New(Options{})
	ks := benchKeys(1 << 20)
	for i, k := range ks {
		tr.Put(k, uint64(i))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tr.Put(ks[i&(len(ks)-1)], uint64(i))
		i++
	}
}

// BenchmarkSummary_Update is the Summary form of BenchmarkTree_Put: the
// caller passes the old value hash, so no per-key state is looked up.
func BenchmarkSummary_Update(b *testing.B) {
	s, _ := NewSummary(Options{}, nil)
	ks := benchKeys(1 << 20)
	cur := make([]uint64, len(ks))
	for i, k := range ks {
		s.Insert(k, uint64(i))
		cur[i] = uint64(i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		j := i & (len(ks) - 1)
		s.Update(ks[j], cur[j], uint64(i))
		cur[j] = uint64(i)
		i++
	}
}

func BenchmarkTree_Diff(b *testing.B) {
	local, remote, _ := pair(b, Options{}, 1<<20, []int{1, 1000, 500000}, nil, nil)
	ctx := context.Background()
	b.ReportAllocs()
	var st Stats
	for b.Loop() {
		_, st, _ = local.Diff(ctx, remote)
	}
	b.ReportMetric(float64(st.Hashes), "hashes/diff")
	b.ReportMetric(float64(st.Bytes), "bytes/diff")
}

func BenchmarkBinaryTree_Build(b *testing.B) {
	bs := blocksN(1024)
	b.ReportAllocs()
	for b.Loop() {
		NewBinaryTree(bs)
	}
}

func BenchmarkProof_Verify(b *testing.B) {
	bs := blocksN(1024)
	tr := NewBinaryTree(bs)
	p, _ := tr.Proof(517)
	root := tr.Root()
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Verify(root, bs[517]); err != nil {
			b.Fatal(err)
		}
	}
}
