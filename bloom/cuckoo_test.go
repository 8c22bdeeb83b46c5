package bloom

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"
	"github.com/sysdesign-go/sysdesign/internal/raceflag"
)

var fpWidths = []int{8, 16}

func newCuckooT(t *testing.T, capacity uint64, bits int) *Cuckoo {
	t.Helper()
	c, err := NewCuckooWith(capacity, CuckooOptions{FingerprintBits: bits})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCuckooAgainstModel(t *testing.T) {
	for _, w := range fpWidths {
		c := newCuckooT(t, 10000, w)
		model := map[uint64]int{}
		rng := rand.New(rand.NewPCG(3, uint64(w)))
		for range 50000 {
			i := rng.Uint64N(12000)
			if rng.IntN(3) > 0 || model[i] == 0 {
				if err := c.Add(key('p', i)); err != nil {
					if !errors.Is(err, ErrFull) {
						t.Fatal(err)
					}
					continue
				}
				model[i]++
			} else {
				if !c.Remove(key('p', i)) {
					t.Fatalf("bits=%d: Remove(%d) = false for a present key", w, i)
				}
				if model[i]--; model[i] == 0 {
					delete(model, i)
				}
			}
		}
		total := uint64(0)
		for j, n := range model {
			total += uint64(n)
			if !c.Contains(key('p', j)) {
				t.Fatalf("bits=%d: false negative for %d", w, j)
			}
		}
		if c.Len() != total {
			t.Errorf("bits=%d: Len = %d; want %d", w, c.Len(), total)
		}
	}
}

func TestCuckooFullNeverDrops(t *testing.T) {
	for _, w := range fpWidths {
		c := newCuckooT(t, 1000, w)
		var added []uint64
		var full bool
		for i := range uint64(10 * c.Cap()) {
			err := c.Add(key('p', i))
			if errors.Is(err, ErrFull) {
				full = true
				if c.Len() != uint64(len(added)) {
					t.Fatalf("bits=%d: ErrFull changed Len to %d, want %d", w, c.Len(), len(added))
				}
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			added = append(added, i)
		}
		if !full {
			t.Fatalf("bits=%d: filter never reported ErrFull", w)
		}
		load := float64(len(added)) / float64(c.Cap())
		t.Logf("cuckoo %d-bit: full at %d of %d slots (load %.3f)", w, len(added), c.Cap(), load)
		if load < 0.9 {
			t.Errorf("bits=%d: full at load %.3f; want at least 0.9", w, load)
		}
		for _, i := range added {
			if !c.Contains(key('p', i)) {
				t.Fatalf("bits=%d: accepted key %d was dropped", w, i)
			}
		}
		if err := c.Add(key('x', 0)); !errors.Is(err, ErrFull) {
			t.Errorf("bits=%d: Add when full = %v; want ErrFull", w, err)
		}
		for _, i := range added[:10] {
			if !c.Remove(key('p', i)) {
				t.Fatalf("bits=%d: Remove(%d) = false", w, i)
			}
		}
		if err := c.Add(key('x', 1)); err != nil {
			t.Errorf("bits=%d: Add after removals = %v", w, err)
		}
		for _, i := range added[10:] {
			if !c.Contains(key('p', i)) {
				t.Fatalf("bits=%d: key %d lost after removals", w, i)
			}
		}
		c.Reset()
		if c.Len() != 0 || c.Contains(key('p', added[20])) {
			t.Errorf("bits=%d: Reset left keys", w)
		}
	}
}

func TestCuckooFPR(t *testing.T) {
	n := uint64(1_000_000)
	if raceflag.Enabled {
		n = 100_000
	}
	for _, w := range fpWidths {
		c := newCuckooT(t, n, w)
		for i := range n {
			if err := c.Add(key('p', i)); err != nil {
				t.Fatal(err)
			}
		}
		got := measureFPR(c.Contains, absentProbes())
		load := float64(n) / float64(c.Cap())
		// Each of the 8 slots of a key's two buckets is full with probability
		// load and then matches with probability 1/(2^w - 1).
		want := 1 - math.Pow(1-1/float64(uint64(1)<<w-1), 8*load)
		bpk := float64(c.SizeBits()) / float64(n)
		t.Logf("cuckoo %d-bit: FPR %.6f (model %.6f) at %.2f bits per key (load %.2f)", w, got, want, bpk, load)
		lo, hi := 0.85*want, 1.15*want
		if w == 16 { // ~116 false positives in 1M probes: allow sampling noise
			lo, hi = 0, 1.5*want
		}
		if got < lo || got > hi {
			t.Errorf("bits=%d: FPR %.6f; want in [%.6f, %.6f]", w, got, lo, hi)
		}
		if wantBPK := float64(w) / cuckooLoad; math.Abs(bpk-wantBPK) > 0.05 {
			t.Errorf("bits=%d: %.3f bits per key; want %.2f", w, bpk, wantBPK)
		}
	}
}

func TestCuckooConfig(t *testing.T) {
	if _, err := NewCuckoo(0); !errors.Is(err, ErrConfig) {
		t.Errorf("NewCuckoo(0) = %v", err)
	}
	for _, b := range []int{-1, 1, 4, 12, 32} {
		if _, err := NewCuckooWith(10, CuckooOptions{FingerprintBits: b}); !errors.Is(err, ErrConfig) {
			t.Errorf("FingerprintBits %d: err = %v; want ErrConfig", b, err)
		}
	}
	c, err := NewCuckoo(100)
	if err != nil || c.FingerprintBits() != 16 {
		t.Fatalf("default FingerprintBits = %d, %v; want 16", c.FingerprintBits(), err)
	}
}

// TestCuckooLanes checks the SWAR helpers against a lane-by-lane model.
func TestCuckooLanes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		w := rng.Uint64()
		// zero some lanes at random
		for l := range uint(4) {
			if rng.IntN(3) == 0 {
				w &^= 0xffff << (16 * l)
			}
		}
		w8 := uint32(w)
		for l := range uint(4) {
			if rng.IntN(3) == 0 {
				w8 &^= 0xff << (8 * l)
			}
		}
		first16, first8 := -1, -1
		var exact uint32
		for l := 3; l >= 0; l-- {
			if uint16(w>>(16*l)) == 0 {
				first16 = l
			}
			if uint8(w8>>(8*l)) == 0 {
				first8 = l
				exact |= 0x80 << (8 * l)
			}
		}
		z16, z8 := zeroLanes16(w), zeroLanes8(w8)
		if (z16 != 0) != (first16 >= 0) || (z16 != 0 && int(trailing64(z16)/16) != first16) {
			t.Fatalf("zeroLanes16(%#x) = %#x; first zero lane %d", w, z16, first16)
		}
		if (z8 != 0) != (first8 >= 0) || (z8 != 0 && int(trailing32(z8)/8) != first8) {
			t.Fatalf("zeroLanes8(%#x) = %#x; first zero lane %d", w8, z8, first8)
		}
		if got := zeroLanes8Exact(w8); got != exact {
			t.Fatalf("zeroLanes8Exact(%#x) = %#x; want %#x", w8, got, exact)
		}
	}
}

func trailing64(x uint64) uint {
	n := uint(0)
	for x&1 == 0 {
		x >>= 1
		n++
	}
	return n
}

func trailing32(x uint32) uint { return trailing64(uint64(x)) }

func TestCuckooUnionIntersect(t *testing.T) {
	for _, w := range fpWidths {
		a, b := newCuckooT(t, 2000, w), newCuckooT(t, 2000, w)
		for i := range uint64(800) {
			if err := a.Add(key('p', i)); err != nil { // 0..799
				t.Fatal(err)
			}
			if err := b.Add(key('p', i+400)); err != nil { // 400..1199
				t.Fatal(err)
			}
		}
		u := a.Clone()
		if err := u.Union(b); err != nil {
			t.Fatal(err)
		}
		if u.Len() != 1600 {
			t.Errorf("bits=%d: union Len %d; want 1600", w, u.Len())
		}
		for i := range uint64(1200) {
			if !u.Contains(key('p', i)) {
				t.Fatalf("bits=%d: union lost key %d", w, i)
			}
		}
		in := a.Clone()
		if err := in.Intersect(b); err != nil {
			t.Fatal(err)
		}
		for i := uint64(400); i < 800; i++ {
			if !in.Contains(key('p', i)) {
				t.Fatalf("bits=%d: intersection lost key %d", w, i)
			}
		}
		// Keys only in a mostly disappear: at most the FPR-ish survivors.
		survive := 0
		for i := range uint64(400) {
			if in.Contains(key('p', i)) {
				survive++
			}
		}
		if survive > 400/10 {
			t.Errorf("bits=%d: %d of 400 keys only in a survived the intersection", w, survive)
		}
		if in.Len() < 400 || in.Len() > 400+uint64(survive) {
			t.Errorf("bits=%d: intersection Len %d; want 400..%d", w, in.Len(), 400+survive)
		}
		// Removing the shared keys leaves the intersection nearly empty.
		for i := uint64(400); i < 800; i++ {
			if !in.Remove(key('p', i)) {
				t.Fatalf("bits=%d: Remove(%d) from intersection failed", w, i)
			}
		}
		// Union that cannot fit fails with ErrFull and changes nothing.
		small1, small2 := newCuckooT(t, 500, w), newCuckooT(t, 500, w)
		for i := range uint64(450) {
			_ = small1.Add(key('p', i))
			_ = small2.Add(key('q', i))
		}
		before, _ := small1.MarshalBinary()
		if err := small1.Union(small2); !errors.Is(err, ErrFull) {
			t.Errorf("bits=%d: overfull union = %v; want ErrFull", w, err)
		}
		if after, _ := small1.MarshalBinary(); !bytes.Equal(before, after) {
			t.Errorf("bits=%d: failed union changed the filter", w)
		}
	}
	a, b, c := newCuckooT(t, 100, 8), newCuckooT(t, 100, 16), newCuckooT(t, 1000, 8)
	for _, o := range []*Cuckoo{b, c} {
		if err := a.Union(o); !errors.Is(err, ErrIncompatible) {
			t.Errorf("Union of incompatible = %v", err)
		}
		if err := a.Intersect(o); !errors.Is(err, ErrIncompatible) {
			t.Errorf("Intersect of incompatible = %v", err)
		}
	}
}

// TestCuckooVersion1Refused checks that a version-1 cuckoo encoding fails
// with ErrVersion and says why, and that other kinds' version bytes are
// checked.
func TestCuckooVersion1Refused(t *testing.T) {
	c := newCuckooT(t, 100, 16)
	_ = c.AddString("a")
	data, _ := c.MarshalBinary()
	if data[4] != 2 {
		t.Fatalf("cuckoo version byte %d; want 2", data[4])
	}
	old := append([]byte(nil), data...)
	old[4] = 1
	end := len(old) - sumLen
	putU64(old[end:], xxhash.Sum64(old[:end]))
	err := new(Cuckoo).UnmarshalBinary(old)
	if !errors.Is(err, ErrVersion) || !strings.Contains(err.Error(), "rebuild") {
		t.Errorf("version-1 cuckoo decode = %v; want ErrVersion explaining a rebuild", err)
	}
	if _, err := new(Cuckoo).ReadFrom(bytes.NewReader(old)); !errors.Is(err, ErrVersion) {
		t.Errorf("version-1 cuckoo ReadFrom = %v; want ErrVersion", err)
	}
	// A classic filter with the cuckoo version byte is refused too.
	f, _ := New(10, 0.01)
	fd, _ := f.MarshalBinary()
	fd[4] = 2
	end = len(fd) - sumLen
	putU64(fd[end:], xxhash.Sum64(fd[:end]))
	if err := new(Filter).UnmarshalBinary(fd); !errors.Is(err, ErrVersion) {
		t.Errorf("classic with version 2 = %v; want ErrVersion", err)
	}
	// A cuckoo given to another decoder is the wrong kind.
	if err := new(Filter).UnmarshalBinary(data); !errors.Is(err, ErrWrongKind) {
		t.Errorf("cuckoo into Filter = %v; want ErrWrongKind", err)
	}
}
