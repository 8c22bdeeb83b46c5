package merkle

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

func TestBlockHasher(t *testing.T) {
	if _, err := NewBlockHasher(0); !errors.Is(err, ErrInvalidOptions) {
		t.Fatalf("NewBlockHasher(0) = %v; want ErrInvalidOptions", err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	data := make([]byte, 10_000)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for _, size := range []int{1, 7, 64, 4096, 20_000} {
		for _, n := range []int{0, 1, 63, 64, 65, 4096, 10_000} {
			var blocks [][]byte
			for off := 0; off < n; off += size {
				blocks = append(blocks, data[off:min(off+size, n)])
			}
			want := NewBinaryTree(blocks).Root()
			h, _ := NewBlockHasher(size)
			// Write in uneven chunks.
			r := bytes.NewReader(data[:n])
			for {
				chunk := make([]byte, 1+rng.IntN(300))
				k, err := r.Read(chunk)
				h.Write(chunk[:k])
				if err == io.EOF {
					break
				}
			}
			if got := h.Sum(nil); !bytes.Equal(got, want[:]) {
				t.Fatalf("size %d, n %d: sum %x; want %x", size, n, got, want)
			}
			if h.Root() != want { // Sum must not change the state
				t.Fatal("Sum changed the state")
			}
			if tr := NewBinaryTreeFromLeaves(h.Leaves()); tr.Len() != len(blocks) {
				t.Fatalf("%d leaves; want %d", tr.Len(), len(blocks))
			}
			h.Reset()
			if h.Root() != EmptyRoot() {
				t.Fatal("Reset did not empty the hasher")
			}
		}
	}
	h, _ := NewBlockHasher(8)
	if h.Size() != 32 || h.BlockSize() != 8 {
		t.Fatalf("Size %d BlockSize %d", h.Size(), h.BlockSize())
	}
}
