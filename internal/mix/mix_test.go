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

// The first outputs of the reference splitmix64 generator seeded with 0
// (state advanced by 0x9e3779b97f4a7c15 before each output): a change here
// would change every merkle summary, which peers compare.
func TestSplitMix64(t *testing.T) {
	state := uint64(0)
	for i, want := range []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f} {
		state += 0x9e3779b97f4a7c15
		if got := SplitMix64(state); got != want {
			t.Errorf("output %d = %#x; want %#x", i, got, want)
		}
	}
}
