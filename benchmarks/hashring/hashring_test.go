// Package hashringbench compares sysdesign/hashring with stathat/consistent,
// serialx/hashring, dgryski/go-jump and dgryski/go-rendezvous on the same
// keys: lookup time at 10, 100 and 1,000 nodes, three-replica preference
// lists, and (as metrics) the load balance and key movement each achieves
// with its default settings at 100 nodes and 1M keys.
package hashringbench

import (
	"fmt"
	"math"
	"testing"

	jump "github.com/dgryski/go-jump"
	rendezvous "github.com/dgryski/go-rendezvous"
	serialx "github.com/serialx/hashring"
	"github.com/stathat/consistent"
	"github.com/sysdesign-go/sysdesign/hashring"
	"github.com/sysdesign-go/sysdesign/internal/cputime"
)

const keyMask = 1<<16 - 1

func keys(n int) []string {
	ks := make([]string, n)
	for i := range ks {
		ks[i] = fmt.Sprint("key-", i)
	}
	return ks
}

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("node-%04d", i)
	}
	return out
}

func nodes(n int) []hashring.Node {
	var out []hashring.Node
	for _, id := range ids(n) {
		out = append(out, hashring.Node{ID: id})
	}
	return out
}

type ringImpl struct {
	name string
	get  func(string) string
}

// rings builds every consistent-hash ring with its default settings.
func rings(tb testing.TB, n int) []ringImpl {
	ours, err := hashring.New(hashring.Options{}, nodes(n)...)
	if err != nil {
		tb.Fatal(err)
	}
	// The same ring with 160 virtual nodes a node, and AnchorHash: the
	// choices the hashring docs give when lookups must stay in the L2
	// cache at 1,000 nodes (the default ring's table is 11 MB there).
	few, err := hashring.New(hashring.Options{VNodes: 160}, nodes(n)...)
	if err != nil {
		tb.Fatal(err)
	}
	anchor, err := hashring.NewAnchor(2*n, ids(n)...)
	if err != nil {
		tb.Fatal(err)
	}
	st := consistent.New()
	st.Set(ids(n))
	sx := serialx.New(ids(n))
	return []ringImpl{
		{"sysdesign", func(k string) string { s, _ := ours.Get(k); return s }},
		{"sysdesign-vnodes160", func(k string) string { s, _ := few.Get(k); return s }},
		{"sysdesign-anchor", func(k string) string { s, _ := anchor.Get(k); return s }},
		{"stathat", func(k string) string { s, _ := st.Get(k); return s }},
		{"serialx", func(k string) string { s, _ := sx.GetNode(k); return s }},
	}
}

// BenchmarkHashring_Get is one lookup on a consistent-hash ring.
func BenchmarkHashring_Get(b *testing.B) {
	ks := keys(keyMask + 1)
	for _, n := range []int{10, 100, 1000} {
		for _, r := range rings(b, n) {
			b.Run(fmt.Sprintf("nodes=%d/impl=%s", n, r.name), func(b *testing.B) {
				b.ReportAllocs()
				done := cputime.Start(b)
				i := 0
				for b.Loop() {
					r.get(ks[i&keyMask])
					i++
				}
				done()
			})
		}
	}
}

// BenchmarkHashring_GetN3 is a preference list of three distinct nodes; ours
// also spreads them over three zones (the peers have no zones).
func BenchmarkHashring_GetN3(b *testing.B) {
	const n = 100
	ks := keys(keyMask + 1)
	var zoned []hashring.Node
	for i, id := range ids(n) {
		zoned = append(zoned, hashring.Node{ID: id, Zone: fmt.Sprint("zone-", i%3)})
	}
	ours, _ := hashring.New(hashring.Options{}, zoned...)
	st := consistent.New()
	st.Set(ids(n))
	sx := serialx.New(ids(n))
	dst := make([]string, 0, 3)
	for _, impl := range []struct {
		name string
		get  func(string)
	}{
		{"sysdesign", func(k string) { dst = ours.AppendNZones(dst[:0], k, 3) }},
		{"stathat", func(k string) { _, _ = st.GetN(k, 3) }},
		{"serialx", func(k string) { _, _ = sx.GetNodes(k, 3) }},
	} {
		b.Run(fmt.Sprintf("nodes=%d/impl=%s", n, impl.name), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				impl.get(ks[i&keyMask])
				i++
			}
		})
	}
}

// BenchmarkHashring_Jump is jump consistent hash of a 64-bit key.
func BenchmarkHashring_Jump(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		for _, impl := range []struct {
			name string
			f    func(uint64, int) int
		}{
			{"sysdesign", hashring.JumpHash},
			{"dgryski", func(k uint64, n int) int { return int(jump.Hash(k, n)) }},
		} {
			b.Run(fmt.Sprintf("nodes=%d/impl=%s", n, impl.name), func(b *testing.B) {
				b.ReportAllocs()
				k := uint64(0)
				for b.Loop() {
					impl.f(k, n)
					k += 0x9e3779b97f4a7c15
				}
			})
		}
	}
}

// BenchmarkHashring_Rendezvous is a highest-random-weight lookup, both
// hashing with xxhash.
func BenchmarkHashring_Rendezvous(b *testing.B) {
	ks := keys(keyMask + 1)
	for _, n := range []int{10, 100} {
		ours, _ := hashring.NewRendezvous(nodes(n)...)
		dg := rendezvous.New(ids(n), hashring.HashString)
		for _, impl := range []struct {
			name string
			get  func(string)
		}{
			{"sysdesign", func(k string) { ours.Get(k) }},
			{"dgryski", func(k string) { dg.Lookup(k) }},
		} {
			b.Run(fmt.Sprintf("nodes=%d/impl=%s", n, impl.name), func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					impl.get(ks[i&keyMask])
					i++
				}
			})
		}
	}
}

// BenchmarkHashring_Balance reports, for 100 nodes and 1M keys with each
// ring's defaults, the load standard deviation and the largest load as
// fractions of the mean (lower is better). The time is the cost of the
// million lookups.
func BenchmarkHashring_Balance(b *testing.B) {
	const n, nk = 100, 1_000_000
	ks := keys(nk)
	for _, r := range rings(b, n) {
		b.Run(fmt.Sprintf("nodes=%d/impl=%s", n, r.name), func(b *testing.B) {
			var sd, mx float64
			for b.Loop() {
				loads := map[string]int{}
				for _, k := range ks {
					loads[r.get(k)]++
				}
				mean := float64(nk) / n
				v, top := 0.0, 0
				for _, id := range ids(n) {
					l := loads[id]
					v += (float64(l) - mean) * (float64(l) - mean)
					top = max(top, l)
				}
				sd, mx = math.Sqrt(v/n)/mean, float64(top)/mean
			}
			b.ReportMetric(100*sd, "sd%")
			b.ReportMetric(mx, "max/mean")
		})
	}
}

// BenchmarkHashring_Move reports the keys moved when a 101st node joins, as
// a multiple of the ideal 1/101 share (1.0 is ideal), for 200,000 keys.
func BenchmarkHashring_Move(b *testing.B) {
	const n, nk = 100, 200_000
	ks := keys(nk)
	for _, impl := range []struct {
		name  string
		build func(n int) func(string) string
	}{
		{"sysdesign", func(n int) func(string) string {
			r, _ := hashring.New(hashring.Options{}, nodes(n)...)
			return func(k string) string { s, _ := r.Get(k); return s }
		}},
		{"stathat", func(n int) func(string) string {
			c := consistent.New()
			c.Set(ids(n))
			return func(k string) string { s, _ := c.Get(k); return s }
		}},
		{"serialx", func(n int) func(string) string {
			r := serialx.New(ids(n))
			return func(k string) string { s, _ := r.GetNode(k); return s }
		}},
	} {
		b.Run(fmt.Sprintf("nodes=%d/impl=%s", n, impl.name), func(b *testing.B) {
			var ratio float64
			for b.Loop() {
				before, after := impl.build(n), impl.build(n+1)
				moved := 0
				for _, k := range ks {
					if before(k) != after(k) {
						moved++
					}
				}
				ratio = float64(moved) / (float64(nk) / (n + 1))
			}
			b.ReportMetric(ratio, "moved/ideal")
		})
	}
}

// TestJumpMatchesDgryski checks our JumpHash against an independent
// implementation of the same algorithm.
func TestJumpMatchesDgryski(t *testing.T) {
	k := uint64(1)
	for i := range 100_000 {
		n := 1 + i%5000
		if got, want := hashring.JumpHash(k, n), int(jump.Hash(k, n)); got != want {
			t.Fatalf("JumpHash(%d, %d) = %d; dgryski says %d", k, n, got, want)
		}
		k = k*6364136223846793005 + 1442695040888963407
	}
}
