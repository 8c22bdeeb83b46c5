package trie

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"slices"
	"testing"
)

// FuzzUnmarshalBinary feeds arbitrary bytes to the decoder: it must never
// panic, must fail only with ErrCorrupt, and anything it accepts must be a
// valid trie that re-encodes to an encoding decoding to the same entries.
func FuzzUnmarshalBinary(f *testing.F) {
	tr := sample(f)
	data, _ := tr.MarshalBinary()
	f.Add(data)
	f.Add(data[:len(data)-4])
	empty, _ := New(Options{})
	e, _ := empty.MarshalBinary()
	f.Add(e)
	f.Add([]byte("SDTRIE\x01\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		// Most random inputs fail the checksum; also try the input as a
		// body with a valid checksum so the fuzzer reaches the parser.
		fuzzDecode(t, data)
		fuzzDecode(t, binary.LittleEndian.AppendUint32(slices.Clone(data), crc32.Checksum(data, castagnoli)))
	})
}

func fuzzDecode(t *testing.T, data []byte) {
	{
		var x Trie
		if err := x.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not match ErrCorrupt", err)
			}
			return
		}
		m := model{}
		for q, w := range x.All() {
			m[q] = w
		}
		checkTrie(t, &x, m)
		again, err := x.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var y Trie
		if err := y.UnmarshalBinary(again); err != nil {
			t.Fatalf("re-encoding rejected: %v", err)
		}
		if !slices.Equal(collectAll(x.All()), collectAll(y.All())) {
			t.Fatal("re-encoding changed the entries")
		}
	}
}

// FuzzTrie decodes bytes into insert/add/delete/topk operations and checks
// the trie against a map after every step.
func FuzzTrie(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	f.Add([]byte("a tiny log of queries for the trie fuzzer"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := New(Options{K: 2})
		if err != nil {
			t.Fatal(err)
		}
		m := model{}
		for i := 0; i+2 < len(data); i += 3 {
			q := alphabet[int(data[i+1])%len(alphabet)]
			if data[i+2]&1 == 1 {
				q += alphabet[int(data[i+2]>>1)%len(alphabet)]
			}
			switch data[i] % 4 {
			case 0:
				tr.Insert(q, int64(data[i+2]%7))
				m[q] = int64(data[i+2] % 7)
			case 1:
				tr.Add(q, int64(data[i+2]%5)-2)
				m[q] += int64(data[i+2]%5) - 2
			case 2:
				if tr.Delete(q) != (func() bool { _, ok := m[q]; return ok })() {
					t.Fatalf("Delete(%q) disagrees with model", q)
				}
				delete(m, q)
			case 3:
				p := alphabet[int(data[i+1])%len(alphabet)]
				if got, want := tr.TopK(p, 2), m.topK(p, 2); !slices.Equal(got, want) {
					t.Fatalf("TopK(%q) = %v; want %v", p, got, want)
				}
			}
		}
		checkTrie(t, tr, m)
	})
}
