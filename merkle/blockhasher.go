package merkle

import (
	"fmt"
	"hash"
)

// BlockHasher is a [hash.Hash] whose sum is the [BinaryTree] root of its
// input cut into fixed-size blocks (the last block may be shorter), so a
// file's Merkle root can be computed while streaming it, with io.Copy.
// An empty input sums to [EmptyRoot]. Memory is one leaf hash per block
// plus one partial block.
//
// Create one with [NewBlockHasher]. A BlockHasher is not safe for
// concurrent use.
type BlockHasher struct {
	blockSize int
	buf       []byte
	leaves    []Hash
}

var _ hash.Hash = (*BlockHasher)(nil)

// NewBlockHasher returns a BlockHasher that cuts its input into blocks of
// blockSize bytes; blockSize must be positive.
func NewBlockHasher(blockSize int) (*BlockHasher, error) {
	if blockSize <= 0 {
		return nil, fmt.Errorf("%w: block size %d", ErrInvalidOptions, blockSize)
	}
	return &BlockHasher{blockSize: blockSize, buf: make([]byte, 0, blockSize)}, nil
}

// Write adds p to the input. It never returns an error.
func (h *BlockHasher) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(h.blockSize-len(h.buf), len(p))
		h.buf = append(h.buf, p[:k]...)
		p = p[k:]
		if len(h.buf) == h.blockSize {
			h.leaves = append(h.leaves, LeafHash(h.buf))
			h.buf = h.buf[:0]
		}
	}
	return n, nil
}

// Leaves returns the leaf hashes of the blocks so far, including a partial
// last block, for [NewBinaryTreeFromLeaves] (to make proofs).
func (h *BlockHasher) Leaves() []Hash {
	out := append([]Hash(nil), h.leaves...)
	if len(h.buf) > 0 {
		out = append(out, LeafHash(h.buf))
	}
	return out
}

// Root returns the root over the input so far; it does not change the
// state.
func (h *BlockHasher) Root() Hash { return newFromLeaves(h.Leaves()).Root() }

// Sum appends the root over the input so far to b; it does not change the
// state.
func (h *BlockHasher) Sum(b []byte) []byte {
	r := h.Root()
	return append(b, r[:]...)
}

// Reset discards the input.
func (h *BlockHasher) Reset() {
	h.buf = h.buf[:0]
	h.leaves = h.leaves[:0]
}

// Size returns the size of a sum, 32 bytes.
func (h *BlockHasher) Size() int { return HashSize }

// BlockSize returns the configured block size.
func (h *BlockHasher) BlockSize() int { return h.blockSize }
