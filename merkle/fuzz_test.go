package merkle

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func FuzzTreeUnmarshal(f *testing.F) {
	tr, _ := New(Options{Fanout: 4, Depth: 2})
	tr.Put("a", 1)
	tr.Put("b", 2)
	data, _ := tr.MarshalBinary()
	f.Add(data)
	f.Add([]byte("MKT\x01\x02\x01\x00"))
	f.Add([]byte("MKT\x01\xff\xff\x03\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var tr Tree
		if err := tr.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrInvalidOptions) {
				t.Fatalf("error %v wraps neither ErrCorrupt nor ErrInvalidOptions", err)
			}
			return
		}
		checkInvariants(t, &tr)
		again, _ := tr.MarshalBinary()
		var tr2 Tree
		if err := tr2.UnmarshalBinary(again); err != nil || tr2.Root() != tr.Root() {
			t.Fatalf("re-decode: %v", err)
		}
	})
}

func FuzzServe(f *testing.F) {
	tr, _ := New(Options{Fanout: 4, Depth: 2})
	m := map[string]uint64{}
	var sum *Summary
	sum, _ = NewSummary(tr.Options(), mapSource(m, &sum))
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		tr.Put(k, uint64(len(k)))
		sum.Insert(k, uint64(len(k)))
		m[k] = uint64(len(k))
	}
	f.Add([]byte{kindHashes, 4, 2, 1, 4, 0, 0, 0, 0})
	f.Add([]byte{kindHashes, 4, 2, 2, 2, 0, 14})
	f.Add([]byte{kindEntries, 4, 2, 3, 0, 1, 2})
	f.Fuzz(func(t *testing.T, req []byte) {
		resp, err := tr.Serve(req)
		// The Summary of the same contents answers the same requests, with
		// the same hashes and the same set of entries.
		sresp, serr := sum.Serve(context.Background(), req)
		if (err == nil) != (serr == nil) {
			t.Fatalf("tree error %v, summary error %v", err, serr)
		}
		if err != nil {
			return
		}
		if req[0] == kindHashes && !bytes.Equal(resp, sresp) {
			t.Fatalf("hashes: tree %x, summary %x", resp, sresp)
		}
		if len(resp) != len(sresp) {
			t.Fatalf("tree answered %d bytes, summary %d", len(resp), len(sresp))
		}
		switch req[0] {
		case kindHashes:
			if _, err := decodeHashesResponse(resp); err != nil {
				t.Fatalf("own hashes response does not decode: %v", err)
			}
		case kindEntries:
			es, err := decodeEntriesResponse(resp)
			if err != nil {
				t.Fatalf("own entries response does not decode: %v", err)
			}
			for _, e := range es {
				if v, ok := tr.Get(e.Key); !ok || v != e.ValueHash {
					t.Fatalf("served entry %+v not in tree", e)
				}
			}
		}
	})
}

// FuzzDiffResponses feeds arbitrary remote answers to Diff: it must return
// an error or differences, never panic.
func FuzzDiffResponses(f *testing.F) {
	f.Add([]byte{kindHashes, 4, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0},
		[]byte{kindEntries, 1, 1, 'a', 1, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, hashes, entries []byte) {
		tr, _ := New(Options{Fanout: 4, Depth: 1})
		tr.Put("x", 9)
		remote := RoundTripFunc(func(_ context.Context, req []byte) ([]byte, error) {
			if req[0] == kindHashes {
				return hashes, nil
			}
			return entries, nil
		})
		diffs, _, err := tr.Diff(context.Background(), remote)
		if err != nil {
			return
		}
		for _, d := range diffs {
			if !d.InLocal && !d.InRemote {
				t.Fatalf("difference %+v on neither side", d)
			}
		}
	})
}

func FuzzProofUnmarshal(f *testing.F) {
	bt := NewBinaryTree(blocksN(5))
	p, _ := bt.Proof(4)
	data, _ := p.MarshalBinary()
	f.Add(data, []byte("block 4"))
	f.Add([]byte("MKP\x01\x00\x00\x00"), []byte{})
	root := bt.Root()
	f.Fuzz(func(t *testing.T, data, block []byte) {
		var p Proof
		if err := p.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		again, _ := p.MarshalBinary()
		if !bytes.Equal(again, data) {
			t.Fatalf("re-encoding differs: %x vs %x", again, data)
		}
		if err := p.Verify(root, block); err == nil {
			// Only the genuine proof of block 4 may verify.
			if p.Index != 4 || string(block) != "block 4" {
				t.Fatalf("forged proof verified: %+v for %q", p, block)
			}
		}
	})
}

func FuzzBinaryTreeUnmarshal(f *testing.F) {
	data, _ := NewBinaryTree(blocksN(3)).MarshalBinary()
	f.Add(data)
	f.Add([]byte("MKB\x01\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var bt BinaryTree
		if err := bt.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		for i := range bt.Len() {
			p, err := bt.Proof(i)
			if err != nil {
				t.Fatal(err)
			}
			leaf, _ := bt.Leaf(i)
			if err := p.VerifyLeaf(bt.Root(), leaf); err != nil {
				t.Fatalf("proof %d of decoded tree: %v", i, err)
			}
		}
	})
}
