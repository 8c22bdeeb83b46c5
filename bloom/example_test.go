package bloom_test

import (
	"fmt"

	"github.com/sysdesign-go/sysdesign/bloom"
)

func Example() {
	seen, err := bloom.New(1000, 0.01)
	if err != nil {
		panic(err)
	}
	for _, url := range []string{"https://example.com/", "https://example.com/about"} {
		seen.AddString(url)
	}
	fmt.Println(seen.ContainsString("https://example.com/about"))
	fmt.Println(seen.ContainsString("https://example.com/contact"))
	fmt.Println(seen.M(), "bits,", seen.K(), "probes")
	// Output:
	// true
	// false
	// 9586 bits, 7 probes
}

// A filter stored inside a file (an SSTable, say) and queried in place.
func ExampleViewBlocked() {
	keys := []string{"apple", "banana", "cherry"}
	f, err := bloom.NewBlocked(uint64(len(keys)), 0.01)
	if err != nil {
		panic(err)
	}
	for _, k := range keys {
		f.AddString(k)
	}
	file := []byte("...table data...")
	start := len(file)
	file, _ = f.AppendBinary(file)

	v, err := bloom.ViewBlocked(file[start:]) // no copy
	if err != nil {
		panic(err)
	}
	fmt.Println(v.ContainsString("banana"), v.ContainsString("durian"))
	// Output: true false
}

func ExampleFilter_UnmarshalBinary() {
	f, _ := bloom.New(100, 0.01)
	f.AddString("alice")
	data, _ := f.MarshalBinary()

	var g bloom.Filter
	if err := g.UnmarshalBinary(data); err != nil {
		panic(err)
	}
	fmt.Println(g.ContainsString("alice"))

	data[20] ^= 1 // corrupt one bit
	fmt.Println(g.UnmarshalBinary(data) != nil)
	// Output:
	// true
	// true
}

func ExampleFilter_Union() {
	a, _ := bloom.New(1000, 0.01)
	b, _ := bloom.New(1000, 0.01)
	a.AddString("from-a")
	b.AddString("from-b")
	if err := a.Union(b); err != nil {
		panic(err)
	}
	fmt.Println(a.ContainsString("from-a"), a.ContainsString("from-b"), a.ApproxCount())
	// Output: true true 2
}

func ExampleCuckoo() {
	c, err := bloom.NewCuckoo(1000)
	if err != nil {
		panic(err)
	}
	if err := c.AddString("session-42"); err != nil {
		panic(err) // bloom.ErrFull when no room is left
	}
	fmt.Println(c.ContainsString("session-42"), c.Len())
	c.RemoveString("session-42")
	fmt.Println(c.ContainsString("session-42"), c.Len())
	// Output:
	// true 1
	// false 0
}

func ExampleNewCuckooWith() {
	// 8-bit fingerprints: half the space of the default, FPR about 3%.
	c, err := bloom.NewCuckooWith(1000, bloom.CuckooOptions{FingerprintBits: 8})
	if err != nil {
		panic(err)
	}
	other, _ := bloom.NewCuckooWith(1000, bloom.CuckooOptions{FingerprintBits: 8})
	_ = c.AddString("alice")
	_ = other.AddString("bob")
	if err := c.Union(other); err != nil {
		panic(err) // bloom.ErrFull if the union does not fit
	}
	fmt.Printf("%.1f bits per slot, %d keys, bob: %v\n",
		float64(c.SizeBits())/float64(c.Cap()), c.Len(), c.ContainsString("bob"))
	// Output: 8.0 bits per slot, 2 keys, bob: true
}

func ExampleBuildFuse() {
	words := [][]byte{[]byte("alpha"), []byte("beta"), []byte("gamma")}
	f, err := bloom.BuildFuse(words)
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Contains([]byte("beta")), f.Contains([]byte("delta")), f.Len())
	// Output: true false 3
}

func ExampleScalable() {
	s, err := bloom.NewScalable(0.01, bloom.ScalableOptions{InitialCapacity: 100})
	if err != nil {
		panic(err)
	}
	for i := range 1000 {
		s.AddString(fmt.Sprint("user-", i))
	}
	// Add skips keys that already test positive, so a few false positives
	// are not counted: 995 of the 1000 distinct keys.
	fmt.Println(s.Stages(), "stages,", s.ApproxCount(), "keys, bound below 1%:", s.FPRBound() < 0.01)
	fmt.Println(s.ContainsString("user-999"))
	// Output:
	// 4 stages, 995 keys, bound below 1%: true
	// true
}

func ExampleCounting_Remove() {
	c, _ := bloom.NewCounting(100, 0.01)
	c.AddString("x")
	c.AddString("y")
	fmt.Println(c.RemoveString("x"), c.ContainsString("x"), c.ContainsString("y"))
	fmt.Println(c.RemoveString("never-added"))
	// Output:
	// true false true
	// false
}
