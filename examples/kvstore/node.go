package kvstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"

	"github.com/sysdesign-go/sysdesign/lsm"
	"github.com/sysdesign-go/sysdesign/merkle"
	"github.com/sysdesign-go/sysdesign/vclock"
)

// Value is one sibling value; nil is a tombstone (a deleted key).
type Value = []byte

// set is the sibling set one replica keeps for a key.
type set = vclock.Siblings[Value]

// ErrUnavailable is what a call to a crashed node returns (a timeout, in a
// real network).
var ErrUnavailable = errors.New("kvstore: node unavailable")

// Node is one storage node: an lsm.DB holding, for every key it replicates,
// the key's sibling set (dotted version vectors, vclock.Siblings), and one
// merkle.Summary per peer over the keys the two of them replicate, for
// anti-entropy. Keys it holds only for a node that was down carry a hint.
//
// Data is stored in key-hash order, as Cassandra stores rows in token
// order, so a Merkle leaf bucket (a range of key hashes) is one range scan
// when a diff asks for its entries; a Summary then needs no per-key memory,
// and every write, which reads the old sibling set anyway, updates it with
// the old and new value hashes in a few additions.
// A Node is safe for concurrent use.
type Node struct {
	Name string
	ID   uint64 // its entry in version vectors
	dir  string

	mu        sync.Mutex // guards db and summaries together
	db        *lsm.DB
	summaries map[string]*merkle.Summary // peer -> keys both replicate
	shares    func(key, peer string) bool

	up     atomic.Bool
	gossip gossipTable
}

// Storage layout in the node's lsm.DB.
const (
	dataPrefix = "d/" // d/<key hash, 8B big-endian><key> -> encoded sibling set
	hintPrefix = "h/" // h/<intended node>\x00<key> -> "" : held for that node
)

var treeShape = merkle.Options{Fanout: 16, Depth: 3}

// dataKey is where key's sibling set is stored.
func dataKey(key string) []byte {
	return append(binary.BigEndian.AppendUint64([]byte(dataPrefix), merkle.HashKey(key)), key...)
}

// openNode opens a node's store; shares reports whether a peer is also a
// natural replica of a key.
func openNode(dir, name string, id uint64, shares func(key, peer string) bool) (*Node, error) {
	n := &Node{Name: name, ID: id, dir: filepath.Join(dir, name), summaries: map[string]*merkle.Summary{}, shares: shares}
	db, err := lsm.Open(n.dir, nil)
	if err != nil {
		return nil, err
	}
	n.db = db
	n.up.Store(true)
	return n, nil
}

// summary returns the Summary shared with peer. Callers hold n.mu.
func (n *Node) summary(peer string) *merkle.Summary {
	if s := n.summaries[peer]; s != nil {
		return s
	}
	var s *merkle.Summary
	s, _ = merkle.NewSummary(treeShape, func(ctx context.Context, buckets []int) ([]merkle.Entry, error) {
		return n.entries(s, peer, buckets)
	}) // the shape is valid
	n.summaries[peer] = s
	return s
}

// entries lists the keys n shares with peer in the given buckets of s:
// one range scan of the hash-ordered data per bucket.
func (n *Node) entries(s *merkle.Summary, peer string, buckets []int) ([]merkle.Entry, error) {
	var out []merkle.Entry
	for _, b := range buckets {
		lo, hi, _ := s.BucketRange(b)
		opts := &lsm.IterOptions{LowerBound: binary.BigEndian.AppendUint64([]byte(dataPrefix), lo)}
		if hi < math.MaxUint64 {
			opts.UpperBound = binary.BigEndian.AppendUint64([]byte(dataPrefix), hi+1)
		} else {
			opts.UpperBound = []byte("d0") // the end of the data prefix
		}
		it := n.db.NewIter(opts)
		for k, v := range it.All() {
			if key := string(k[len(dataPrefix)+8:]); n.shares(key, peer) {
				out = append(out, merkle.Entry{Key: key, ValueHash: xxhash.Sum64(v)})
			}
		}
		if err := errors.Join(it.Error(), it.Close()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// call is a message to n: it fails when n is down.
func (n *Node) call() error {
	if !n.up.Load() {
		return fmt.Errorf("%w: %s", ErrUnavailable, n.Name)
	}
	return nil
}

// load returns n's sibling set for key (empty when it has none).
func (n *Node) load(key string) (set, []byte, error) {
	raw, err := n.db.Get(dataKey(key))
	if errors.Is(err, lsm.ErrNotFound) {
		return set{}, nil, nil
	}
	if err != nil {
		return set{}, nil, err
	}
	s, err := vclock.DecodeSiblings(raw, decodeValue)
	if err != nil {
		return set{}, nil, fmt.Errorf("kvstore: %s: key %q: %w", n.Name, key, err)
	}
	return s, raw, nil
}

// merge combines in with n's set for key (vclock Sync: versions either side
// has seen are dropped), stores the result and returns it. peers are the
// other natural replicas of key when n is one of them (their summaries
// are updated), nil when n only holds the key for someone else.
func (n *Node) merge(key string, in set, peers []string) (set, error) {
	if err := n.call(); err != nil {
		return set{}, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	cur, old, err := n.load(key)
	if err != nil {
		return set{}, err
	}
	next := cur.Sync(in)
	raw := encodeSet(next)
	if bytes.Equal(raw, old) {
		return next, nil
	}
	if err := n.db.Put(dataKey(key), raw, nil); err != nil {
		return set{}, err
	}
	h := xxhash.Sum64(raw)
	for _, p := range peers {
		if old == nil {
			n.summary(p).Insert(key, h)
		} else {
			n.summary(p).Update(key, xxhash.Sum64(old), h)
		}
	}
	return next, nil
}

// update coordinates a client's write on n: the new version gets n's next
// dot and replaces the versions the client's context saw.
func (n *Node) update(key string, ctx vclock.Clock, v Value, peers []string) (set, error) {
	if err := n.call(); err != nil {
		return set{}, err
	}
	n.mu.Lock()
	cur, _, err := n.load(key)
	n.mu.Unlock()
	if err != nil {
		return set{}, err
	}
	next, _ := cur.Update(ctx, n.ID, v)
	// Merging the result back under the lock keeps a concurrent write
	// through n from being lost between the load and the store.
	return n.merge(key, next, peers)
}

// read returns n's set for key.
func (n *Node) read(key string) (set, error) {
	if err := n.call(); err != nil {
		return set{}, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	s, _, err := n.load(key)
	return s, err
}

// addHint records that n holds key for intended, a natural replica that
// was down when the write came.
func (n *Node) addHint(intended, key string) error {
	return n.db.Put([]byte(hintPrefix+intended+"\x00"+key), nil, nil)
}

// forget drops key from n, which held it only for another node.
func (n *Node) forget(key string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.db.Delete(dataKey(key), nil)
}

// close closes the node's storage.
func (n *Node) close() error { return n.db.Close() }

func encodeSet(s set) []byte {
	return s.AppendBinary(nil, func(b []byte, v Value) []byte {
		if v == nil {
			return append(b, 0) // tombstone
		}
		return append(append(b, 1), v...)
	})
}

func decodeValue(b []byte) (Value, error) {
	switch {
	case len(b) == 1 && b[0] == 0:
		return nil, nil
	case len(b) >= 1 && b[0] == 1:
		return append([]byte{}, b[1:]...), nil
	}
	return nil, errors.New("kvstore: bad value encoding")
}
