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
