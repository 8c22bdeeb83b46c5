package bloom

import (
	"math/rand/v2"
	"testing"

	"github.com/cespare/xxhash/v2"
)

// TestHashMatchesXXHash checks Hash and HashString against the reference
// xxhash64 for every length up to 80 bytes.
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

func FuzzHash(f *testing.F) {
	f.Add([]byte("hello"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		if Hash(b) != xxhash.Sum64(b) || HashString(string(b)) != xxhash.Sum64(b) {
			t.Fatalf("Hash(%x) differs from xxhash", b)
		}
	})
}

func BenchmarkHash(b *testing.B) {
	key := []byte("12345678")
	b.Run("impl=bloom", func(b *testing.B) {
		for b.Loop() {
			Hash(key)
		}
	})
	b.Run("impl=xxhash", func(b *testing.B) {
		for b.Loop() {
			xxhash.Sum64(key)
		}
	})
}
