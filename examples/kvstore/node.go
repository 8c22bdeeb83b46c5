package kvstore

import (
	"bytes"
	"errors"
	"fmt"
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
// merkle.Tree per peer over the keys the two of them replicate, for
// anti-entropy. Keys it holds only for a node that was down carry a hint.
// A Node is safe for concurrent use.
type Node struct {
	Name string
	ID   uint64 // its entry in version vectors
	dir  string

	mu    sync.Mutex // guards db and trees together
	db    *lsm.DB
	trees map[string]*merkle.Tree // peer -> keys both replicate

	up     atomic.Bool
	gossip gossipTable
}

// Storage layout in the node's lsm.DB.
const (
	dataPrefix = "d/" // d/<key> -> encoded sibling set
	hintPrefix = "h/" // h/<intended node>\x00<key> -> "" : held for that node
)

var treeShape = merkle.Options{Fanout: 16, Depth: 3}

func openNode(dir, name string, id uint64) (*Node, error) {
	n := &Node{Name: name, ID: id, dir: filepath.Join(dir, name), trees: map[string]*merkle.Tree{}}
	db, err := lsm.Open(n.dir, nil)
	if err != nil {
		return nil, err
	}
	n.db = db
	n.up.Store(true)
	return n, nil
}

// tree returns the tree shared with peer. Callers hold n.mu.
func (n *Node) tree(peer string) *merkle.Tree {
	t := n.trees[peer]
	if t == nil {
		t, _ = merkle.New(treeShape) // the shape is valid
		n.trees[peer] = t
	}
	return t
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
	raw, err := n.db.Get([]byte(dataPrefix + key))
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
// other natural replicas of key when n is one of them (their trees are
// updated), nil when n only holds the key for someone else.
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
	if err := n.db.Put([]byte(dataPrefix+key), raw, nil); err != nil {
		return set{}, err
	}
	h := xxhash.Sum64(raw)
	for _, p := range peers {
		n.tree(p).Put(key, h)
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
	return n.db.Delete([]byte(dataPrefix+key), nil)
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
