// Package kvstore is the key-value store system of the catalogue, Dynamo
// style: a consistent-hash ring (hashring) places N replicas of each key,
// writes and reads need W and R of them, concurrent writes become siblings
// with dotted version vectors (vclock), nodes that gossip says are down are
// replaced by stand-ins that keep hinted writes and hand them off later,
// and Merkle trees (merkle) find what replicas still disagree on. Each node
// stores its data in an LSM tree (lsm), whose tables carry Bloom filters
// (bloom).
//
// The run writes keys to five nodes, makes siblings and resolves them,
// crashes a node (gossip notices, writes go on with hints, which are handed
// off when it returns), lets a node miss writes inside the failure
// detector's blind spot and repairs them with Merkle trees, wipes a node's
// disk and rebuilds it the same way, and finally checks every replica.
//
//	go run ./examples/tour kvstore [-keys 600] [-nodes 5]
package kvstore

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/sysdesign-go/sysdesign/vclock"
)

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("kvstore", flag.ContinueOnError)
	fs.SetOutput(w)
	keys := fs.Int("keys", 600, "keys written before the failures")
	nodes := fs.Int("nodes", 5, "storage nodes (at least 4)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *keys < 10 || *nodes < 4 || *nodes > 32 {
		return errors.New("kvstore: need at least 10 keys and 4-32 nodes")
	}
	dir, err := os.MkdirTemp("", "kvstore")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	c, err := NewCluster(dir, Config{Nodes: *nodes, Seed: 7})
	if err != nil {
		return err
	}
	defer c.Close()
	for range 10 {
		c.Tick()
	}
	fmt.Fprintf(w, "%d nodes, N=%d R=%d W=%d; gossip every %v, a node is down after %v of silence\n",
		*nodes, c.cfg.N, c.cfg.R, c.cfg.W, c.cfg.GossipInterval, c.cfg.FailAfter)

	var written []string
	put := func(key, value string) error {
		written = append(written, key)
		return c.Put(key, []byte(value), vclock.Clock{})
	}
	for i := range *keys {
		if err := put(fmt.Sprintf("user:%d", i), fmt.Sprintf("profile %d", i)); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "wrote %d keys, each to its 3 replicas\n\n", *keys)

	// Siblings: two clients read the same cart and write without seeing
	// each other; a third read sees both and writes the merge.
	if err := put("cart:alice", "book"); err != nil {
		return err
	}
	_, seen, err := c.Get("cart:alice")
	if err != nil {
		return err
	}
	if err := c.Put("cart:alice", []byte("book, pen"), seen); err != nil {
		return err
	}
	if err := c.Put("cart:alice", []byte("book, lamp"), seen); err != nil {
		return err
	}
	values, both, err := c.Get("cart:alice")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "cart:alice after two concurrent writes: %d siblings %q, context %v\n", len(values), values, both)
	if err := c.Put("cart:alice", []byte("book, pen, lamp"), both); err != nil {
		return err
	}
	if values, _, err = c.Get("cart:alice"); err != nil || len(values) != 1 {
		return fmt.Errorf("kvstore: cart after the merge: %q, %v", values, err)
	}
	fmt.Fprintf(w, "a write with that context replaces both: %q\n\n", values)

	// A crash that gossip detects: sloppy quorum and hinted handoff.
	victim := c.names[2]
	c.Crash(victim)
	ticks := 0
	for !c.agreeDown(victim) {
		c.Tick()
		ticks++
	}
	for i := range *keys / 5 {
		if err := put(fmt.Sprintf("order:%d", i), fmt.Sprintf("order %d", i)); err != nil {
			return err
		}
	}
	for i := range *keys / 5 {
		if v, _, err := c.Get(fmt.Sprintf("order:%d", i)); err != nil || len(v) != 1 {
			return fmt.Errorf("kvstore: reading order:%d during the outage: %q, %v", i, v, err)
		}
	}
	fmt.Fprintf(w, "%s crashed; after %d gossip rounds the others mark it down; %d writes and reads go on at W=2/R=2 with stand-ins\n",
		victim, ticks, *keys/5)
	c.Recover(victim)
	for ticks = 0; !c.agreeDown(); ticks++ {
		c.Tick()
	}
	moved, err := c.Handoff()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s is back (seen after %d rounds): stand-ins handed off %d hinted writes to it\n\n", victim, ticks, moved)

	// A crash shorter than failure detection: nobody knows, nobody keeps
	// hints, and the node misses writes. Merkle trees find them.
	blind := c.names[3]
	c.Crash(blind)
	missed := 0
	for i := 0; missed < 5; i++ {
		key := fmt.Sprintf("session:%d", i)
		if err := put(key, "token"); err != nil {
			return err
		}
		if slices.Contains(c.natural(key), blind) {
			missed++
		}
	}
	c.Recover(blind)
	rep, err := c.AntiEntropy(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s was down for less than the failure detector's window and missed %d writes (no hints: nobody knew)\n", blind, missed)
	fmt.Fprintf(w, "anti-entropy over %d node pairs: %d keys repaired, %d round trips, %d hashes, %d candidate entries, %d bytes (against %d keys stored)\n\n",
		rep.Pairs, rep.Repaired, rep.RoundTrips, rep.Hashes, rep.Entries, rep.Bytes, len(written))
	if rep.Repaired != missed {
		return fmt.Errorf("kvstore: anti-entropy repaired %d keys; want the %d missed", rep.Repaired, missed)
	}

	// A lost disk: everything the node replicated comes back from its peers.
	wiped := c.names[1]
	if err := c.LoseDisk(wiped); err != nil {
		return err
	}
	if rep, err = c.AntiEntropy(ctx); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s lost its disk; anti-entropy restored %d keys (%d round trips, %d bytes)\n", wiped, rep.Repaired, rep.RoundTrips, rep.Bytes)

	bad := 0
	for _, key := range written {
		agree, present, err := c.Replicas(key)
		if err != nil {
			return err
		}
		if agree != c.cfg.N || !present {
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("kvstore: %d of %d keys lack %d agreeing replicas", bad, len(written), c.cfg.N)
	}
	fmt.Fprintf(w, "final check: all %d keys have %d identical replicas on their natural nodes (%s)\n",
		len(written), c.cfg.N, strings.Join(c.names, ", "))
	return nil
}
