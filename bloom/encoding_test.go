package bloom

import (
	"bytes"
	"errors"
	"testing"
)

func TestClassicRoundTrip(t *testing.T) {
	for _, m := range []uint64{1, 63, 64, 65, 1000} {
		f, err := NewSized(m, 3)
		if err != nil {
			t.Fatal(err)
		}
		for i := range uint64(m / 8) {
			f.Add(key('p', i))
		}
		data, err := f.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var g Filter
		if err := g.UnmarshalBinary(data); err != nil {
			t.Fatalf("m=%d: %v", m, err)
		}
		if g.M() != f.M() || g.K() != f.K() {
			t.Fatalf("m=%d: decoded m=%d k=%d", m, g.M(), g.K())
		}
		for i := range uint64(m / 8) {
			if !g.Contains(key('p', i)) {
				t.Fatalf("m=%d: decoded filter lost key %d", m, i)
			}
		}
		again, _ := g.AppendBinary([]byte("prefix"))
		if !bytes.Equal(again[6:], data) {
			t.Fatalf("m=%d: AppendBinary after decode differs", m)
		}
	}
}

func TestBlockedRoundTripAndView(t *testing.T) {
	b, _ := NewBlocked(1000, 0.01)
	for i := range uint64(1000) {
		b.Add(key('p', i))
	}
	data, _ := b.MarshalBinary()
	if len(data) != b.EncodedLen() {
		t.Fatalf("len = %d; EncodedLen = %d", len(data), b.EncodedLen())
	}
	var c Blocked
	if err := c.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	file := append([]byte("table data..."), data...)
	v, err := ViewBlocked(file[13:])
	if err != nil {
		t.Fatal(err)
	}
	if !v.IsView() || c.IsView() {
		t.Fatal("IsView wrong")
	}
	for i := range uint64(1000) {
		if !c.Contains(key('p', i)) || !v.Contains(key('p', i)) {
			t.Fatalf("decoded filter lost key %d", i)
		}
	}
	for i := range uint64(10000) {
		k := key('a', i)
		if b.Contains(k) != v.Contains(k) || b.Contains(k) != c.Contains(k) {
			t.Fatalf("decoded filter disagrees on absent key %d", i)
		}
	}
	// The view aliases: no copy of the blocks.
	if &v.blocks[0] != &file[13+headerLen+blockedFixed] {
		t.Fatal("ViewBlocked copied the blocks")
	}
	if a := testing.AllocsPerRun(20, func() { _, _ = ViewBlocked(data) }); a > 1 {
		t.Errorf("ViewBlocked allocs = %v; want at most 1", a)
	}
}

func TestDecodeErrors(t *testing.T) {
	f, _ := New(100, 0.01)
	f.Add([]byte("x"))
	good, _ := f.MarshalBinary()
	b, _ := NewBlocked(100, 0.01)
	goodBlocked, _ := b.MarshalBinary()

	mutate := func(fn func([]byte) []byte) []byte {
		return fn(append([]byte(nil), good...))
	}
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrCorrupt},
		{"short", good[:10], ErrCorrupt},
		{"truncated", good[:len(good)-1], ErrCorrupt},
		{"magic", mutate(func(b []byte) []byte { b[0] = 'X'; return b }), ErrCorrupt},
		{"version", mutate(func(b []byte) []byte { b[4] = 9; return b }), ErrVersion},
		{"kind", goodBlocked, ErrWrongKind},
		{"bitflip", mutate(func(b []byte) []byte { b[20] ^= 1; return b }), ErrCorrupt},
		{"checksum", mutate(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), ErrCorrupt},
		{"extra", mutate(func(b []byte) []byte { return append(b, 0) }), ErrCorrupt},
	} {
		var g Filter
		err := g.UnmarshalBinary(tc.data)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v; want %v", tc.name, err, tc.want)
		}
		if g.words != nil {
			t.Errorf("%s: filter modified on error", tc.name)
		}
	}
	if _, err := ViewBlocked(good); !errors.Is(err, ErrWrongKind) {
		t.Errorf("ViewBlocked(classic) = %v; want ErrWrongKind", err)
	}
	if _, err := ViewBlocked(goodBlocked[:len(goodBlocked)-3]); !errors.Is(err, ErrCorrupt) {
		t.Errorf("ViewBlocked(truncated) = %v; want ErrCorrupt", err)
	}
}

// reframe rebuilds a valid checksum around a hand-made body, so the
// parameter checks behind the checksum get exercised.
func reframe(k kind, body []byte) []byte {
	b := appendHeader(nil, k)
	b = append(b, body...)
	return appendSum(b, 0)
}

func TestDecodeBadParameters(t *testing.T) {
	for _, tc := range []struct {
		name string
		k    kind
		body []byte
	}{
		{"classic m=0", kindClassic, append(appendU32(appendU64(nil, 0), 3), 0, 0, 0, 0)},
		{"classic k=0", kindClassic, appendU64(append(appendU32(appendU64(nil, 64), 0), 0, 0, 0, 0), 0)},
		{"classic huge m", kindClassic, append(appendU32(appendU64(nil, 1<<60), 3), 0, 0, 0, 0)},
		{"classic bits beyond m", kindClassic, appendU64(append(appendU32(appendU64(nil, 3), 1), 0, 0, 0, 0), 0xff)},
		{"blocked huge", kindBlocked, append(appendU32(appendU64(nil, 1<<50), 3), 0, 0, 0, 0)},
		{"blocked none", kindBlocked, append(appendU32(appendU64(nil, 0), 3), 0, 0, 0, 0)},
		{"blocked unknown layout", kindBlocked, append(appendU32(appendU32(appendU64(nil, 1), 8), 2), make([]byte, blockBytes)...)},
	} {
		data := reframe(tc.k, tc.body)
		var err error
		if tc.k == kindClassic {
			err = new(Filter).UnmarshalBinary(data)
		} else {
			err = new(Blocked).UnmarshalBinary(data)
		}
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: error %v; want ErrCorrupt", tc.name, err)
		}
	}
}

func TestFuseDecodeRejectsOverflow(t *testing.T) {
	// segCount*segLen beyond 32 bits must be rejected before any lookup
	// could index out of range; the payload is absent, so this also checks
	// the size test comes first.
	body := appendU64(appendU64(nil, 1), 1)
	body = appendU32(appendU32(body, 1<<18), 1<<15)
	if err := new(Fuse).UnmarshalBinary(reframe(kindFuse, body)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("oversized fuse = %v; want ErrCorrupt", err)
	}
}
