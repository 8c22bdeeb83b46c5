package bloom

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/cputime"

	"github.com/sysdesign-go/sysdesign/internal/mix"
)

// blockedContainsRef is the plain definition of a blocked lookup: every
// probe, 9 bits at a time from mix.Murmur64 of the hash, remixed after each seven,
// one at a time.
func blockedContainsRef(b *Blocked, h uint64) bool {
	off, x := b.probe(h)
	blk := b.blocks[off : off+blockBytes]
	j := 0
	for range b.k {
		if j == 7 {
			x, j = mix.Murmur64(x+probeInc), 0
		}
		p := (x >> (9 * j)) & (blockBits - 1)
		if blk[p>>3]&(1<<(p&7)) == 0 {
			return false
		}
		j++
	}
	return true
}

// TestBlockedContainsMatchesRef checks the unrolled lookup against the
// plain definition for every k, on filters from nearly empty to nearly
// full, so both answers and every group count occur.
func TestBlockedContainsMatchesRef(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for k := uint32(1); k <= maxK; k++ {
		sawPos, sawNeg := false, false
		for _, adds := range []int{10, 300, 1000, 3000} {
			b, err := NewBlockedSized(16, k)
			if err != nil {
				t.Fatal(err)
			}
			var added []uint64
			for range adds {
				h := rng.Uint64()
				b.AddHash(h)
				added = append(added, h)
			}
			for _, h := range added {
				if !b.ContainsHash(h) {
					t.Fatalf("k=%d adds=%d: added hash %#x not found", k, adds, h)
				}
			}
			for range 5000 {
				h := rng.Uint64()
				got := b.ContainsHash(h)
				if want := blockedContainsRef(b, h); got != want {
					t.Fatalf("k=%d adds=%d: ContainsHash(%#x) = %v; reference says %v", k, adds, h, got, want)
				}
				if got {
					sawPos = true
				} else {
					sawNeg = true
				}
			}
		}
		if !sawPos || !sawNeg {
			t.Errorf("k=%d: random hashes positive %v, negative %v; want some of each", k, sawPos, sawNeg)
		}
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
