package drive

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/sysdesign-go/sysdesign/bloom"
	"github.com/sysdesign-go/sysdesign/merkle"
)

var (
	// ErrNotFound is returned for an unknown file or version.
	ErrNotFound = errors.New("drive: not found")
	// ErrMissingBlocks is returned by Commit when a block of the new version
	// was never uploaded.
	ErrMissingBlocks = errors.New("drive: blocks missing")
	// ErrBadBlock is returned by PutBlock for a block whose content does not
	// match the hash it was sent under.
	ErrBadBlock = errors.New("drive: block does not match its hash")
)

// Version is one saved state of a file.
type Version struct {
	Number int
	Blocks []merkle.Hash // leaf hashes, in file order
	Root   merkle.Hash   // BinaryTree root over the blocks: the file's identity
	Size   int
	Device string
	At     time.Time
}

// Server is the block and metadata service. Blocks are stored once,
// addressed by their Merkle leaf hash, whoever uploads them (dedupe); a
// Bloom filter in front of the block index answers most "have you got this
// block?" questions about new blocks without an index lookup (an index that
// in production lives on disk or in another service). Files are lists of
// versions; a commit based on an older version than the latest becomes a
// conflicted copy instead of overwriting it.
//
// A Server is safe for concurrent use.
type Server struct {
	mu     sync.Mutex
	blocks map[merkle.Hash][]byte
	seen   *bloom.Filter
	files  map[string][]Version

	IndexLookups, FilterSkips int // Missing calls answered by the index / by the filter alone
	BlocksStored, BytesStored int
}

// NewServer returns an empty server sized for about expectedBlocks blocks.
func NewServer(expectedBlocks uint64) (*Server, error) {
	f, err := bloom.New(expectedBlocks, 0.01)
	if err != nil {
		return nil, err
	}
	return &Server{blocks: map[merkle.Hash][]byte{}, seen: f, files: map[string][]Version{}}, nil
}

// Missing returns the hashes the server does not have.
func (s *Server) Missing(hashes []merkle.Hash) []merkle.Hash {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []merkle.Hash
	for _, h := range hashes {
		if !s.seen.Contains(h[:]) {
			s.FilterSkips++
			out = append(out, h)
			continue
		}
		s.IndexLookups++
		if _, ok := s.blocks[h]; !ok {
			out = append(out, h)
		}
	}
	return out
}

// PutBlock stores a block sent under hash h, after checking it.
func (s *Server) PutBlock(h merkle.Hash, block []byte) error {
	if merkle.LeafHash(block) != h {
		return ErrBadBlock
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.blocks[h]; ok {
		return nil
	}
	s.blocks[h] = append([]byte(nil), block...)
	s.seen.Add(h[:])
	s.BlocksStored++
	s.BytesStored += len(block)
	return nil
}

// Commit records a new version of name made from blocks, edited from
// version base (0 for a new file), and returns the path it was saved
// under: name itself, or a conflicted copy when name moved past base.
func (s *Server) Commit(name string, base int, blocks []merkle.Hash, size int, device string, at time.Time) (string, Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range blocks {
		if _, ok := s.blocks[h]; !ok {
			return "", Version{}, fmt.Errorf("%w: %x", ErrMissingBlocks, h[:6])
		}
	}
	if latest := len(s.files[name]); latest != base {
		ext := path.Ext(name)
		name = fmt.Sprintf("%s (conflicted copy from %s)%s", strings.TrimSuffix(name, ext), device, ext)
		base = len(s.files[name])
	}
	v := Version{Number: base + 1, Blocks: blocks, Root: merkle.NewBinaryTreeFromLeaves(blocks).Root(), Size: size, Device: device, At: at}
	s.files[name] = append(s.files[name], v)
	return name, v, nil
}

// Versions returns the versions of a file, oldest first.
func (s *Server) Versions(name string) []Version {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Version(nil), s.files[name]...)
}

// Files returns the file names.
func (s *Server) Files() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for n := range s.files {
		out = append(out, n)
	}
	return out
}

// Block returns block i of a version with its inclusion proof against the
// version's root, so the client can check what it downloads.
func (s *Server) Block(name string, version, i int) ([]byte, merkle.Proof, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vs := s.files[name]
	if version < 1 || version > len(vs) || i < 0 || i >= len(vs[version-1].Blocks) {
		return nil, merkle.Proof{}, fmt.Errorf("%w: %s v%d block %d", ErrNotFound, name, version, i)
	}
	v := vs[version-1]
	proof, err := merkle.NewBinaryTreeFromLeaves(v.Blocks).Proof(i)
	if err != nil {
		return nil, merkle.Proof{}, err
	}
	return append([]byte(nil), s.blocks[v.Blocks[i]]...), proof, nil
}

// corrupt flips a bit of a stored block, as a failing disk would.
func (s *Server) corrupt(h merkle.Hash) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocks[h][0] ^= 1
}
