package vclock_test

import (
	"fmt"

	"github.com/sysdesign-go/sysdesign/vclock"
)

func ExampleClock_Compare() {
	var a vclock.Clock
	a.Increment(1) // node 1 writes
	b := a.Clone()
	b.Increment(2) // node 2 writes after seeing node 1's write
	c := a.Clone()
	c.Increment(3) // node 3 writes concurrently with node 2

	fmt.Println(a, b, c)
	fmt.Println(a.Compare(b), b.Compare(a), b.Compare(c))
	b.Merge(c)
	fmt.Println(b, b.Descends(c))
	// Output:
	// {1:1} {1:1,2:1} {1:1,3:1}
	// before after concurrent
	// {1:1,2:1,3:1} true
}

func ExampleParse() {
	c, err := vclock.Parse("{1:3,7:1}")
	if err != nil {
		panic(err)
	}
	data, _ := c.MarshalBinary()
	fmt.Println(c.Get(1), c.Get(2), len(data), "bytes")
	// Output: 3 0 6 bytes
}

// A replica keeps siblings for one key: concurrent writes stay, a write
// that saw them replaces them.
func ExampleSiblings_Update() {
	const replica = 1
	var key vclock.Siblings[string]

	// Alice and Bob both write without reading first.
	key, _ = key.Update(vclock.Clock{}, replica, "alice's cart")
	key, _ = key.Update(vclock.Clock{}, replica, "bob's cart")
	fmt.Println(key.Values())

	// Carol reads both and the context, and writes the merged cart.
	ctx := key.Context()
	fmt.Println("context sent to the client:", ctx)
	key, _ = key.Update(ctx, replica, "merged cart")
	fmt.Println(key.Values())
	// Output:
	// [alice's cart bob's cart]
	// context sent to the client: {1:2}
	// [merged cart]
}

// Replicas that took writes independently converge with Sync.
func ExampleSiblings_Sync() {
	var base vclock.Siblings[string]
	base, _ = base.Update(vclock.Clock{}, 1, "v1")
	ctx := base.Context()

	r1, _ := base.Update(ctx, 1, "from replica 1") // both writers saw v1
	r2, _ := base.Update(ctx, 2, "from replica 2")
	fmt.Println(r1.Sync(r2).Values())
	// Output: [from replica 1 from replica 2]
}
