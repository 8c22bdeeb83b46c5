package base

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

func TestCompareUserMatchesBytesCompare(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte{0, 1, 'a', 0x7f, 0x80, 0xff}
	gen := func() []byte {
		b := make([]byte, r.IntN(20))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return b
	}
	for i := 0; i < 200000; i++ {
		a, b := gen(), gen()
		if r.IntN(3) == 0 {
			b = append(bytes.Clone(a), b...) // shared prefixes
		}
		if got, want := sign(CompareUser(a, b)), bytes.Compare(a, b); got != want {
			t.Fatalf("CompareUser(%x, %x) = %d; want %d", a, b, got, want)
		}
	}
}

func TestInternalKeyOrder(t *testing.T) {
	k := func(u string, seq uint64, kind Kind) []byte { return MakeKey(nil, []byte(u), seq, kind) }
	ordered := [][]byte{
		k("a", MaxSeq, KindMax), k("a", 9, KindSet), k("a", 5, KindDelete), k("a", 1, KindSet),
		k("ab", 100, KindSet), k("b", 2, KindSet),
	}
	for i := 1; i < len(ordered); i++ {
		if Compare(ordered[i-1], ordered[i]) >= 0 {
			t.Fatalf("Compare(%q, %q) >= 0; want < 0", ordered[i-1], ordered[i])
		}
	}
	ik := k("user", 42, KindDelete)
	if Seq(ik) != 42 || KindOf(ik) != KindDelete || string(UserKey(ik)) != "user" || !Valid(ik) {
		t.Fatalf("decode %x: seq %d kind %d user %q", ik, Seq(ik), KindOf(ik), UserKey(ik))
	}
	if Valid([]byte{1, 2, 3}) {
		t.Fatal("a 3-byte key is not a valid internal key")
	}
}

func FuzzCompareUser(f *testing.F) {
	f.Add([]byte("key:user00000001"), []byte("key:user00000002"))
	f.Add([]byte{}, []byte{0})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		if got, want := sign(CompareUser(a, b)), bytes.Compare(a, b); got != want {
			t.Fatalf("CompareUser(%x, %x) = %d; want %d", a, b, got, want)
		}
	})
}
