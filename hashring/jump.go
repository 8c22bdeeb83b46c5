package hashring

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// JumpHash returns the bucket in [0, buckets) of a 64-bit key by Lamping
// and Veach's jump consistent hash ("A Fast, Minimal Memory, Consistent
// Hash Algorithm", 2014, https://arxiv.org/abs/1406.2294). Growing from n
// to n+1 buckets moves exactly the keys that land in the new bucket, about
// 1/(n+1). It runs in O(ln buckets) time and returns -1 if buckets <= 0.
func JumpHash(key uint64, buckets int) int {
	if buckets <= 0 {
		return -1
	}
	var b, j int64 = -1, 0
	for j < int64(buckets) {
		b = j
		key = key*2862933555777941757 + 1
		j = int64(float64(b+1) * (float64(int64(1)<<31) / float64((key>>33)+1)))
	}
	return int(b)
}

// Jump is a node list addressed by [JumpHash]. It needs no memory beyond
// the list and balances almost perfectly, but buckets are numbered: nodes
// can only be added or removed at the end. Removing a middle node would
// renumber every later bucket, so [Jump.Remove] refuses it with
// [ErrNotLast]; use [Ring] or [Anchor] when arbitrary nodes fail, or keep
// the list stable and map failed buckets elsewhere yourself.
//
// Jump has no weights. Lookups are lock-free (copy on write) and do not
// allocate. The zero value is an empty Jump ready to use; a Jump is safe for
// concurrent use and must not be copied after first use.
type Jump struct {
	mu    sync.Mutex
	nodes atomic.Pointer[[]string]
}

// NewJump returns a Jump over ids, in order.
func NewJump(ids ...string) (*Jump, error) {
	j := &Jump{}
	if err := j.Add(ids...); err != nil {
		return nil, err
	}
	return j, nil
}

func (j *Jump) list() []string {
	if p := j.nodes.Load(); p != nil {
		return *p
	}
	return nil
}

// Add appends nodes at the end.
func (j *Jump) Add(ids ...string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	ns := slices.Clone(j.list())
	for _, id := range ids {
		if id == "" {
			return fmt.Errorf("%w: empty node ID", ErrConfig)
		}
		if slices.Contains(ns, id) {
			return fmt.Errorf("%w: %q", ErrDuplicateNode, id)
		}
		ns = append(ns, id)
	}
	j.nodes.Store(&ns)
	return nil
}

// Remove deletes id, which must be the last node.
func (j *Jump) Remove(id string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	ns := j.list()
	i := slices.Index(ns, id)
	switch {
	case i < 0:
		return fmt.Errorf("%w: %q", ErrUnknownNode, id)
	case i != len(ns)-1:
		return fmt.Errorf("%w: %q is at %d of %d", ErrNotLast, id, i, len(ns))
	}
	ns = slices.Clone(ns[:i])
	j.nodes.Store(&ns)
	return nil
}

// Len returns the number of nodes.
func (j *Jump) Len() int { return len(j.list()) }

// Get returns the node owning key, or false if there are none.
func (j *Jump) Get(key string) (string, bool) { return j.GetHash(HashString(key)) }

// GetHash is [Jump.Get] for a key hashed with [HashString].
func (j *Jump) GetHash(h uint64) (string, bool) {
	ns := j.list()
	if len(ns) == 0 {
		return "", false
	}
	return ns[JumpHash(h, len(ns))], true
}
