package hashring

import (
	"fmt"

	"github.com/cespare/xxhash/v2"
)

// Node is a member of a ring: a physical server.
type Node struct {
	// ID names the node; it is what lookups return and what placement
	// hashes. It must be non-empty and unique.
	ID string
	// Weight scales the node's share of keys relative to the others.
	// 0 means 1; it must be in [0, 1000].
	Weight int
	// Zone is the failure domain (zone, rack) used by [Ring.AppendNZones]
	// to spread replicas. Empty is a zone like any other.
	Zone string
}

func (n Node) weight() int {
	if n.Weight == 0 {
		return 1
	}
	return n.Weight
}

func (n Node) validate() error {
	if n.ID == "" {
		return fmt.Errorf("%w: empty node ID", ErrConfig)
	}
	if n.Weight < 0 || n.Weight > maxWeight {
		return fmt.Errorf("%w: node %q weight %d not in [0, %d]", ErrConfig, n.ID, n.Weight, maxWeight)
	}
	return nil
}

const maxWeight = 1000

// Locator maps a key to the node that owns it. [Ring], [Jump], [Rendezvous]
// and [Anchor] implement it; each is safe for concurrent use, and lookups
// do not allocate.
type Locator interface {
	// Get returns the node ID owning key, or false if there are no nodes.
	Get(key string) (node string, ok bool)
	// GetHash is Get for a key already hashed with [HashString] or [Hash].
	GetHash(h uint64) (node string, ok bool)
}

// Hash is the default 64-bit key hash: xxhash64 of key.
func Hash(key []byte) uint64 { return xxhash.Sum64(key) }

// HashString is [Hash] for a string, without allocating.
func HashString(key string) uint64 { return xxhash.Sum64String(key) }
