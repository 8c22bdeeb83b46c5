package mix

import "testing"

// fmix64 of MurmurHash3, computed independently from its definition: a change
// here would move every bloom probe and hashring placement.
func TestMurmur64(t *testing.T) {
	for _, tt := range []struct{ in, want uint64 }{
		{0, 0},
		{1, 0xb456bcfc34c2cb2c},
		{0xffffffffffffffff, 0x64b5720b4b825f21},
	} {
		if got := Murmur64(tt.in); got != tt.want {
			t.Errorf("Murmur64(%#x) = %#x; want %#x", tt.in, got, tt.want)
		}
	}
}
