package merkle

import (
	"encoding/binary"
	"fmt"
)

const (
	proofMagic      = "MKP\x01"
	binaryTreeMagic = "MKB\x01"
	// maxPath bounds a decoded proof: a tree of 2^64 blocks has 64 levels.
	maxPath = 64
)

// AppendBinary appends the encoding of p to b: the magic "MKP\x01", Index,
// Size and the path length as unsigned varints, then the path hashes.
func (p Proof) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, proofMagic...)
	b = binary.AppendUvarint(b, p.Index)
	b = binary.AppendUvarint(b, p.Size)
	b = binary.AppendUvarint(b, uint64(len(p.Path)))
	for _, h := range p.Path {
		b = append(b, h[:]...)
	}
	return b, nil
}

// MarshalBinary implements [encoding.BinaryMarshaler].
func (p Proof) MarshalBinary() ([]byte, error) { return p.AppendBinary(nil) }

// UnmarshalBinary implements [encoding.BinaryUnmarshaler]. Malformed input
// returns an error wrapping ErrCorrupt. A decoded proof is only a claim:
// check it with [Proof.Verify].
func (p *Proof) UnmarshalBinary(data []byte) error {
	if len(data) < len(proofMagic) || string(data[:len(proofMagic)]) != proofMagic {
		return fmt.Errorf("%w: bad proof magic", ErrCorrupt)
	}
	d := decoder{b: data[len(proofMagic):]}
	idx, size := d.uvarint(), d.uvarint()
	n := d.count(HashSize)
	if d.err == nil && n > maxPath {
		return fmt.Errorf("%w: path of %d hashes", ErrCorrupt, n)
	}
	path := make([]Hash, n)
	for i := range path {
		copy(path[i][:], d.fixed(HashSize))
	}
	if err := d.finish(); err != nil {
		return err
	}
	*p = Proof{Index: idx, Size: size, Path: path}
	return nil
}

// AppendBinary appends the encoding of t to b: the magic "MKB\x01", the
// number of leaves as an unsigned varint, then the leaf hashes. Inner nodes
// are recomputed on decoding.
func (t *BinaryTree) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, binaryTreeMagic...)
	b = binary.AppendUvarint(b, uint64(t.Len()))
	if t.Len() > 0 {
		for _, h := range t.levels[0] {
			b = append(b, h[:]...)
		}
	}
	return b, nil
}

// MarshalBinary implements [encoding.BinaryMarshaler].
func (t *BinaryTree) MarshalBinary() ([]byte, error) { return t.AppendBinary(nil) }

// UnmarshalBinary implements [encoding.BinaryUnmarshaler], replacing t.
// Malformed input returns an error wrapping ErrCorrupt and leaves t
// unchanged.
func (t *BinaryTree) UnmarshalBinary(data []byte) error {
	if len(data) < len(binaryTreeMagic) || string(data[:len(binaryTreeMagic)]) != binaryTreeMagic {
		return fmt.Errorf("%w: bad tree magic", ErrCorrupt)
	}
	d := decoder{b: data[len(binaryTreeMagic):]}
	n := d.count(HashSize)
	leaves := make([]Hash, n)
	for i := range leaves {
		copy(leaves[i][:], d.fixed(HashSize))
	}
	if err := d.finish(); err != nil {
		return err
	}
	*t = *newFromLeaves(leaves)
	return nil
}
