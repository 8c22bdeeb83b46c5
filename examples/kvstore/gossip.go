package kvstore

import (
	"sync"
	"time"
)

// gossipTable is one node's view of the cluster: each member's heartbeat
// counter and when this node last saw it increase. A member whose heartbeat
// has not increased for FailAfter is considered down (the gossip failure
// detector of the catalogue; van Renesse et al., "A Gossip-Style Failure
// Detection Service", 1998).
type gossipTable struct {
	mu      sync.Mutex
	members map[string]heartbeat
}

type heartbeat struct {
	counter uint64
	seen    time.Time // local time the counter last increased
}

// beat increments the node's own heartbeat.
func (g *gossipTable) beat(self string, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.members == nil {
		g.members = map[string]heartbeat{}
	}
	h := g.members[self]
	g.members[self] = heartbeat{h.counter + 1, now}
}

// snapshot copies the counters to send to a peer.
func (g *gossipTable) snapshot() map[string]uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make(map[string]uint64, len(g.members))
	for m, h := range g.members {
		out[m] = h.counter
	}
	return out
}

// absorb takes the higher counters of a peer's table.
func (g *gossipTable) absorb(in map[string]uint64, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.members == nil {
		g.members = map[string]heartbeat{}
	}
	for m, c := range in {
		if h, ok := g.members[m]; !ok || c > h.counter {
			g.members[m] = heartbeat{c, now}
		}
	}
}

// alive reports whether member's heartbeat increased within failAfter.
// A member never heard of counts as alive until proven otherwise, so a
// new cluster does not start with everyone down.
func (g *gossipTable) alive(member string, now time.Time, failAfter time.Duration) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	h, ok := g.members[member]
	return !ok || now.Sub(h.seen) < failAfter
}
