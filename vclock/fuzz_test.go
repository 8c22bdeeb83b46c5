package vclock

import (
	"bytes"
	"errors"
	"testing"
)

func FuzzUnmarshalBinary(f *testing.F) {
	for _, s := range []string{"{}", "{1:1}", "{1:3,7:1}", "{0:1@-1,2:1@0}", "{18446744073709551615:18446744073709551615}"} {
		c, _ := Parse(s)
		b, _ := c.MarshalBinary()
		f.Add(b)
	}
	f.Add([]byte{0, 1, 0x81, 0, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		var c Clock
		if err := c.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		again, _ := c.MarshalBinary()
		if !bytes.Equal(again, data) {
			t.Fatalf("accepted non-canonical %x (re-encodes to %x)", data, again)
		}
		p, err := Parse(c.String())
		if err != nil || !sameEntries(p, c) {
			t.Fatalf("text round trip of %v: %v, %v", c, p, err)
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"{}", "{1:1}", "{1:3,7:1}", "{0:1@-1,2:1@0}", "{1:1@5,2:1}", "{2:1,1:1}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrSyntax) {
				t.Fatalf("error %v does not wrap ErrSyntax", err)
			}
			return
		}
		checkSorted(t, c)
		back, err := Parse(c.String())
		if err != nil || !sameEntries(back, c) {
			t.Fatalf("Parse(%q).String() = %q does not round-trip: %v", s, c.String(), err)
		}
		b, _ := c.MarshalBinary()
		var u Clock
		if err := u.UnmarshalBinary(b); err != nil || !sameEntries(u, c) {
			t.Fatalf("binary round trip of %v: %v", c, err)
		}
	})
}

func FuzzDecodeSiblings(f *testing.F) {
	var s Siblings[int]
	s, _ = s.Update(Clock{}, 1, 1)
	s, _ = s.Update(Clock{}, 2, 2)
	s, _ = s.Update(Of(Entry{Node: 1, Counter: 1}), 3, 3)
	f.Add(s.AppendBinary(nil, appendInt))
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := DecodeSiblings(data, decodeInt)
		if err != nil {
			return
		}
		if again := got.AppendBinary(nil, appendInt); !bytes.Equal(again, data) {
			t.Fatalf("re-encoding differs: %x vs %x", again, data)
		}
		// A decoded set behaves: a write with its context replaces it all.
		next, d := got.Update(got.Context(), 9, 0)
		if next.Len() != 1 || next.vs[0].Dot != d {
			t.Fatalf("update with full context left %d versions", next.Len())
		}
		if m := got.Sync(got); !sameSet(m, got) {
			t.Fatal("decoded set is not idempotent under Sync")
		}
	})
}
