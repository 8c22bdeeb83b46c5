package skiplist

import (
	"errors"
	"slices"
	"testing"
)

// FuzzMap decodes bytes into a sequence of operations (op, key) and checks a
// Map against a sorted-slice model after each one.
func FuzzMap(f *testing.F) {
	f.Add([]byte{0, 5, 0, 3, 1, 5, 2, 3, 3, 0})
	f.Add([]byte{0, 1, 0, 2, 0, 3, 0, 4, 1, 2, 4, 1, 5, 0})
	f.Add([]byte("skiplist fuzz seed with many bytes"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := NewOrdered[byte, int](Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		var model []byte
		for i := 0; i+1 < len(data); i += 2 {
			op, k := data[i]%6, data[i+1]
			pos, found := slices.BinarySearch(model, k)
			switch op {
			case 0:
				if _, replaced := m.Set(k, int(k)); replaced != found {
					t.Fatalf("Set(%d) replaced=%v", k, replaced)
				}
				if !found {
					model = slices.Insert(model, pos, k)
				}
			case 1:
				if _, ok := m.Delete(k); ok != found {
					t.Fatalf("Delete(%d) = %v", k, ok)
				}
				if found {
					model = slices.Delete(model, pos, pos+1)
				}
			case 2:
				if r, ok := m.Rank(k); ok != found || (ok && r != pos) {
					t.Fatalf("Rank(%d) = %d, %v; want %d", k, r, ok, pos)
				}
			case 3:
				i := int(k) % (len(model) + 1)
				key, _, ok := m.At(i)
				if ok != (i < len(model)) || (ok && key != model[i]) {
					t.Fatalf("At(%d) = %d, %v", i, key, ok)
				}
			case 4:
				var got []byte
				for key := range m.Range(k, k+16) {
					got = append(got, key)
				}
				var want []byte
				for _, key := range model {
					if key >= k && (k > 255-16 || key < k+16) && int(key) < int(k)+16 {
						want = append(want, key)
					}
				}
				if k <= 255-16 && !slices.Equal(got, want) {
					t.Fatalf("Range(%d, %d) = %v; want %v", k, k+16, got, want)
				}
			case 5:
				if v, ok := m.Get(k); ok != found || (ok && v != int(k)) {
					t.Fatalf("Get(%d) = %d, %v", k, v, ok)
				}
			}
		}
		checkInvariants(t, m)
		if !slices.Equal(slices.Collect(m.Keys()), model) {
			t.Fatal("keys differ from model")
		}
	})
}

// FuzzParseScoreBound checks that parsing never panics, that errors are
// ErrBadBound, and that accepted bounds round-trip through String.
func FuzzParseScoreBound(f *testing.F) {
	for _, s := range []string{"1", "(1.5", "-inf", "+inf", "inf", "nan", "(", "", "1e400", "0x1p-2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseScoreBound(s)
		if err != nil {
			if !errors.Is(err, ErrBadBound) {
				t.Fatalf("error %v is not ErrBadBound", err)
			}
			return
		}
		b2, err := ParseScoreBound(b.String())
		if err != nil || b2 != b {
			t.Fatalf("%q -> %q -> %v, %v", s, b.String(), b2, err)
		}
	})
}

// FuzzParseLexBound checks parsing and round trips of lex bounds.
func FuzzParseLexBound(f *testing.F) {
	for _, s := range []string{"-", "+", "[a", "(b", "", "x", "[", "(\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseLexBound(s)
		if err != nil {
			if !errors.Is(err, ErrBadBound) {
				t.Fatalf("error %v is not ErrBadBound", err)
			}
			return
		}
		if b.String() != s {
			t.Fatalf("%q -> %q", s, b.String())
		}
	})
}
