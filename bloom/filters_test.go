package bloom

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/raceflag"
)

func TestCountingAgainstModel(t *testing.T) {
	c, err := NewCounting(2000, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	model := map[uint64]int{}
	rng := rand.New(rand.NewPCG(1, 2))
	for op := range 20000 {
		i := rng.Uint64N(3000)
		switch {
		case rng.IntN(3) > 0 || model[i] == 0:
			if len(model) >= 2000 && model[i] == 0 {
				continue
			}
			c.Add(key('p', i))
			model[i]++
		default:
			if !c.Remove(key('p', i)) {
				t.Fatalf("Remove(%d) = false for a present key", i)
			}
			if model[i]--; model[i] == 0 {
				delete(model, i)
			}
		}
		if op%500 != 0 {
			continue
		}
		// every present key is still found: no false negatives after removals
		for j, n := range model {
			if n > 0 && !c.Contains(key('p', j)) {
				t.Fatalf("false negative for %d after removals", j)
			}
		}
	}
	fp := 0
	for i := range uint64(20000) {
		if c.Contains(key('a', i)) {
			fp++
		}
	}
	if rate := float64(fp) / 20000; rate > 0.02 {
		t.Errorf("counting FPR %.4f; want about 0.01", rate)
	}
	total := 0
	for _, n := range model {
		total += n
	}
	if est := c.ApproxCount(); math.Abs(float64(est)-float64(total)) > 0.05*float64(total) {
		t.Errorf("ApproxCount = %d; want about %d", est, total)
	}
}

func TestCountingRemoveAbsentAndSaturation(t *testing.T) {
	c, _ := NewCounting(100, 0.01)
	if c.Remove([]byte("never")) {
		t.Fatal("Remove of absent key = true")
	}
	for range 40 { // saturate the counters
		c.AddString("hot")
	}
	c.AddString("cold")
	for range 40 {
		c.RemoveString("hot")
	}
	if !c.ContainsString("hot") {
		t.Error("saturated counters were decremented to zero")
	}
	if !c.ContainsString("cold") {
		t.Error("false negative after removals")
	}
	d, _ := NewCounting(100, 0.01)
	d.AddString("other")
	if err := c.Union(d); err != nil || !c.ContainsString("other") {
		t.Fatalf("Union: %v", err)
	}
	if err := c.Intersect(d); err != nil || c.ContainsString("cold") && c.ContainsString("hot") && !c.ContainsString("other") {
		t.Fatalf("Intersect: %v", err)
	}
	if !c.ContainsString("other") {
		t.Error("Intersect lost a common key")
	}
	e, _ := NewCounting(1000, 0.01)
	if err := c.Union(e); !errors.Is(err, ErrIncompatible) {
		t.Errorf("Union mismatch = %v", err)
	}
}

func TestScalable(t *testing.T) {
	n := uint64(1_000_000)
	if raceflag.Enabled {
		n = 200_000
	}
	s, err := NewScalable(0.01, ScalableOptions{InitialCapacity: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		s.Add(key('p', i))
	}
	if s.Add(key('p', 7)) {
		t.Error("Add of a present key = true")
	}
	for i := uint64(0); i < n; i += 13 {
		if !s.Contains(key('p', i)) {
			t.Fatalf("false negative %d", i)
		}
	}
	probes := absentProbes()
	got := measureFPR(s.Contains, probes)
	t.Logf("scalable: %d keys in %d stages, FPR %.5f (bound %.5f, target 0.01)", n, s.Stages(), got, s.FPRBound())
	if got > 0.01 {
		t.Errorf("compound FPR %.5f above target 0.01", got)
	}
	if s.FPRBound() >= 0.01 {
		t.Errorf("FPRBound %v not below target", s.FPRBound())
	}
	if s.Stages() < 5 {
		t.Errorf("%d stages; want growth from capacity 1000", s.Stages())
	}
	if c := s.ApproxCount(); c > n || c < n-n/50 {
		t.Errorf("ApproxCount %d; want about %d", c, n)
	}
	for _, o := range []ScalableOptions{{Growth: 0.5}, {Tightening: 1}, {Tightening: -1}, {Growth: math.NaN()}} {
		if _, err := NewScalable(0.01, o); !errors.Is(err, ErrConfig) {
			t.Errorf("NewScalable(%+v) = %v; want ErrConfig", o, err)
		}
	}
}

func TestFuse(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 10, 100, 1000, 100_000} {
		keys := make([][]byte, n)
		for i := range keys {
			keys[i] = key('p', uint64(i))
		}
		f, err := BuildFuse(keys)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		for _, k := range keys {
			if !f.Contains(k) {
				t.Fatalf("n=%d: false negative", n)
			}
		}
		if f.Len() != uint64(n) {
			t.Errorf("n=%d: Len = %d", n, f.Len())
		}
	}
}

func TestFuseDuplicates(t *testing.T) {
	var hs []uint64
	for i := range uint64(5000) {
		hs = append(hs, Hash(key('p', i)), Hash(key('p', i%100)))
	}
	orig := append([]uint64(nil), hs...)
	f, err := BuildFuseHashes(hs)
	if err != nil {
		t.Fatal(err)
	}
	if f.Len() != 5000 {
		t.Errorf("Len = %d; want 5000 distinct", f.Len())
	}
	for _, h := range orig {
		if !f.ContainsHash(h) {
			t.Fatal("false negative with duplicates")
		}
	}
	for i := range hs {
		if hs[i] != orig[i] {
			t.Fatal("BuildFuseHashes modified its input")
		}
	}
}

func TestFuseFPRAndSpace(t *testing.T) {
	n := 1_000_000
	if raceflag.Enabled {
		n = 100_000
	}
	hs := make([]uint64, n)
	for i := range hs {
		hs[i] = Hash(key('p', uint64(i)))
	}
	f, err := BuildFuseHashes(hs)
	if err != nil {
		t.Fatal(err)
	}
	got := measureFPR(f.Contains, absentProbes())
	t.Logf("fuse: %d keys, FPR %.5f, %.2f bits per key", n, got, f.BitsPerKey())
	if math.Abs(got-1.0/256) > 0.15/256 {
		t.Errorf("fuse FPR %.5f; want within 15%% of 1/256", got)
	}
	maxBPK := 9.1
	if raceflag.Enabled {
		maxBPK = 9.6 // smaller sets get a larger size factor
	}
	if f.BitsPerKey() > maxBPK {
		t.Errorf("fuse uses %.2f bits per key; want at most %v", f.BitsPerKey(), maxBPK)
	}
}

// codec is every filter's encoding surface.
type codec interface {
	AppendBinary([]byte) ([]byte, error)
	MarshalBinary() ([]byte, error)
	UnmarshalBinary([]byte) error
}

// sampleFilters returns one populated filter of each kind and a fresh zero
// value of the same type to decode into.
func sampleFilters() []struct{ full, empty codec } {
	c, _ := New(200, 0.01)
	b, _ := NewBlocked(200, 0.01)
	n, _ := NewCounting(200, 0.01)
	s, _ := NewScalable(0.01, ScalableOptions{InitialCapacity: 50})
	k, _ := NewCuckoo(200)
	k8, _ := NewCuckooWith(200, CuckooOptions{FingerprintBits: 8})
	var keys [][]byte
	for i := range uint64(150) {
		kk := key('p', i)
		keys = append(keys, kk)
		c.Add(kk)
		b.Add(kk)
		n.Add(kk)
		s.Add(kk)
		_ = k.Add(kk)
		_ = k8.Add(kk)
	}
	f, _ := BuildFuse(keys)
	return []struct{ full, empty codec }{
		{c, new(Filter)}, {b, new(Blocked)}, {n, new(Counting)}, {s, new(Scalable)}, {k, new(Cuckoo)}, {k8, new(Cuckoo)}, {f, new(Fuse)},
	}
}

func TestRoundTripAllKinds(t *testing.T) {
	type member interface{ Contains([]byte) bool }
	for _, tc := range sampleFilters() {
		data, err := tc.full.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if err := tc.empty.UnmarshalBinary(data); err != nil {
			t.Fatalf("%T: %v", tc.full, err)
		}
		for i := range uint64(150) {
			if !tc.empty.(member).Contains(key('p', i)) {
				t.Fatalf("%T: decoded filter lost key %d", tc.full, i)
			}
		}
		for i := range uint64(2000) {
			if tc.empty.(member).Contains(key('a', i)) != tc.full.(member).Contains(key('a', i)) {
				t.Fatalf("%T: decoded filter disagrees", tc.full)
			}
		}
		again, _ := tc.empty.AppendBinary([]byte{1, 2, 3})
		if string(again[3:]) != string(data) {
			t.Fatalf("%T: re-encoding differs", tc.full)
		}
		// Every truncation and every single-bit flip is rejected.
		for cut := range len(data) {
			if err := tc.empty.UnmarshalBinary(data[:cut]); err == nil {
				t.Fatalf("%T: truncation to %d accepted", tc.full, cut)
			}
		}
		for i := 0; i < len(data); i += 1 + len(data)/200 {
			bad := append([]byte(nil), data...)
			bad[i] ^= 0x10
			if err := tc.empty.UnmarshalBinary(bad); err == nil {
				t.Fatalf("%T: bit flip at %d accepted", tc.full, i)
			}
		}
	}
}
