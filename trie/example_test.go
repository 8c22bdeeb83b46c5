package trie_test

import (
	"fmt"
	"strings"

	"github.com/sysdesign-go/sysdesign/trie"
)

func Example() {
	t, err := trie.New(trie.Options{FoldCase: true})
	if err != nil {
		panic(err)
	}
	for q, w := range map[string]int64{
		"twitter": 35, "twitch": 29, "twilight": 25, "twin peaks": 21,
		"tree": 10, "try": 29, "true": 35, "toy": 14, "wish": 25, "win": 50,
	} {
		t.Insert(q, w)
	}
	t.Add("Twitch", 10) // one more search, case folded
	for _, s := range t.TopK("tw", 3) {
		fmt.Println(s.Query, s.Weight)
	}
	// Output:
	// twitch 39
	// twitter 35
	// twilight 25
}

func ExampleReadLog() {
	log := `pizza near me
pizza near me
pizza hut	3
pizza dough
pasta	4
`
	t, err := trie.ReadLog(strings.NewReader(log), trie.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(t.TopK("piz", 2))
	fmt.Println(t.TopK("p", 2))
	// Output:
	// [{pizza hut 3 0} {pizza near me 2 0}]
	// [{pasta 4 0} {pizza hut 3 0}]
}

func ExampleTrie_Fuzzy() {
	t, _ := trie.New(trie.Options{})
	t.Insert("restaurant", 100)
	t.Insert("restroom", 40)
	t.Insert("resume template", 70)
	// Two typos in "resturnat": a missing letter and a swap.
	got, _ := t.Fuzzy("resturnat", 2, 3)
	fmt.Println(got)
	got, _ = t.Fuzzy("rst", 1, 3)
	fmt.Println(got)
	// Output:
	// [{restaurant 100 2}]
	// [{restaurant 100 1} {restroom 40 1}]
}

func ExampleHolder() {
	var current trie.Holder
	build := func(log map[string]int64) *trie.Snapshot {
		t, _ := trie.Build(func(yield func(string, int64) bool) {
			for q, w := range log {
				if !yield(q, w) {
					return
				}
			}
		}, trie.Options{})
		return t.Freeze()
	}
	current.Store(build(map[string]int64{"election": 10, "eclipse": 3}))
	fmt.Println(current.TopK("e", 1))
	// A new week's log is aggregated and swapped in; readers never block.
	current.Store(build(map[string]int64{"eclipse": 500, "election": 12}))
	fmt.Println(current.TopK("e", 1))
	// Output:
	// [{election 10 0}]
	// [{eclipse 500 0}]
}

func ExampleTrie_MarshalBinary() {
	t, _ := trie.New(trie.Options{K: 5})
	t.Insert("kubernetes", 9)
	t.Insert("kubectl", 4)
	data, _ := t.MarshalBinary()
	s, err := trie.UnmarshalSnapshot(data, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(data), "bytes:", s.TopK("kube", 5))
	// Output:
	// 34 bytes: [{kubernetes 9 0} {kubectl 4 0}]
}
