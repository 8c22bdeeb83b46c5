package bloom

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/cputime"

	"github.com/sysdesign-go/sysdesign/internal/mix"
)

// blockedContainsRef is the plain definition of a blocked lookup, one
// probe at a time. In the word layout probe j is 6 bits of the hash times
// wordMul, remixed with mix.Murmur64 after each ten, naming a bit of the
// little-endian 64-bit word j mod 8; in the layout of older encodings it
// is 9 bits of mix.Murmur64 of the hash, any bit of the block, remixed
// after each seven.
func blockedContainsRef(b *Blocked, h uint64) bool {
	blk, x := b.block(h), b.probeBits(h)
	width, per := uint64(6), uint32(10)
	if b.layout == layoutProbes {
		width, per = 9, 7
	}
	for j := range b.k {
		if j%per == 0 && j > 0 {
			x = mix.Murmur64(x + probeInc)
		}
		p := x >> (width * uint64(j%per)) & (1<<width - 1)
		if b.layout == layoutWords {
			w := binary.LittleEndian.Uint64(blk[8*(j%8):])
			if w&(1<<p) == 0 {
				return false
			}
		} else if blk[p>>3]&(1<<(p&7)) == 0 {
			return false
		}
	}
	return true
}

// TestBlockedContainsMatchesRef checks the lookups against the plain
// definition for every k and both layouts, on filters from nearly empty to
// nearly full, so both answers and every group count occur.
func TestBlockedContainsMatchesRef(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, layout := range []uint32{layoutWords, layoutProbes} {
		for k := uint32(1); k <= maxK; k++ {
			sawPos, sawNeg := false, false
			for _, adds := range []int{10, 300, 1000, 3000} {
				b, err := NewBlockedSized(16, k)
				if err != nil {
					t.Fatal(err)
				}
				b.layout = layout
				var added []uint64
				for range adds {
					h := rng.Uint64()
					b.AddHash(h)
					added = append(added, h)
				}
				for _, h := range added {
					if !b.ContainsHash(h) || !blockedContainsRef(b, h) {
						t.Fatalf("layout %d k=%d adds=%d: added hash %#x not found", layout, k, adds, h)
					}
				}
				for range 5000 {
					h := rng.Uint64()
					got := b.ContainsHash(h)
					if want := blockedContainsRef(b, h); got != want {
						t.Fatalf("layout %d k=%d adds=%d: ContainsHash(%#x) = %v; reference says %v", layout, k, adds, h, got, want)
					}
					if got {
						sawPos = true
					} else {
						sawNeg = true
					}
				}
			}
			if !sawPos || !sawNeg {
				t.Errorf("layout %d k=%d: random hashes positive %v, negative %v; want some of each", layout, k, sawPos, sawNeg)
			}
		}
	}
}

// TestBlockedProbesIndependentOfBlockBits checks the word layout's probe
// bits where a huge filter would leave the fewest free: in a filter of
// 2^30 blocks, the keys of one block share the top 30 bits of their hash.
// Blocks of 51 such keys (a 10-bit-per-key load) must answer random hashes
// of the same block with the false-positive rate of independent probes,
// (1 - (63/64)^51)^8 = 0.86%.
func TestBlockedProbesIndependentOfBlockBits(t *testing.T) {
	const load, queries, blocks = 51, 2000, 400
	rng := rand.New(rand.NewPCG(21, 22))
	b, _ := NewBlockedSized(1, 8)
	pos := 0
	for range blocks {
		b.Reset()
		top := rng.Uint64() &^ (1<<34 - 1)
		for range load {
			b.AddHash(top | rng.Uint64()&(1<<34-1))
		}
		for range queries {
			if b.ContainsHash(top | rng.Uint64()&(1<<34-1)) {
				pos++
			}
		}
	}
	got := float64(pos) / (blocks * queries)
	want := math.Pow(1-math.Pow(63.0/64, load), 8)
	t.Logf("FPR %.5f with the top 30 bits fixed; independent probes give %.5f", got, want)
	if got > want*1.15 || got < want*0.85 {
		t.Errorf("FPR %.5f; want within 15%% of %.5f", got, want)
	}
}

// TestBlockedLegacyLayout decodes a filter encoded before the word layout
// existed (testdata/blocked-layout0.bin: NewBlocked(200, 0.01) holding
// "key-0" to "key-199", k = 6, layout field 0) and checks that it still
// finds every key, reports its layout in its encoding, and refuses to merge
// with a filter of the other layout.
func TestBlockedLegacyLayout(t *testing.T) {
	data, err := os.ReadFile("testdata/blocked-layout0.bin")
	if err != nil {
		t.Fatal(err)
	}
	var b Blocked
	if err := b.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if b.layout != layoutProbes || b.K() != 6 || b.Blocks() != 4 {
		t.Fatalf("decoded layout %d k=%d blocks=%d; want 0, 6, 4", b.layout, b.K(), b.Blocks())
	}
	for i := range 200 {
		if !b.ContainsString(fmt.Sprint("key-", i)) {
			t.Fatalf("key-%d not found in the legacy filter", i)
		}
	}
	fp := 0
	for i := range 10_000 {
		if b.ContainsString(fmt.Sprint("absent-", i)) {
			fp++
		}
	}
	if fp > 300 { // 1% target on 200 keys; 3% is far outside chance
		t.Errorf("legacy filter: %d false positives in 10,000", fp)
	}
	again, err := b.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, data) {
		t.Error("re-encoding the legacy filter changed its bytes")
	}
	fresh, _ := NewBlockedSized(b.Blocks(), b.K())
	if err := fresh.Union(&b); !errors.Is(err, ErrIncompatible) {
		t.Errorf("Union across layouts = %v; want ErrIncompatible", err)
	}
}

// BenchmarkBlocked_ContainsHash compares the unrolled lookup with the
// one-probe-at-a-time reference on the same filter and hashes, half of
// them present.
func BenchmarkBlocked_ContainsHash(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		f, _ := NewBlocked(uint64(n), 0.01)
		hs := make([]uint64, 1<<16)
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range n {
			h := rng.Uint64()
			f.AddHash(h)
			hs[(2*i)&(len(hs)-1)] = h
		}
		for i := 1; i < len(hs); i += 2 {
			hs[i] = rng.Uint64() // absent
		}
		for _, impl := range []struct {
			name string
			f    func(uint64) bool
		}{{"unrolled", f.ContainsHash}, {"ref", func(h uint64) bool { return blockedContainsRef(f, h) }}} {
			b.Run(fmt.Sprintf("n=%d/k=%d/impl=%s", n, f.K(), impl.name), func(b *testing.B) {
				hits := 0
				i := 0
				done := cputime.Start(b)
				defer done()
				for b.Loop() {
					if impl.f(hs[i&(len(hs)-1)]) {
						hits++
					}
					i++
				}
				if hits == 0 {
					b.Fatal("no hits")
				}
			})
		}
	}
}
