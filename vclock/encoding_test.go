package vclock

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

func TestBinaryGolden(t *testing.T) {
	cases := []struct {
		clock string
		hex   []byte
	}{
		{"{}", []byte{0, 0}},
		{"{1:1}", []byte{0, 1, 1, 1}},
		{"{1:3,7:1}", []byte{0, 2, 1, 3, 5, 1}},
		{"{300:200}", []byte{0, 1, 0xac, 0x02, 0xc8, 0x01}},
		{"{0:1@-1,2:1@0}", []byte{1, 2, 0, 1, 1, 1, 1, 0}},
	}
	for _, c := range cases {
		clk := mustParse(t, c.clock)
		got, _ := clk.MarshalBinary()
		if !bytes.Equal(got, c.hex) {
			t.Errorf("%s encodes to %v; want %v", c.clock, got, c.hex)
		}
		var back Clock
		if err := back.UnmarshalBinary(got); err != nil || back.String() != c.clock {
			t.Errorf("%v decodes to %v, %v; want %s", got, back, err, c.clock)
		}
	}
}

func TestBinarySize16(t *testing.T) {
	var c Clock
	for n := uint64(1); n <= 16; n++ {
		for range 100 {
			c.Increment(n)
		}
	}
	b, _ := c.MarshalBinary()
	if len(b) > 40 {
		t.Fatalf("16 entries encode to %d bytes; want at most 40", len(b))
	}
	t.Logf("16 entries, counters 100: %d bytes", len(b))
}

func TestRoundTrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		var c Clock
		for range rng.IntN(20) {
			e := Entry{Node: rng.Uint64() >> rng.IntN(64), Counter: 1 + rng.Uint64()>>rng.IntN(64)}
			if rng.IntN(2) == 0 {
				e.Time = int64(rng.Uint64()) >> rng.IntN(64)
			}
			c.mergeEntry(e)
		}
		b, _ := c.MarshalBinary()
		var back Clock
		if err := back.UnmarshalBinary(b); err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		if !sameEntries(back, c) {
			t.Fatalf("binary round trip %v -> %v", c, back)
		}
		s := c.String()
		p, err := Parse(s)
		if err != nil || !sameEntries(p, c) || p.String() != s {
			t.Fatalf("text round trip %s -> %v, %v", s, p, err)
		}
		txt, _ := c.MarshalText()
		var u Clock
		if err := u.UnmarshalText(txt); err != nil || !sameEntries(u, c) {
			t.Fatalf("UnmarshalText(%s) = %v, %v", txt, u, err)
		}
	}
}

func sameEntries(a, b Clock) bool {
	if len(a.e) != len(b.e) {
		return false
	}
	for i := range a.e {
		if a.e[i] != b.e[i] {
			return false
		}
	}
	return true
}

func TestBinaryRejects(t *testing.T) {
	bad := [][]byte{
		nil,
		{2, 0},                // unknown flag
		{1, 0},                // times flag on empty clock
		{0, 1, 1, 0},          // zero counter
		{0, 1, 1},             // truncated
		{0, 1, 0x81, 0, 1},    // non-minimal varint
		{0, 0, 0},             // trailing byte
		{1, 1, 1, 1, 0},       // times flag, all times zero
		{0, 0xff, 0xff, 0x7f}, // huge count
		{0, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 1, 0, 1}, // node overflow
	}
	for _, b := range bad {
		var c Clock
		if err := c.UnmarshalBinary(b); !errors.Is(err, ErrCorrupt) {
			t.Errorf("UnmarshalBinary(%v) = %v; want ErrCorrupt", b, err)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, s := range []string{"", "{", "1:1", "{1:1,}", "{1:0}", "{2:1,1:1}", "{1:1,1:2}", "{a:1}", "{1:}", "{1:1@5,2:1}",
		"{1:1,2:1@5}", "{01:1}", "{1:+1}", "{1:1@x}", "{ 1:1}", "{1:18446744073709551616}", "{1}"} {
		if _, err := Parse(s); !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) = %v; want ErrSyntax", s, err)
		}
	}
	var c Clock
	if err := c.UnmarshalText([]byte("{x}")); !errors.Is(err, ErrSyntax) {
		t.Errorf("UnmarshalText: %v", err)
	}
}
