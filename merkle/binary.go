package merkle

import (
	"crypto/sha256"
	"fmt"
)

// HashSize is the size of a [Hash] in bytes.
const HashSize = sha256.Size

// Hash is a SHA-256 digest, the node hash of a [BinaryTree].
type Hash [HashSize]byte

// Domain-separation prefixes of RFC 6962 / RFC 9162.
const (
	leafPrefix  = 0x00
	innerPrefix = 0x01
)

// LeafHash returns the hash of a block as a leaf: SHA-256(0x00 || block).
func LeafHash(block []byte) Hash {
	h := sha256.New()
	h.Write([]byte{leafPrefix})
	h.Write(block)
	var out Hash
	h.Sum(out[:0])
	return out
}

// NodeHash returns the hash of an inner node: SHA-256(0x01 || left || right).
// The distinct prefixes keep an inner node from being passed off as a leaf
// (the second-preimage attack on unprefixed Merkle trees).
func NodeHash(left, right Hash) Hash {
	var buf [1 + 2*HashSize]byte
	buf[0] = innerPrefix
	copy(buf[1:], left[:])
	copy(buf[1+HashSize:], right[:])
	return sha256.Sum256(buf[:])
}

var emptyRoot = sha256.Sum256(nil)

// EmptyRoot returns the root of a tree with no blocks: SHA-256 of the empty
// string, as in RFC 6962.
func EmptyRoot() Hash { return emptyRoot }

// BinaryTree is a classic binary Merkle tree over an ordered list of blocks,
// for file sync and object-store integrity: its root commits to every
// block, and a short [Proof] shows that one block is at a given index
// without the others.
//
// The shape and hashing are those of RFC 6962 (Certificate Transparency)
// and RFC 9162: leaves are SHA-256(0x00 || block), inner nodes
// SHA-256(0x01 || left || right), and a level with an odd number of nodes
// promotes its last node unchanged (it is never paired with itself, which
// would let two different block lists share a root, as in Bitcoin's
// CVE-2012-2459). SHA-256 is used because integrity against tampering needs
// a collision-resistant hash; the standard library's implementation uses
// the CPU's SHA extensions where present. Roots match other RFC 6962
// implementations, such as github.com/transparency-dev/merkle.
//
// Building costs n-1 inner hashes and 2n hashes of memory; [BinaryTree.Proof]
// is O(log n). A BinaryTree is immutable after construction and so safe for
// concurrent use. The zero value is an empty tree.
type BinaryTree struct {
	levels [][]Hash // levels[0] are the leaves; the last level holds the root
}

// NewBinaryTree builds the tree over blocks, in order.
func NewBinaryTree(blocks [][]byte) *BinaryTree {
	leaves := make([]Hash, len(blocks))
	for i, b := range blocks {
		leaves[i] = LeafHash(b)
	}
	return newFromLeaves(leaves)
}

// NewBinaryTreeFromLeaves builds the tree over leaf hashes computed with
// [LeafHash], for callers that hash blocks as they stream them. The slice is
// copied.
func NewBinaryTreeFromLeaves(leaves []Hash) *BinaryTree {
	return newFromLeaves(append([]Hash(nil), leaves...))
}

func newFromLeaves(leaves []Hash) *BinaryTree {
	t := &BinaryTree{}
	if len(leaves) == 0 {
		return t
	}
	t.levels = append(t.levels, leaves)
	for level := leaves; len(level) > 1; {
		next := make([]Hash, (len(level)+1)/2)
		for i := 0; i+1 < len(level); i += 2 {
			next[i/2] = NodeHash(level[i], level[i+1])
		}
		if len(level)%2 == 1 {
			next[len(next)-1] = level[len(level)-1]
		}
		t.levels = append(t.levels, next)
		level = next
	}
	return t
}

// Len returns the number of blocks.
func (t *BinaryTree) Len() int {
	if len(t.levels) == 0 {
		return 0
	}
	return len(t.levels[0])
}

// Leaf returns the leaf hash of block i and reports whether i is in range.
func (t *BinaryTree) Leaf(i int) (Hash, bool) {
	if i < 0 || i >= t.Len() {
		return Hash{}, false
	}
	return t.levels[0][i], true
}

// Root returns the root hash, [EmptyRoot] for a tree with no blocks.
func (t *BinaryTree) Root() Hash {
	if len(t.levels) == 0 {
		return emptyRoot
	}
	return t.levels[len(t.levels)-1][0]
}

// Proof returns the inclusion proof of block i: the sibling hashes on the
// path from its leaf to the root, at most ceil(log2 n). The error wraps
// ErrIndexOutOfRange when i is not in [0, Len).
func (t *BinaryTree) Proof(i int) (Proof, error) {
	n := t.Len()
	if i < 0 || i >= n {
		return Proof{}, fmt.Errorf("%w: %d not in [0, %d)", ErrIndexOutOfRange, i, n)
	}
	p := Proof{Index: uint64(i), Size: uint64(n), Path: make([]Hash, 0, len(t.levels)-1)}
	idx := i
	for _, level := range t.levels[:len(t.levels)-1] {
		if sib := idx ^ 1; sib < len(level) {
			p.Path = append(p.Path, level[sib])
		}
		idx >>= 1
	}
	return p, nil
}

// Proof is an inclusion proof: block Index of a tree of Size blocks, with
// the sibling hashes from the leaf upwards (the audit path of RFC 9162,
// section 2.1.3). The zero value proves nothing.
type Proof struct {
	Index, Size uint64
	Path        []Hash
}

// Verify reports whether block is block p.Index of the tree with the given
// root; a nil error means it is. A changed block, proof or root returns an
// error wrapping ErrProofInvalid.
func (p Proof) Verify(root Hash, block []byte) error {
	return p.VerifyLeaf(root, LeafHash(block))
}

// VerifyLeaf is [Proof.Verify] for a leaf hash computed with [LeafHash].
func (p Proof) VerifyLeaf(root, leaf Hash) error {
	got, err := p.RootFrom(leaf)
	if err != nil {
		return err
	}
	if got != root {
		return fmt.Errorf("%w: computed root %x, want %x", ErrProofInvalid, got[:8], root[:8])
	}
	return nil
}

// RootFrom returns the root that the proof leads to from leaf. The error
// wraps ErrProofInvalid when the index, size and path length do not fit
// together.
func (p Proof) RootFrom(leaf Hash) (Hash, error) {
	if p.Index >= p.Size {
		return Hash{}, fmt.Errorf("%w: index %d not below size %d", ErrProofInvalid, p.Index, p.Size)
	}
	h := leaf
	idx, size := p.Index, p.Size
	used := 0
	for size > 1 {
		switch {
		case idx&1 == 1:
			if used == len(p.Path) {
				return Hash{}, fmt.Errorf("%w: path too short", ErrProofInvalid)
			}
			h = NodeHash(p.Path[used], h)
			used++
		case idx+1 < size:
			if used == len(p.Path) {
				return Hash{}, fmt.Errorf("%w: path too short", ErrProofInvalid)
			}
			h = NodeHash(h, p.Path[used])
			used++
		}
		idx >>= 1
		size = (size + 1) / 2
	}
	if used != len(p.Path) {
		return Hash{}, fmt.Errorf("%w: %d unused path hashes", ErrProofInvalid, len(p.Path)-used)
	}
	return h, nil
}
