package merkle

import (
	"crypto/sha256"
	"errors"
	"strconv"
	"testing"
)

// refRoot is RFC 6962's recursive definition of the Merkle tree hash, kept
// deliberately naive as the model for BinaryTree.
func refRoot(blocks [][]byte) Hash {
	switch len(blocks) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return sha256.Sum256(append([]byte{0}, blocks[0]...))
	}
	k := 1
	for k*2 < len(blocks) {
		k *= 2
	}
	l, r := refRoot(blocks[:k]), refRoot(blocks[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

func blocksN(n int) [][]byte {
	bs := make([][]byte, n)
	for i := range bs {
		bs[i] = []byte("block " + strconv.Itoa(i))
	}
	return bs
}

func TestBinaryTreeRootMatchesRFC6962(t *testing.T) {
	for n := range 70 {
		bs := blocksN(n)
		tr := NewBinaryTree(bs)
		if got, want := tr.Root(), refRoot(bs); got != want {
			t.Fatalf("n=%d: root %x; want %x", n, got, want)
		}
		if tr.Len() != n {
			t.Fatalf("Len() = %d; want %d", tr.Len(), n)
		}
	}
	// Golden value from RFC 6962's definition: the empty tree.
	if got := (&BinaryTree{}).Root(); got != EmptyRoot() || got[0] != 0xe3 || got[1] != 0xb0 {
		t.Fatalf("empty root %x; want e3b0c442...", got)
	}
}

func TestProofs(t *testing.T) {
	for n := 1; n <= 40; n++ {
		bs := blocksN(n)
		tr := NewBinaryTree(bs)
		root := tr.Root()
		for i := range n {
			p, err := tr.Proof(i)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Verify(root, bs[i]); err != nil {
				t.Fatalf("n=%d i=%d: %v", n, i, err)
			}
			if len(p.Path) > 6 {
				t.Fatalf("n=%d: path of %d hashes", n, len(p.Path))
			}
			// Tampering with anything fails.
			if err := p.Verify(root, append(bs[i], 'x')); !errors.Is(err, ErrProofInvalid) {
				t.Fatalf("n=%d i=%d: tampered block: %v", n, i, err)
			}
			bad := root
			bad[3] ^= 1
			if err := p.Verify(bad, bs[i]); !errors.Is(err, ErrProofInvalid) {
				t.Fatalf("tampered root: %v", err)
			}
			for j := range p.Path {
				q := Proof{Index: p.Index, Size: p.Size, Path: append([]Hash(nil), p.Path...)}
				q.Path[j][0] ^= 0x80
				if err := q.Verify(root, bs[i]); !errors.Is(err, ErrProofInvalid) {
					t.Fatalf("n=%d i=%d: tampered path[%d]: %v", n, i, j, err)
				}
			}
			if n > 1 {
				q := p
				q.Index = uint64((i + 1) % n)
				if err := q.Verify(root, bs[i]); !errors.Is(err, ErrProofInvalid) {
					t.Fatalf("n=%d i=%d: wrong index verified: %v", n, i, err)
				}
			}
			q := p
			q.Path = append(append([]Hash(nil), p.Path...), Hash{})
			if err := q.Verify(root, bs[i]); !errors.Is(err, ErrProofInvalid) {
				t.Fatalf("long path verified: %v", err)
			}
		}
		if _, err := tr.Proof(n); !errors.Is(err, ErrIndexOutOfRange) {
			t.Fatalf("Proof(%d) = %v; want ErrIndexOutOfRange", n, err)
		}
	}
	if err := (Proof{}).Verify(EmptyRoot(), nil); !errors.Is(err, ErrProofInvalid) {
		t.Fatalf("zero proof: %v", err)
	}
}

// An inner node presented as a leaf must not verify: the second-preimage
// attack that domain separation prevents.
func TestSecondPreimage(t *testing.T) {
	bs := blocksN(4)
	tr := NewBinaryTree(bs)
	l0, l1 := LeafHash(bs[0]), LeafHash(bs[1])
	forged := append(append([]byte{}, l0[:]...), l1[:]...) // the preimage of node (0,1) without its prefix
	two := NewBinaryTree([][]byte{forged, append([]byte{}, tr.levels[1][1][:]...)})
	if two.Root() == tr.Root() {
		t.Fatal("a two-leaf tree of inner-node preimages has the same root")
	}
	p, _ := tr.Proof(0)
	short := Proof{Index: 0, Size: 2, Path: p.Path[1:]}
	if err := short.Verify(tr.Root(), forged); err == nil {
		t.Fatal("forged leaf verified")
	}
}

func TestBinaryEncoding(t *testing.T) {
	tr := NewBinaryTree(blocksN(13))
	data, _ := tr.MarshalBinary()
	var got BinaryTree
	if err := got.UnmarshalBinary(data); err != nil || got.Root() != tr.Root() || got.Len() != 13 {
		t.Fatalf("round trip: %v, root %x; want %x", err, got.Root(), tr.Root())
	}
	p, _ := tr.Proof(9)
	pd, _ := p.MarshalBinary()
	var q Proof
	if err := q.UnmarshalBinary(pd); err != nil {
		t.Fatal(err)
	}
	if err := q.Verify(tr.Root(), []byte("block 9")); err != nil {
		t.Fatalf("decoded proof: %v", err)
	}
	for _, bad := range [][]byte{nil, []byte("MKP\x02"), pd[:len(pd)-1], append(pd[:len(pd):len(pd)], 0), []byte("MKP\x01\x00\x01\xff\x01")} {
		if err := q.UnmarshalBinary(bad); !errors.Is(err, ErrCorrupt) {
			t.Errorf("Proof.UnmarshalBinary(%q) = %v; want ErrCorrupt", bad, err)
		}
	}
	for _, bad := range [][]byte{nil, []byte("MKB\x01\x02"), data[:len(data)-3], append(data[:len(data):len(data)], 1)} {
		if err := got.UnmarshalBinary(bad); !errors.Is(err, ErrCorrupt) {
			t.Errorf("BinaryTree.UnmarshalBinary(%q) = %v; want ErrCorrupt", bad, err)
		}
	}
	if got.Root() != tr.Root() {
		t.Error("failed decode changed the tree")
	}
	leaves := make([]Hash, 13)
	for i := range leaves {
		leaves[i], _ = tr.Leaf(i)
	}
	if NewBinaryTreeFromLeaves(leaves).Root() != tr.Root() {
		t.Error("tree from leaves has another root")
	}
}
