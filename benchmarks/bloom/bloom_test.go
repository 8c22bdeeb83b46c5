// Package bloombench compares sysdesign/bloom with bits-and-blooms/bloom/v3,
// FastFilter/xorfilter (BinaryFuse8) and seiflotfy/cuckoofilter on the same
// keys (8-byte keys, or their uint64 values where the peer takes those):
// add and lookup time, and bits per key, at 1M keys (10M and 100M with
// SYSDESIGN_BENCH_BIG=1; 100M needs several GB of memory).
//
// Lookups alternate present and absent keys, so early-exit filters are not
// measured on present keys only.
package bloombench

import (
	"encoding/binary"
	"fmt"
	"os"
	"testing"

	xorfilter "github.com/FastFilter/xorfilter"
	bnb "github.com/bits-and-blooms/bloom/v3"
	cuckoo "github.com/seiflotfy/cuckoofilter"
	"github.com/sysdesign-go/sysdesign/bloom"
	"github.com/sysdesign-go/sysdesign/internal/cputime"
)

func sizes() []int {
	if os.Getenv("SYSDESIGN_BENCH_BIG") == "1" {
		return []int{1_000_000, 10_000_000, 100_000_000}
	}
	return []int{1_000_000}
}

// keySet holds n present keys followed by n absent ones, as 8-byte
// little-endian values in one buffer, and as uint64s.
type keySet struct {
	n    int
	buf  []byte
	vals []uint64
}

func makeKeys(n int) *keySet {
	ks := &keySet{n: n, buf: make([]byte, 16*n), vals: make([]uint64, 2*n)}
	for i := range 2 * n {
		v := uint64(i)*0x9e3779b97f4a7c15 + 1
		ks.vals[i] = v
		binary.LittleEndian.PutUint64(ks.buf[8*i:], v)
	}
	return ks
}

// key returns present key i (i < n) or absent key i-n.
func (ks *keySet) key(i int) []byte { return ks.buf[8*i : 8*i+8 : 8*i+8] }

type filterImpl struct {
	name     string
	add      func(k []byte)
	contains func(k []byte) bool
	bits     func() float64 // total bits
}

// bloomImpls returns the classic Bloom filters sized for n keys at 1%.
func bloomImpls(n int) []filterImpl {
	ours, _ := bloom.New(uint64(n), 0.01)
	peer := bnb.NewWithEstimates(uint(n), 0.01)
	return []filterImpl{
		{"sysdesign", ours.Add, ours.Contains, func() float64 { return float64(ours.M()) }},
		{"bitsandblooms", func(k []byte) { peer.Add(k) }, peer.Test, func() float64 { return float64(peer.Cap()) }},
	}
}

// blockedImpls pits our blocked filter against the same classic peer.
func blockedImpls(n int) []filterImpl {
	ours, _ := bloom.NewBlocked(uint64(n), 0.01)
	peer := bnb.NewWithEstimates(uint(n), 0.01)
	return []filterImpl{
		{"sysdesign", ours.Add, ours.Contains, func() float64 { return float64(ours.M()) }},
		{"bitsandblooms", func(k []byte) { peer.Add(k) }, peer.Test, func() float64 { return float64(peer.Cap()) }},
	}
}

// cuckooImpls8 compares at equal space: 8-bit fingerprints in 4-slot
// buckets, as seiflotfy/cuckoofilter uses.
func cuckooImpls8(n int) []filterImpl {
	ours, _ := bloom.NewCuckooWith(uint64(n), bloom.CuckooOptions{FingerprintBits: 8})
	peer := cuckoo.NewFilter(uint(n))
	return []filterImpl{
		{"sysdesign", func(k []byte) { _ = ours.Add(k) }, ours.Contains, func() float64 { return float64(ours.SizeBits()) }},
		{"seiflotfy", func(k []byte) { peer.Insert(k) }, peer.Lookup, func() float64 { return float64(len(peer.Encode()) * 8) }},
	}
}

// cuckooImpls16 is our default 16-bit filter; the peer has no 16-bit
// variant, so it appears at 8 bits for reference.
func cuckooImpls16(n int) []filterImpl {
	ours, _ := bloom.NewCuckoo(uint64(n))
	return []filterImpl{
		{"sysdesign", func(k []byte) { _ = ours.Add(k) }, ours.Contains, func() float64 { return float64(ours.SizeBits()) }},
	}
}

// pick builds the filters for n keys and returns the one named name.
func pick(impls func(n int) []filterImpl, n int, name string) filterImpl {
	for _, x := range impls(n) {
		if x.name == name {
			return x
		}
	}
	panic("no implementation " + name)
}

func benchAdd(b *testing.B, impls func(n int) []filterImpl) {
	for _, n := range sizes() {
		ks := makeKeys(n)
		for _, impl := range impls(n) {
			b.Run(fmt.Sprintf("n=%d/impl=%s", n, impl.name), func(b *testing.B) {
				f := pick(impls, n, impl.name)
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if i == n { // start a fresh filter rather than overfill
						b.StopTimer()
						f, i = pick(impls, n, impl.name), 0
						b.StartTimer()
					}
					f.add(ks.key(i))
					i++
				}
				b.ReportMetric(f.bits()/float64(n), "bits/key")
			})
		}
	}
}

func benchContains(b *testing.B, impls func(n int) []filterImpl) {
	for _, n := range sizes() {
		ks := makeKeys(n)
		for _, impl := range impls(n) {
			for i := range n {
				impl.add(ks.key(i))
			}
			fp := 0
			for i := n; i < 2*n; i++ {
				if impl.contains(ks.key(i)) {
					fp++
				}
			}
			b.Run(fmt.Sprintf("n=%d/impl=%s", n, impl.name), func(b *testing.B) {
				b.ReportAllocs()
				done := cputime.Start(b)
				i := 0
				for b.Loop() {
					// interleave present (even) and absent (odd) keys
					j := i>>1 + (i&1)*n
					impl.contains(ks.key(j))
					if i++; i == 2*n {
						i = 0
					}
				}
				done()
				b.ReportMetric(impl.bits()/float64(n), "bits/key")
				b.ReportMetric(100*float64(fp)/float64(n), "fpr%")
			})
		}
	}
}

// BenchmarkBloom_Add is inserting into a classic Bloom filter at 1% FPR.
func BenchmarkBloom_Add(b *testing.B) { benchAdd(b, bloomImpls) }

// BenchmarkBloom_Contains is a classic Bloom filter lookup at 1% FPR.
func BenchmarkBloom_Contains(b *testing.B) { benchContains(b, bloomImpls) }

// BenchmarkBloom_BlockedAdd is our blocked filter against the classic peer.
func BenchmarkBloom_BlockedAdd(b *testing.B) { benchAdd(b, blockedImpls) }

// BenchmarkBloom_BlockedContains is our blocked filter against the classic
// peer.
func BenchmarkBloom_BlockedContains(b *testing.B) { benchContains(b, blockedImpls) }

// BenchmarkBloom_CuckooAdd is cuckoo filter insertion with 8-bit
// fingerprints (equal space with the peer) and with our default 16 bits.
func BenchmarkBloom_CuckooAdd(b *testing.B) {
	b.Run("fp=8", func(b *testing.B) { benchAdd(b, cuckooImpls8) })
	b.Run("fp=16", func(b *testing.B) { benchAdd(b, cuckooImpls16) })
}

// BenchmarkBloom_CuckooContains is a cuckoo filter lookup, at 8 and 16 bit
// fingerprints.
func BenchmarkBloom_CuckooContains(b *testing.B) {
	b.Run("fp=8", func(b *testing.B) { benchContains(b, cuckooImpls8) })
	b.Run("fp=16", func(b *testing.B) { benchContains(b, cuckooImpls16) })
}

// BenchmarkBloom_FuseBuild builds an 8-bit binary fuse filter from n
// uint64 keys; ns/key is the time per key.
func BenchmarkBloom_FuseBuild(b *testing.B) {
	for _, n := range sizes() {
		ks := makeKeys(n)
		present := ks.vals[:n]
		for _, impl := range []struct {
			name  string
			build func() float64 // returns bits per key
		}{
			{"sysdesign", func() float64 {
				f, err := bloom.BuildFuseHashes(present)
				if err != nil {
					b.Fatal(err)
				}
				return f.BitsPerKey()
			}},
			{"xorfilter", func() float64 {
				f, err := xorfilter.NewBinaryFuse[uint8](present)
				if err != nil {
					b.Fatal(err)
				}
				return float64(8*len(f.Fingerprints)) / float64(n)
			}},
		} {
			b.Run(fmt.Sprintf("n=%d/impl=%s", n, impl.name), func(b *testing.B) {
				b.ReportAllocs()
				done := cputime.Start(b)
				var bpk float64
				for b.Loop() {
					bpk = impl.build()
				}
				done()
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/key")
				b.ReportMetric(bpk, "bits/key")
			})
		}
	}
}

// BenchmarkBloom_FuseContains is a binary fuse filter lookup of a uint64
// key (our ContainsHash takes the key as its hash, as xorfilter does).
func BenchmarkBloom_FuseContains(b *testing.B) {
	for _, n := range sizes() {
		ks := makeKeys(n)
		ours, err := bloom.BuildFuseHashes(ks.vals[:n])
		if err != nil {
			b.Fatal(err)
		}
		peer, err := xorfilter.NewBinaryFuse[uint8](append([]uint64(nil), ks.vals[:n]...))
		if err != nil {
			b.Fatal(err)
		}
		for _, impl := range []struct {
			name     string
			contains func(uint64) bool
		}{
			{"sysdesign", ours.ContainsHash},
			{"xorfilter", peer.Contains},
		} {
			b.Run(fmt.Sprintf("n=%d/impl=%s", n, impl.name), func(b *testing.B) {
				b.ReportAllocs()
				done := cputime.Start(b)
				i := 0
				for b.Loop() {
					impl.contains(ks.vals[i>>1+(i&1)*n])
					if i++; i == 2*n {
						i = 0
					}
				}
				done()
			})
		}
	}
}

// BenchmarkBloom_ContainsHash is a lookup given the key's 64-bit hash, the
// form the binary fuse filter and xorfilter take (BenchmarkBloom_FuseContains),
// so the filters compare without the cost of hashing an 8-byte key and of
// the []byte call: our classic and blocked filters' ContainsHash, and the fuse
// filter for reference. The hashes are bloom.Hash of the same keys as the
// other benchmarks.
func BenchmarkBloom_ContainsHash(b *testing.B) {
	for _, n := range sizes() {
		ks := makeKeys(n)
		hs := make([]uint64, 2*n)
		for i := range hs {
			hs[i] = bloom.Hash(ks.key(i))
		}
		classic, _ := bloom.New(uint64(n), 0.01)
		blocked, _ := bloom.NewBlocked(uint64(n), 0.01)
		for _, h := range hs[:n] {
			classic.AddHash(h)
			blocked.AddHash(h)
		}
		fuse, err := bloom.BuildFuseHashes(hs[:n])
		if err != nil {
			b.Fatal(err)
		}
		for _, impl := range []struct {
			name     string
			contains func(uint64) bool
		}{
			{"sysdesign-classic", classic.ContainsHash},
			{"sysdesign-blocked", blocked.ContainsHash},
			{"sysdesign-fuse", fuse.ContainsHash},
		} {
			b.Run(fmt.Sprintf("n=%d/impl=%s", n, impl.name), func(b *testing.B) {
				b.ReportAllocs()
				done := cputime.Start(b)
				i := 0
				for b.Loop() {
					impl.contains(hs[i>>1+(i&1)*n])
					if i++; i == 2*n {
						i = 0
					}
				}
				done()
			})
		}
	}
}
