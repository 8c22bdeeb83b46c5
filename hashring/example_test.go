package hashring_test

import (
	"fmt"

	"github.com/sysdesign-go/sysdesign/hashring"
)

func Example() {
	ring, err := hashring.New(hashring.Options{},
		hashring.Node{ID: "cache-a"},
		hashring.Node{ID: "cache-b"},
		hashring.Node{ID: "cache-c", Weight: 2}, // twice the memory, twice the keys
	)
	if err != nil {
		panic(err)
	}
	node, _ := ring.Get("user:1001")
	fmt.Println("user:1001 ->", node)

	// Removing a node moves only the keys it held.
	if err := ring.Remove("cache-a"); err != nil {
		panic(err)
	}
	after, _ := ring.Get("user:1001")
	fmt.Println("still", after == node || node == "cache-a")
	// Output:
	// user:1001 -> cache-b
	// still true
}

// Replicas in distinct zones, as a Dynamo-style store places them.
func ExampleRing_AppendNZones() {
	ring, _ := hashring.New(hashring.Options{},
		hashring.Node{ID: "a1", Zone: "us-east-1a"}, hashring.Node{ID: "a2", Zone: "us-east-1a"},
		hashring.Node{ID: "b1", Zone: "us-east-1b"}, hashring.Node{ID: "b2", Zone: "us-east-1b"},
		hashring.Node{ID: "c1", Zone: "us-east-1c"}, hashring.Node{ID: "c2", Zone: "us-east-1c"},
	)
	replicas := ring.AppendNZones(nil, "cart:42", 3)
	zones := map[byte]bool{}
	for _, r := range replicas {
		zones[r[0]] = true
	}
	fmt.Println(len(replicas), "replicas in", len(zones), "zones")
	// Output: 3 replicas in 3 zones
}

func ExampleBounded() {
	b, _ := hashring.NewBounded(hashring.BoundedOptions{C: 1.25},
		hashring.Node{ID: "s1"}, hashring.Node{ID: "s2"}, hashring.Node{ID: "s3"}, hashring.Node{ID: "s4"})
	for i := range 1000 {
		if _, err := b.Assign(fmt.Sprint("session-", i)); err != nil {
			panic(err)
		}
	}
	worst := 0
	for _, n := range b.Nodes() {
		worst = max(worst, b.Load(n.ID))
	}
	fmt.Println("bound", b.Bound("s1"), "worst", worst <= b.Bound("s1"))
	// Output: bound 313 worst true
}

func ExampleJumpHash() {
	key := hashring.HashString("order-7")
	fmt.Println(hashring.JumpHash(key, 10), hashring.JumpHash(key, 11))
	// Output: 3 3
}

func ExampleAnchor() {
	a, _ := hashring.NewAnchor(16, "n0", "n1", "n2", "n3")
	before, _ := a.Get("object-9")
	_ = a.Remove("n1") // any node can go; only its keys move
	after, _ := a.Get("object-9")
	fmt.Println(before == after || before == "n1")
	// Output: true
}
