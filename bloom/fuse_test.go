package bloom

import "testing"

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
