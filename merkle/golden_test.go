package merkle

import (
	"encoding/hex"
	"strconv"
	"testing"
)

// goldenRoots are RFC 6962 roots of the blocks "block 0".."block n-1",
// computed by an independent implementation,
// github.com/transparency-dev/merkle v0.0.2 (testonly.Tree with
// rfc6962.DefaultHasher); benchmarks/merkle re-checks agreement.
var goldenRoots = []struct {
	n    int
	root string
}{
	{1, "2cc12f0667a376b5cb519069c95227a7b54fa5c39de477cf3938f6c2aad04995"},
	{2, "8e2e6ef1618c2c58dfafb4ab22b9b68cf238834c9903c78a5f41cf730c63a078"},
	{3, "756d7c0ceefee1b86e414ddd8435149106fd9961ab5d1fe4fc20f6a3f2366dbf"},
	{7, "785b3a3f598fbcabdb1eaafe220c019e5f61c5cbb5789056033af8faf92f993c"},
	{16, "f067c6655f9bbab1a420393cb2f4fd20309c1470155c0f6c339c793ebcc64fe1"},
	{100, "ac9601407ae4afe588242680f313a683ff370fada0a629dceff13909fb4fed68"},
}

func TestGoldenRoots(t *testing.T) {
	for _, g := range goldenRoots {
		var bs [][]byte
		for i := range g.n {
			bs = append(bs, []byte("block "+strconv.Itoa(i)))
		}
		root := NewBinaryTree(bs).Root()
		if got := hex.EncodeToString(root[:]); got != g.root {
			t.Errorf("n=%d: root %s; want %s", g.n, got, g.root)
		}
	}
}
