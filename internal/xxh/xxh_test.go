package xxh

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/cespare/xxhash/v2"
)

// TestMatchesXXHash checks every path against the reference xxhash64 for
// every length up to 80 bytes.
func TestMatchesXXHash(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	buf := make([]byte, 80)
	for range 200 {
		for i := range buf {
			buf[i] = byte(rng.Uint32())
		}
		for n := range len(buf) + 1 {
			want := xxhash.Sum64(buf[:n])
			if got := Sum64(buf[:n]); got != want {
				t.Fatalf("Sum64(%x) = %#x; want %#x", buf[:n], got, want)
			}
			if got := Sum64String(string(buf[:n])); got != want {
				t.Fatalf("Sum64String(%x) = %#x; want %#x", buf[:n], got, want)
			}
		}
	}
}

// TestKnownValues pins values from the XXH64 reference (xxhsum -H64), so
// a change in the xxhash dependency cannot move both sides at once.
func TestKnownValues(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want uint64
	}{
		{"", 0xef46db3751d8e999},
		{"a", 0xd24ec4f1a98c6e5b},
		{"abc", 0x44bc2cf5ad770999},
	} {
		if got := Sum64String(tt.in); got != tt.want {
			t.Errorf("Sum64String(%q) = %#x; want %#x", tt.in, got, tt.want)
		}
	}
}

func FuzzSum64(f *testing.F) {
	f.Add([]byte("hello"))
	f.Add([]byte(""))
	f.Add([]byte("12345678"))
	f.Fuzz(func(t *testing.T, b []byte) {
		want := xxhash.Sum64(b)
		if Sum64(b) != want || Sum64String(string(b)) != want {
			t.Fatalf("Sum64(%x) differs from xxhash", b)
		}
	})
}

func BenchmarkSum64String(b *testing.B) {
	for _, key := range []string{"abc", "abcdefg", "12345678", "key-12345", "node-0042#1023", "0123456789abcdef", "0123456789abcdef0123456789abcde", "0123456789abcdef0123456789abcdef0123456789"} {
		b.Run(fmt.Sprintf("len=%d/impl=xxh", len(key)), func(b *testing.B) {
			for b.Loop() {
				Sum64String(key)
			}
		})
		b.Run(fmt.Sprintf("len=%d/impl=xxhash", len(key)), func(b *testing.B) {
			for b.Loop() {
				xxhash.Sum64String(key)
			}
		})
	}
}
