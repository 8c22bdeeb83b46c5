package bloom

import (
	"math/rand/v2"
	"testing"

	"github.com/cespare/xxhash/v2"
)

// TestHashMatchesXXHash pins Hash and HashString to xxhash64 with seed 0
// for every length up to 80 bytes: encoded filters depend on the values.
func TestHashMatchesXXHash(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	buf := make([]byte, 80)
	for range 200 {
		for i := range buf {
			buf[i] = byte(rng.Uint32())
		}
		for n := range len(buf) + 1 {
			want := xxhash.Sum64(buf[:n])
			if got := Hash(buf[:n]); got != want {
				t.Fatalf("Hash(%x) = %#x; want %#x", buf[:n], got, want)
			}
			if got := HashString(string(buf[:n])); got != want {
				t.Fatalf("HashString(%x) = %#x; want %#x", buf[:n], got, want)
			}
		}
	}
}
