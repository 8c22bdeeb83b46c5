package bloom

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestOptimal(t *testing.T) {
	for _, tc := range []struct {
		n   uint64
		fpr float64
		m   uint64
		k   uint32
	}{
		// m = ceil(-n ln p / ln^2 2), k = round(m/n ln 2), computed by hand.
		{1000, 0.01, 9586, 7},
		{1_000_000, 0.01, 9585059, 7},
		{1_000_000, 0.001, 14377588, 10},
		{100, 0.5, 145, 1},
	} {
		m, k := Optimal(tc.n, tc.fpr)
		if m != tc.m || k != tc.k {
			t.Errorf("Optimal(%d, %v) = %d, %d; want %d, %d", tc.n, tc.fpr, m, k, tc.m, tc.k)
		}
	}
}

func TestNewErrors(t *testing.T) {
	for _, fpr := range []float64{0, 1, -0.1, 2, math.NaN()} {
		if _, err := New(10, fpr); !errors.Is(err, ErrConfig) {
			t.Errorf("New(10, %v) error = %v; want ErrConfig", fpr, err)
		}
		if _, err := NewBlocked(10, fpr); !errors.Is(err, ErrConfig) {
			t.Errorf("NewBlocked(10, %v) error = %v; want ErrConfig", fpr, err)
		}
	}
	if _, err := NewSized(0, 3); !errors.Is(err, ErrConfig) {
		t.Errorf("NewSized(0, 3) error = %v", err)
	}
	if _, err := NewSized(64, 0); !errors.Is(err, ErrConfig) {
		t.Errorf("NewSized(64, 0) error = %v", err)
	}
	if _, err := NewBlockedSized(1, 33); !errors.Is(err, ErrConfig) {
		t.Errorf("NewBlockedSized(1, 33) error = %v", err)
	}
}

// bloomLike is what the FPR and property tests need from Filter and Blocked.
type bloomLike interface {
	Add([]byte)
	Contains([]byte) bool
	AddString(string)
	ContainsString(string) bool
	ApproxCount() uint64
}

func TestFPR(t *testing.T) {
	const n = 1_000_000
	probes := absentProbes()
	for _, tc := range []struct {
		name   string
		target float64
		tol    float64 // allowed relative deviation above/below the target
		make   func(n uint64, p float64) (bloomLike, error)
	}{
		{"classic", 0.01, 0.15, func(n uint64, p float64) (bloomLike, error) { return New(n, p) }},
		{"classic", 0.001, 0.15, func(n uint64, p float64) (bloomLike, error) { return New(n, p) }},
		{"blocked", 0.01, 0.15, func(n uint64, p float64) (bloomLike, error) { return NewBlocked(n, p) }},
		{"blocked", 0.001, 0.20, func(n uint64, p float64) (bloomLike, error) { return NewBlocked(n, p) }},
	} {
		f, err := tc.make(n, tc.target)
		if err != nil {
			t.Fatal(err)
		}
		for i := range uint64(n) {
			f.Add(key('p', i))
		}
		for i := uint64(0); i < n; i += 97 {
			if !f.Contains(key('p', i)) {
				t.Fatalf("%s: false negative for key %d", tc.name, i)
			}
		}
		got := measureFPR(f.Contains, probes)
		// Under -race fewer probes: allow the binomial noise too.
		slack := tc.tol + 4*math.Sqrt(tc.target*float64(probes))/(tc.target*float64(probes))
		t.Logf("%s target %v: measured FPR %.5f over %d absent keys (%.3fx target)", tc.name, tc.target, got, probes, got/tc.target)
		if math.Abs(got-tc.target) > slack*tc.target {
			t.Errorf("%s: FPR %.5f, want within %.0f%% of %v", tc.name, got, slack*100, tc.target)
		}
		est := f.ApproxCount()
		if math.Abs(float64(est)-n)/n > 0.05 {
			t.Errorf("%s: ApproxCount %d, want within 5%% of %d", tc.name, est, n)
		}
	}
}

func TestNoFalseNegatives(t *testing.T) {
	c, _ := New(500, 0.05)
	b, _ := NewBlocked(500, 0.05)
	for _, f := range []bloomLike{c, b} {
		for i := range uint64(2000) { // 4x over capacity
			f.Add(key('p', i))
			f.AddString(string(key('s', i)))
		}
		for i := range uint64(2000) {
			if !f.Contains(key('p', i)) || !f.ContainsString(string(key('s', i))) || !f.Contains(key('s', i)) {
				t.Fatalf("%T: false negative at %d", f, i)
			}
		}
	}
}

func TestHashMethodsAgree(t *testing.T) {
	f, _ := New(100, 0.01)
	f.AddHash(Hash([]byte("alpha")))
	if !f.Contains([]byte("alpha")) || !f.ContainsString("alpha") {
		t.Fatal("AddHash then Contains: got false")
	}
	if Hash([]byte("x")) != HashString("x") {
		t.Fatal("Hash and HashString disagree")
	}
}

func TestUnionIntersect(t *testing.T) {
	a, _ := New(1000, 0.01)
	b, _ := New(1000, 0.01)
	for i := range uint64(500) {
		a.Add(key('a', i))
		b.Add(key('b', i))
		a.Add(key('c', i))
		b.Add(key('c', i))
	}
	u := a.Clone()
	if err := u.Union(b); err != nil {
		t.Fatal(err)
	}
	in := a.Clone()
	if err := in.Intersect(b); err != nil {
		t.Fatal(err)
	}
	for i := range uint64(500) {
		if !u.Contains(key('a', i)) || !u.Contains(key('b', i)) {
			t.Fatalf("union lost key %d", i)
		}
		if !in.Contains(key('c', i)) {
			t.Fatalf("intersection lost common key %d", i)
		}
	}
	onlyA := 0
	for i := range uint64(500) {
		if in.Contains(key('a', i)) {
			onlyA++
		}
	}
	if onlyA > 100 {
		t.Errorf("intersection still holds %d of 500 keys only in a", onlyA)
	}
	if est := u.ApproxCount(); est < 1350 || est > 1650 {
		t.Errorf("union ApproxCount = %d; want about 1500", est)
	}
	other, _ := New(2000, 0.01)
	if err := a.Union(other); !errors.Is(err, ErrIncompatible) {
		t.Errorf("Union of different sizes: %v; want ErrIncompatible", err)
	}
	if err := a.Intersect(other); !errors.Is(err, ErrIncompatible) {
		t.Errorf("Intersect of different sizes: %v; want ErrIncompatible", err)
	}

	ba, _ := NewBlocked(1000, 0.01)
	bb, _ := NewBlocked(1000, 0.01)
	ba.Add([]byte("x"))
	bb.Add([]byte("y"))
	bu := ba.Clone()
	if err := bu.Union(bb); err != nil || !bu.Contains([]byte("x")) || !bu.Contains([]byte("y")) {
		t.Fatalf("blocked union: err %v", err)
	}
	if err := ba.Intersect(bb); err != nil || ba.Contains([]byte("x")) && ba.Contains([]byte("y")) && ba.FillRatio() > 0.01 {
		t.Fatalf("blocked intersect: err %v fill %v", err, ba.FillRatio())
	}
	bc, _ := NewBlocked(5000, 0.01)
	if err := bb.Union(bc); !errors.Is(err, ErrIncompatible) {
		t.Errorf("blocked Union of different sizes: %v", err)
	}
}

func TestResetAndEstimatedFPR(t *testing.T) {
	f, _ := New(1000, 0.01)
	if f.EstimatedFPR() != 0 {
		t.Fatalf("empty EstimatedFPR = %v", f.EstimatedFPR())
	}
	for i := range uint64(1000) {
		f.Add(key('p', i))
	}
	if e := f.EstimatedFPR(); e < 0.005 || e > 0.02 {
		t.Errorf("EstimatedFPR at capacity = %v; want about 0.01", e)
	}
	f.Reset()
	if f.FillRatio() != 0 || f.Contains(key('p', 1)) {
		t.Error("Reset left bits set")
	}
}

func TestLookupsDoNotAllocate(t *testing.T) {
	f, _ := New(1000, 0.01)
	b, _ := NewBlocked(1000, 0.01)
	k := []byte("key")
	if a := testing.AllocsPerRun(100, func() { f.Add(k); f.Contains(k); f.ContainsString("key") }); a != 0 {
		t.Errorf("Filter allocs = %v; want 0", a)
	}
	if a := testing.AllocsPerRun(100, func() { b.Add(k); b.Contains(k); b.ContainsString("key") }); a != 0 {
		t.Errorf("Blocked allocs = %v; want 0", a)
	}
}

// TestBlockedOverhead pins the space overhead the package documentation
// states for the blocked filter.
func TestBlockedOverhead(t *testing.T) {
	for _, tc := range []struct {
		fpr      float64
		min, max float64 // bits per key
	}{
		{0.1, 5.8, 6.0},
		{0.01, 10.0, 10.2},
		{0.001, 15.6, 15.8},
		{0.0001, 22.7, 22.9},
	} {
		b, err := NewBlocked(1_000_000, tc.fpr)
		if err != nil {
			t.Fatal(err)
		}
		bpk := float64(b.M()) / 1e6
		m, _ := Optimal(1_000_000, tc.fpr)
		t.Logf("fpr %v: blocked %.2f bits/key, classic %.2f (+%.1f%%)", tc.fpr, bpk, float64(m)/1e6, (bpk*1e6/float64(m)-1)*100)
		if bpk < tc.min || bpk > tc.max {
			t.Errorf("fpr %v: %.2f bits per key; want in [%v, %v]", tc.fpr, bpk, tc.min, tc.max)
		}
	}
}

// TestFPRBig repeats the FPR measurement at 10M keys when
// SYSDESIGN_BLOOM_BIG=1 (about a minute and 200 MB).
func TestFPRBig(t *testing.T) {
	if !bigRun() {
		t.Skip("set SYSDESIGN_BLOOM_BIG=1 for the 10M-key run")
	}
	const n = 10_000_000
	c, _ := New(n, 0.01)
	b, _ := NewBlocked(n, 0.01)
	for i := range uint64(n) {
		c.Add(key('p', i))
		b.Add(key('p', i))
	}
	for name, f := range map[string]bloomLike{"classic": c, "blocked": b} {
		got := measureFPR(f.Contains, 1_000_000)
		t.Logf("%s: FPR %.5f at 10M keys", name, got)
		if got < 0.0085 || got > 0.0115 {
			t.Errorf("%s: FPR %.5f; want within 15%% of 0.01", name, got)
		}
	}
}

// TestContainsHashMatchesModel checks the two-stage lookup against the
// plain definition (all k double-hashed bits set) for every k from 1 to 9.
func TestContainsHashMatchesModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for k := uint32(1); k <= 9; k++ {
		f, err := NewSized(5000, k)
		if err != nil {
			t.Fatal(err)
		}
		for range 400 {
			f.AddHash(rng.Uint64())
		}
		model := func(h uint64) bool {
			d := delta(h)
			for range k {
				i := reduce(h, f.m)
				if f.words[i>>6]&(1<<(i&63)) == 0 {
					return false
				}
				h += d
			}
			return true
		}
		pos := 0
		for range 20000 {
			h := rng.Uint64()
			got := f.ContainsHash(h)
			if got != model(h) {
				t.Fatalf("k=%d: ContainsHash(%#x) = %v; model says %v", k, h, got, !got)
			}
			if got {
				pos++
			}
		}
		if pos == 0 || pos == 20000 {
			t.Errorf("k=%d: %d of 20000 random hashes positive; want some of each", k, pos)
		}
	}
}
