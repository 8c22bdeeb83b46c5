package kvstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sysdesign-go/sysdesign/hashring"
	"github.com/sysdesign-go/sysdesign/lsm"
	"github.com/sysdesign-go/sysdesign/merkle"
	"github.com/sysdesign-go/sysdesign/vclock"
)

// Config sizes a cluster.
type Config struct {
	Nodes   int // storage nodes; default 5
	N, R, W int // replicas per key, read and write quorums; default 3, 2, 2
	// GossipInterval is the virtual time one Tick advances; FailAfter is how
	// long a silent heartbeat takes to count as down. Defaults 1s and 5s.
	GossipInterval, FailAfter time.Duration
	Seed                      uint64 // for gossip peer choice
}

// ErrQuorum is returned when fewer than W replicas acknowledged a write or
// fewer than R answered a read. A failed write may still have reached some
// replicas, as in Dynamo.
var ErrQuorum = errors.New("kvstore: quorum not reached")

// Cluster is a Dynamo-style store of in-process nodes (DeCandia et al.,
// "Dynamo: Amazon's Highly Available Key-value Store", SOSP 2007): keys are
// placed on a consistent-hash ring (hashring) and replicated on the first N
// nodes of their preference list; writes need W acknowledgements and reads
// R answers; nodes that seem down (by gossip) are skipped for the next ones
// on the ring, which keep the write with a hint and hand it off when the
// node returns (sloppy quorum, hinted handoff); replicas that still drift
// apart are repaired by comparing Merkle trees. Concurrent writes are kept
// as siblings with dotted version vectors (vclock).
//
// Calls between nodes are method calls that fail when the callee is down;
// the network is otherwise perfect. A Cluster is safe for concurrent use,
// except that Tick, Crash, Recover and LoseDisk are meant for one driver.
type Cluster struct {
	cfg   Config
	dir   string
	ring  *hashring.Ring
	nodes map[string]*Node
	names []string // sorted

	mu   sync.Mutex // guards now and rnd
	now  time.Time  // virtual time for gossip
	rnd  *rand.Rand
	next int // round robin for the node a client talks to
}

// NewCluster starts a cluster storing its nodes under dir.
func NewCluster(dir string, cfg Config) (*Cluster, error) {
	cfg.Nodes = cmp.Or(cfg.Nodes, 5)
	cfg.N, cfg.R, cfg.W = cmp.Or(cfg.N, 3), cmp.Or(cfg.R, 2), cmp.Or(cfg.W, 2)
	cfg.GossipInterval = cmp.Or(cfg.GossipInterval, time.Second)
	cfg.FailAfter = cmp.Or(cfg.FailAfter, 5*time.Second)
	if cfg.N < 1 || cfg.N > cfg.Nodes || cfg.R < 1 || cfg.R > cfg.N || cfg.W < 1 || cfg.W > cfg.N || cfg.FailAfter <= cfg.GossipInterval {
		return nil, fmt.Errorf("kvstore: invalid config %+v", cfg)
	}
	c := &Cluster{cfg: cfg, dir: dir, nodes: map[string]*Node{}, now: time.Unix(0, 0), rnd: rand.New(rand.NewPCG(cfg.Seed, 1))}
	var members []hashring.Node
	for i := range cfg.Nodes {
		name := fmt.Sprintf("node-%d", i)
		n, err := openNode(dir, name, uint64(i+1), c.shares)
		if err != nil {
			c.Close()
			return nil, err
		}
		c.nodes[name] = n
		c.names = append(c.names, name)
		members = append(members, hashring.Node{ID: name})
	}
	var err error
	if c.ring, err = hashring.New(hashring.Options{}, members...); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Close closes every node.
func (c *Cluster) Close() error {
	var errs []error
	for _, n := range c.nodes {
		errs = append(errs, n.close())
	}
	return errors.Join(errs...)
}

// Node returns a node by name.
func (c *Cluster) Node(name string) *Node { return c.nodes[name] }

// Names returns the node names.
func (c *Cluster) Names() []string { return slices.Clone(c.names) }

// natural returns key's preference list: the first N distinct nodes
// clockwise from its hash.
func (c *Cluster) natural(key string) []string { return c.ring.GetN(key, c.cfg.N) }

// shares reports whether peer is a natural replica of key (the caller, a
// node, checks itself by being asked only about its own keys).
func (c *Cluster) shares(key, peer string) bool { return slices.Contains(c.natural(key), peer) }

// peersOf returns the natural replicas of key other than self, or nil when
// self is not one of them.
func (c *Cluster) peersOf(key, self string) []string {
	nat := c.natural(key)
	if !slices.Contains(nat, self) {
		return nil
	}
	return slices.DeleteFunc(nat, func(s string) bool { return s == self })
}

// target is one replica of a request and, for a stand-in, the natural
// replica it stands in for.
type target struct {
	node, standsFor string
}

// sloppy returns the N nodes a request for key goes to as viewer sees the
// cluster: the natural replicas it believes up, then, for each one it
// believes down, the next healthy node on the ring standing in for it.
func (c *Cluster) sloppy(viewer *Node, key string) []target {
	all := c.ring.GetN(key, len(c.names)) // the whole ring, in key order
	now := c.clock()
	alive := func(name string) bool { return viewer.gossip.alive(name, now, c.cfg.FailAfter) }
	var out []target
	var down []string
	for _, name := range all[:c.cfg.N] {
		if alive(name) {
			out = append(out, target{node: name})
		} else {
			down = append(down, name)
		}
	}
	for _, name := range all[c.cfg.N:] {
		if len(down) == 0 {
			break
		}
		if alive(name) {
			out = append(out, target{node: name, standsFor: down[0]})
			down = down[1:]
		}
	}
	return out
}

// via picks the node a client request lands on (round robin over the
// nodes that are up), as a load balancer would.
func (c *Cluster) via() (*Node, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for range c.names {
		c.next++
		if n := c.nodes[c.names[c.next%len(c.names)]]; n.up.Load() {
			return n, nil
		}
	}
	return nil, fmt.Errorf("%w: every node is down", ErrUnavailable)
}

// Put writes value under key with the causal context ctx from an earlier
// Get (the empty Clock for a blind write). The first reachable replica
// coordinates: it makes the new version, which replaces what ctx saw and
// stays a sibling of anything else; the others merge it in.
func (c *Cluster) Put(key string, value []byte, ctx vclock.Clock) error {
	if value == nil {
		value = []byte{}
	}
	return c.write(key, value, ctx)
}

// Delete removes key: a tombstone version that replaces what ctx saw.
func (c *Cluster) Delete(key string, ctx vclock.Clock) error { return c.write(key, nil, ctx) }

func (c *Cluster) write(key string, value Value, ctx vclock.Clock) error {
	entry, err := c.via()
	if err != nil {
		return err
	}
	targets := c.sloppy(entry, key)
	acks := 0
	var version set
	var errs []error
	for _, t := range targets {
		n := c.nodes[t.node]
		peers := c.peersOf(key, t.node)
		var err error
		if acks == 0 {
			version, err = n.update(key, ctx, value, peers) // the coordinator
		} else {
			_, err = n.merge(key, version, peers)
		}
		if err == nil && t.standsFor != "" {
			err = n.addHint(t.standsFor, key)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		acks++
	}
	if acks < c.cfg.W {
		return fmt.Errorf("%w: %d of %d acknowledgements for %q: %w", ErrQuorum, acks, c.cfg.W, key, errors.Join(errs...))
	}
	return nil
}

// Get returns key's values (several when writes were concurrent, none when
// it is absent or deleted) and the causal context to write with. Replicas
// that answered with an older set are repaired on the way (read repair).
func (c *Cluster) Get(key string) ([][]byte, vclock.Clock, error) {
	entry, err := c.via()
	if err != nil {
		return nil, vclock.Clock{}, err
	}
	var sets []set
	var who []target
	for _, t := range c.sloppy(entry, key) {
		s, err := c.nodes[t.node].read(key)
		if err != nil {
			continue
		}
		sets, who = append(sets, s), append(who, t)
	}
	if len(sets) < c.cfg.R {
		return nil, vclock.Clock{}, fmt.Errorf("%w: %d of %d answers for %q", ErrQuorum, len(sets), c.cfg.R, key)
	}
	var merged set
	for _, s := range sets {
		merged = merged.Sync(s)
	}
	want := string(encodeSet(merged))
	for i, s := range sets {
		if string(encodeSet(s)) != want {
			c.nodes[who[i].node].merge(key, merged, c.peersOf(key, who[i].node)) // best effort
		}
	}
	var values [][]byte
	for _, v := range merged.Values() {
		if v != nil {
			values = append(values, v)
		}
	}
	return values, merged.Context(), nil
}

func (c *Cluster) clock() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Tick advances virtual time by one gossip interval: every node that is up
// increments its heartbeat and exchanges tables with one random peer.
func (c *Cluster) Tick() {
	c.mu.Lock()
	c.now = c.now.Add(c.cfg.GossipInterval)
	now := c.now
	peers := make([]int, len(c.names))
	for i := range peers {
		peers[i] = c.rnd.IntN(len(c.names) - 1)
	}
	c.mu.Unlock()
	for i, name := range c.names {
		n := c.nodes[name]
		if !n.up.Load() {
			continue
		}
		n.gossip.beat(name, now)
		j := peers[i]
		if j >= i {
			j++ // anyone but itself
		}
		p := c.nodes[c.names[j]]
		if p.call() != nil {
			continue
		}
		p.gossip.absorb(n.gossip.snapshot(), now)
		n.gossip.absorb(p.gossip.snapshot(), now)
	}
}

// Down returns the nodes viewer's gossip table considers down.
func (c *Cluster) Down(viewer string) []string {
	now := c.clock()
	var out []string
	for _, name := range c.names {
		if !c.nodes[viewer].gossip.alive(name, now, c.cfg.FailAfter) {
			out = append(out, name)
		}
	}
	return out
}

// agreeDown reports whether every node that is up considers exactly the
// given nodes down.
func (c *Cluster) agreeDown(down ...string) bool {
	for _, name := range c.names {
		if c.nodes[name].up.Load() && !slices.Equal(c.Down(name), down) {
			return false
		}
	}
	return true
}

// Crash stops a node answering; its storage survives.
func (c *Cluster) Crash(name string) { c.nodes[name].up.Store(false) }

// Recover brings a crashed node back.
func (c *Cluster) Recover(name string) { c.nodes[name].up.Store(true) }

// LoseDisk replaces a node's storage with an empty one, as after a disk
// failure: only anti-entropy can bring its data back.
func (c *Cluster) LoseDisk(name string) error {
	n := c.nodes[name]
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.db.Close(); err != nil {
		return err
	}
	if err := os.RemoveAll(n.dir); err != nil {
		return err
	}
	db, err := lsm.Open(n.dir, nil)
	if err != nil {
		return err
	}
	n.db, n.summaries = db, map[string]*merkle.Summary{}
	return nil
}

// Handoff delivers hinted writes: every node that is up sends the keys it
// holds for a node that is now up (and reachable) to that node, then
// forgets them unless it is a natural replica itself. It returns how many
// keys were handed off.
func (c *Cluster) Handoff() (int, error) {
	moved := 0
	for _, name := range c.names {
		n := c.nodes[name]
		if n.call() != nil {
			continue
		}
		it := n.db.NewIter(&lsm.IterOptions{Prefix: []byte(hintPrefix)})
		var hints []string
		for k := range it.All() {
			hints = append(hints, string(k[len(hintPrefix):]))
		}
		if err := errors.Join(it.Error(), it.Close()); err != nil {
			return moved, err
		}
		for _, h := range hints {
			intended, key, _ := strings.Cut(h, "\x00")
			s, err := n.read(key)
			if err != nil {
				return moved, err
			}
			if _, err := c.nodes[intended].merge(key, s, c.peersOf(key, intended)); err != nil {
				continue // still down: keep the hint
			}
			if err := n.db.Delete([]byte(hintPrefix+h), nil); err != nil {
				return moved, err
			}
			if c.peersOf(key, name) == nil {
				if err := n.forget(key); err != nil {
					return moved, err
				}
			}
			moved++
		}
	}
	return moved, nil
}

// RepairStats sums the Merkle exchanges of one anti-entropy pass.
type RepairStats struct {
	Pairs, Repaired int
	merkle.Stats
}

// AntiEntropy compares, for every pair of nodes that are up, the Merkle
// summaries of the keys they both replicate, over merkle's wire protocol
// (merkle.Summary.Serve), and makes both hold the merged set of every key
// that differs.
func (c *Cluster) AntiEntropy(ctx context.Context) (RepairStats, error) {
	var total RepairStats
	for i, an := range c.names {
		for _, bn := range c.names[i+1:] {
			a, b := c.nodes[an], c.nodes[bn]
			if a.call() != nil || b.call() != nil {
				continue
			}
			a.mu.Lock()
			local := a.summary(bn)
			a.mu.Unlock()
			remote := merkle.RoundTripFunc(func(ctx context.Context, req []byte) ([]byte, error) {
				b.mu.Lock()
				defer b.mu.Unlock()
				return b.summary(an).Serve(ctx, req)
			})
			a.mu.Lock() // the local summary must not change during the diff
			diffs, st, err := local.Diff(ctx, remote)
			a.mu.Unlock()
			if err != nil {
				return total, err
			}
			total.Pairs++
			total.RoundTrips += st.RoundTrips
			total.Hashes += st.Hashes
			total.Entries += st.Entries
			total.Bytes += st.Bytes
			for _, d := range diffs {
				sa, err := a.read(d.Key)
				if err != nil {
					return total, err
				}
				sb, err := b.read(d.Key)
				if err != nil {
					return total, err
				}
				merged := sa.Sync(sb)
				if _, err := a.merge(d.Key, merged, c.peersOf(d.Key, an)); err != nil {
					return total, err
				}
				if _, err := b.merge(d.Key, merged, c.peersOf(d.Key, bn)); err != nil {
					return total, err
				}
				total.Repaired++
			}
		}
	}
	return total, nil
}

// Replicas returns, for key, how many of its natural replicas hold exactly
// the same sibling set as the first one, and whether that set is non-empty.
func (c *Cluster) Replicas(key string) (agree int, present bool, err error) {
	var want string
	for i, name := range c.natural(key) {
		n := c.nodes[name]
		n.mu.Lock()
		s, raw, err := n.load(key)
		n.mu.Unlock()
		if err != nil {
			return 0, false, err
		}
		if i == 0 {
			want, present = string(raw), s.Len() > 0
		}
		if string(raw) == want {
			agree++
		}
	}
	return agree, present, nil
}
