package kvstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sysdesign-go/sysdesign/lsm"
	"github.com/sysdesign-go/sysdesign/vclock"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := Run(context.Background(), &out, []string{"-keys", "100"}); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"2 siblings", "replaces both", "handed off", "5 keys repaired", "lost its disk", "final check"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := Run(context.Background(), new(strings.Builder), []string{"-nodes", "3"}); err == nil {
		t.Error("Run accepted 3 nodes")
	}
}

func newCluster(t *testing.T, cfg Config) *Cluster {
	t.Helper()
	c, err := NewCluster(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	for range 10 {
		c.Tick()
	}
	return c
}

// keysOn returns n keys whose natural replicas include node.
func keysOn(c *Cluster, node, prefix string, n int) []string {
	var out []string
	for i := 0; len(out) < n; i++ {
		if k := fmt.Sprintf("%s%d", prefix, i); slices.Contains(c.natural(k), node) {
			out = append(out, k)
		}
	}
	return out
}

func mustAgree(t *testing.T, c *Cluster, keys []string) {
	t.Helper()
	for _, k := range keys {
		if agree, present, err := c.Replicas(k); err != nil || agree != c.cfg.N || !present {
			t.Errorf("%s: %d agreeing replicas, present %v, %v", k, agree, present, err)
		}
	}
}

func TestNewClusterRejectsBadConfig(t *testing.T) {
	for _, cfg := range []Config{{Nodes: 2}, {N: 3, R: 4}, {N: 3, W: 4}, {Nodes: 5, N: 6}, {GossipInterval: 5e9, FailAfter: 5e9}} {
		if _, err := NewCluster(t.TempDir(), cfg); err == nil {
			t.Errorf("NewCluster(%+v) succeeded", cfg)
		}
	}
}

func TestSiblingsAndDelete(t *testing.T) {
	c := newCluster(t, Config{})
	if err := c.Put("k", []byte("a"), vclock.Clock{}); err != nil {
		t.Fatal(err)
	}
	_, ctx, err := c.Get("k")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"b", "c"} {
		if err := c.Put("k", []byte(v), ctx); err != nil {
			t.Fatal(err)
		}
	}
	values, ctx2, err := c.Get("k")
	slices.SortFunc(values, func(a, b []byte) int { return strings.Compare(string(a), string(b)) })
	if err != nil || len(values) != 2 || string(values[0]) != "b" || string(values[1]) != "c" {
		t.Fatalf("after concurrent writes Get = %q, %v; want siblings b and c", values, err)
	}
	if err := c.Delete("k", ctx2); err != nil {
		t.Fatal(err)
	}
	if values, _, err := c.Get("k"); err != nil || len(values) != 0 {
		t.Errorf("after Delete Get = %q, %v; want nothing", values, err)
	}
	mustAgree(t, c, []string{"k"}) // the tombstone is on every replica
	// A write with a stale context (from before the delete) survives as a sibling of nothing.
	if err := c.Put("k", []byte("late"), ctx); err != nil {
		t.Fatal(err)
	}
	if values, _, _ := c.Get("k"); len(values) != 1 || string(values[0]) != "late" {
		t.Errorf("write after delete: %q; want [late]", values)
	}
}

func TestQuorums(t *testing.T) {
	c := newCluster(t, Config{N: 3, R: 3, W: 3})
	key := keysOn(c, "node-1", "q", 1)[0]
	if err := c.Put(key, []byte("v"), vclock.Clock{}); err != nil {
		t.Fatal(err)
	}
	c.Crash("node-1") // not yet detected: no stand-in
	if err := c.Put(key, []byte("w"), vclock.Clock{}); !errors.Is(err, ErrQuorum) {
		t.Errorf("W=3 with a replica down: %v; want ErrQuorum", err)
	}
	if _, _, err := c.Get(key); !errors.Is(err, ErrQuorum) {
		t.Errorf("R=3 with a replica down: %v; want ErrQuorum", err)
	}
	for _, n := range c.Names() {
		c.Crash(n)
	}
	if err := c.Put(key, nil, vclock.Clock{}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("every node down: %v; want ErrUnavailable", err)
	}
}

func TestGossipDetectsCrashAndRecovery(t *testing.T) {
	c := newCluster(t, Config{})
	c.Crash("node-4")
	for i := 0; !slices.Equal(c.Down("node-0"), []string{"node-4"}); i++ {
		if i > 20 {
			t.Fatalf("node-0 still sees %v as down after %d rounds", c.Down("node-0"), i)
		}
		c.Tick()
	}
	c.Recover("node-4")
	for i := 0; len(c.Down("node-0")) > 0; i++ {
		if i > 20 {
			t.Fatal("recovery never noticed")
		}
		c.Tick()
	}
}

func hintCount(t *testing.T, n *Node) int {
	t.Helper()
	it := n.db.NewIter(&lsm.IterOptions{Prefix: []byte(hintPrefix)})
	count := 0
	for range it.All() {
		count++
	}
	if err := errors.Join(it.Error(), it.Close()); err != nil {
		t.Fatal(err)
	}
	return count
}

func TestHintedHandoff(t *testing.T) {
	c := newCluster(t, Config{})
	c.Crash("node-2")
	for !c.agreeDown("node-2") {
		c.Tick()
	}
	keys := keysOn(c, "node-2", "h", 20)
	for _, k := range keys {
		if err := c.Put(k, []byte("v"), vclock.Clock{}); err != nil {
			t.Fatal(err)
		}
	}
	hints := 0
	for _, n := range c.nodes {
		hints += hintCount(t, n)
	}
	if hints != len(keys) {
		t.Errorf("%d hints for %d writes to a down replica", hints, len(keys))
	}
	c.Recover("node-2")
	for !c.agreeDown() {
		c.Tick()
	}
	moved, err := c.Handoff()
	if err != nil || moved != len(keys) {
		t.Fatalf("Handoff = %d, %v; want %d", moved, err, len(keys))
	}
	mustAgree(t, c, keys)
	for _, n := range c.nodes {
		if h := hintCount(t, n); h != 0 {
			t.Errorf("%s keeps %d hints after handoff", n.Name, h)
		}
		for _, k := range keys {
			if s, _ := n.read(k); s.Len() > 0 && !slices.Contains(c.natural(k), n.Name) {
				t.Errorf("stand-in %s still holds %s", n.Name, k)
			}
		}
	}
}

func TestAntiEntropyRepairsExactlyTheMissedKeys(t *testing.T) {
	c := newCluster(t, Config{})
	var all []string
	for i := range 300 {
		k := fmt.Sprintf("k%d", i)
		all = append(all, k)
		if err := c.Put(k, []byte("v1"), vclock.Clock{}); err != nil {
			t.Fatal(err)
		}
	}
	c.Crash("node-3") // too short for gossip to notice
	missed := keysOn(c, "node-3", "k", 7)
	for _, k := range missed {
		if err := c.Put(k, []byte("v2"), vclock.Clock{}); err != nil {
			t.Fatal(err)
		}
	}
	c.Recover("node-3")
	rep, err := c.AntiEntropy(context.Background())
	if err != nil || rep.Repaired != len(missed) {
		t.Fatalf("AntiEntropy = %+v, %v; want %d repaired", rep, err, len(missed))
	}
	if rep.Entries > 20*len(missed) {
		t.Errorf("%d candidate entries exchanged for %d differences", rep.Entries, len(missed))
	}
	if rep, err := c.AntiEntropy(context.Background()); err != nil || rep.Repaired != 0 {
		t.Errorf("second pass = %+v, %v; want nothing to repair", rep, err)
	}
	mustAgree(t, c, all)
	if err := c.LoseDisk("node-0"); err != nil {
		t.Fatal(err)
	}
	if rep, err := c.AntiEntropy(context.Background()); err != nil || rep.Repaired == 0 {
		t.Fatalf("after a lost disk AntiEntropy = %+v, %v", rep, err)
	}
	mustAgree(t, c, all)
}

func TestReadRepair(t *testing.T) {
	c := newCluster(t, Config{})
	k := keysOn(c, "node-1", "r", 1)[0]
	if err := c.Put(k, []byte("v1"), vclock.Clock{}); err != nil {
		t.Fatal(err)
	}
	c.Crash("node-1")
	if err := c.Put(k, []byte("v2"), vclock.Clock{}); err != nil {
		t.Fatal(err)
	}
	c.Recover("node-1")
	if agree, _, _ := c.Replicas(k); agree == c.cfg.N {
		t.Fatal("node-1 did not miss the write")
	}
	if _, _, err := c.Get(k); err != nil {
		t.Fatal(err)
	}
	mustAgree(t, c, []string{k})
}
