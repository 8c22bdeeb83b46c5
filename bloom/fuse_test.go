package bloom

import (
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/mix"
)

// TestFuseEverySmallSize builds filters of every size up to 400 and with
// hashes crowded into a narrow range, so segment-shape boundaries and
// peeling orders that rarely arise at large sizes are covered: every key
// must be found, and Len must count the distinct keys.
func TestFuseEverySmallSize(t *testing.T) {
	for n := range 401 {
		for _, spread := range []uint64{0x9e3779b97f4a7c15, 1} {
			hs := make([]uint64, n)
			for i := range hs {
				hs[i] = uint64(i+1) * spread
			}
			f, err := BuildFuseHashes(hs)
			if err != nil {
				t.Fatalf("n=%d spread=%#x: %v", n, spread, err)
			}
			for _, h := range hs {
				if !f.ContainsHash(h) {
					t.Fatalf("n=%d spread=%#x: false negative for %#x", n, spread, h)
				}
			}
			if f.Len() != uint64(n) {
				t.Fatalf("n=%d spread=%#x: Len = %d", n, spread, f.Len())
			}
		}
	}
}

// TestFuseManyDuplicates builds from one hash repeated up to 100,000 times
// beside distinct ones: 64 or more copies would wrap a slot's 6-bit key
// count, so the build must deduplicate instead of peeling garbage.
func TestFuseManyDuplicates(t *testing.T) {
	for _, copies := range []int{2, 63, 64, 65, 255, 256, 1000, 100_000} {
		for _, distinct := range []int{0, 1, 10, 1000} {
			var hs []uint64
			for range copies {
				hs = append(hs, 42)
			}
			for i := range distinct {
				hs = append(hs, mix.Murmur64(uint64(i)+7))
			}
			f, err := BuildFuseHashes(hs)
			if err != nil {
				t.Fatalf("copies=%d distinct=%d: %v", copies, distinct, err)
			}
			for _, h := range hs {
				if !f.ContainsHash(h) {
					t.Fatalf("copies=%d distinct=%d: false negative for %#x", copies, distinct, h)
				}
			}
			if f.Len() != uint64(distinct+1) {
				t.Fatalf("copies=%d distinct=%d: Len = %d; want %d", copies, distinct, f.Len(), distinct+1)
			}
		}
	}
}

// FuzzBuildFuse builds from arbitrary hash lists (each 2-byte chunk of the
// input picks one of a small alphabet of hashes, or a fresh one, so
// duplicates are common) and checks that every hash is found.
func FuzzBuildFuse(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 0, 1, 0, 1, 0})
	f.Add(make([]byte, 400))
	f.Fuzz(func(t *testing.T, data []byte) {
		var hs []uint64
		for i := 0; i+1 < len(data); i += 2 {
			v := uint64(data[i]) | uint64(data[i+1])<<8
			if data[i]&1 == 0 {
				v %= 7 // a handful of values: duplicates
			}
			hs = append(hs, v)
		}
		fl, err := BuildFuseHashes(hs)
		if err != nil {
			t.Fatalf("%d hashes: %v", len(hs), err)
		}
		for _, h := range hs {
			if !fl.ContainsHash(h) {
				t.Fatalf("%d hashes: false negative for %#x", len(hs), h)
			}
		}
	})
}
