package merkle_test

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/sysdesign-go/sysdesign/merkle"
)

// Two replicas of a key-value store find the keys on which they differ.
func ExampleTree_Diff() {
	a, _ := merkle.New(merkle.Options{Fanout: 16, Depth: 3})
	b, _ := merkle.New(merkle.Options{Fanout: 16, Depth: 3})
	for i := range 10000 {
		k := fmt.Sprintf("user:%05d", i)
		a.PutValue(k, []byte("v1"))
		b.PutValue(k, []byte("v1"))
	}
	b.PutValue("user:00042", []byte("v2")) // a missed an update
	a.Delete("user:09999")                 // and a delete that b missed

	diffs, stats, err := a.Diff(context.Background(), b)
	if err != nil {
		panic(err)
	}
	for _, d := range diffs {
		fmt.Printf("%s local=%v remote=%v\n", d.Key, d.InLocal, d.InRemote)
	}
	fmt.Printf("%d round trips, %d hashes\n", stats.RoundTrips, stats.Hashes)
	// Output:
	// user:00042 local=true remote=true
	// user:09999 local=false remote=true
	// 4 round trips, 80 hashes
}

// The diff protocol runs over any transport: the client side wraps the
// transport in a RoundTripFunc, the server side answers with Serve.
func ExampleRoundTripFunc() {
	server, _ := merkle.New(merkle.Options{})
	client, _ := merkle.New(merkle.Options{})
	server.PutValue("k", []byte("new"))
	client.PutValue("k", []byte("old"))

	// Stand-in for an HTTP or gRPC call to the replica holding server.
	network := func(ctx context.Context, req []byte) ([]byte, error) {
		return server.Serve(req)
	}
	diffs, stats, _ := client.Diff(context.Background(), merkle.RoundTripFunc(network))
	fmt.Println(diffs[0].Key, stats.RoundTrips, "round trips", stats.Bytes, "bytes")
	// Output: k 5 round trips 627 bytes
}

// Prove that one block belongs to a file without sending the others.
func ExampleBinaryTree_Proof() {
	blocks := [][]byte{[]byte("block 0"), []byte("block 1"), []byte("block 2"), []byte("block 3"), []byte("block 4")}
	tree := merkle.NewBinaryTree(blocks)
	root := tree.Root() // published or signed

	proof, _ := tree.Proof(2)
	fmt.Println(len(proof.Path), "hashes in the proof")
	fmt.Println(proof.Verify(root, []byte("block 2")))
	fmt.Println(proof.Verify(root, []byte("block 2, altered")) != nil)
	// Output:
	// 3 hashes in the proof
	// <nil>
	// true
}

// Compute a file's Merkle root while streaming it, 4 KiB blocks at a time.
func ExampleBlockHasher() {
	file := strings.NewReader(strings.Repeat("hello, world\n", 1000)) // 13,000 bytes
	h, _ := merkle.NewBlockHasher(4096)
	if _, err := io.Copy(h, file); err != nil {
		panic(err)
	}
	fmt.Println(len(h.Leaves()), "blocks")
	fmt.Printf("root %x\n", h.Sum(nil)[:8])
	// Output:
	// 4 blocks
	// root d165ea5df6e90f6d
}

// A store that reads a key's old value while writing it keeps a Summary
// instead of a Tree: each write is one Update with the old and new value
// hashes, and the store lists a bucket's entries when a diff asks.
func ExampleSummary() {
	opts := merkle.Options{Fanout: 16, Depth: 2}
	store := map[string][]byte{} // stand-in for the replica's key-value store
	var sum *merkle.Summary
	sum, _ = merkle.NewSummary(opts, func(ctx context.Context, buckets []int) ([]merkle.Entry, error) {
		var out []merkle.Entry
		for k, v := range store { // a real store would scan or stream BucketRange
			if slices.Contains(buckets, sum.Bucket(k)) {
				out = append(out, merkle.Entry{Key: k, ValueHash: merkle.HashValue(v)})
			}
		}
		return out, nil
	})
	put := func(k string, v []byte) {
		if old, ok := store[k]; ok {
			sum.Update(k, merkle.HashValue(old), merkle.HashValue(v))
		} else {
			sum.Insert(k, merkle.HashValue(v))
		}
		store[k] = v
	}
	for i := range 1000 {
		put(fmt.Sprintf("user:%04d", i), []byte("v1"))
	}
	put("user:0042", []byte("v2"))

	// The other replica keeps a Tree and missed the second write.
	other, _ := merkle.New(opts)
	for i := range 1000 {
		other.PutValue(fmt.Sprintf("user:%04d", i), []byte("v1"))
	}
	diffs, stats, err := sum.Diff(context.Background(), other)
	if err != nil {
		panic(err)
	}
	fmt.Println(diffs[0].Key, len(diffs), "difference,", stats.RoundTrips, "round trips")
	// Output: user:0042 1 difference, 3 round trips
}
