package drive

import (
	"fmt"
	"time"

	"github.com/sysdesign-go/sysdesign/merkle"
)

// Device is a client that syncs files with a Server. It is not safe for
// concurrent use.
type Device struct {
	Name     string
	Server   *Server
	Chunking Chunking
}

// Upload is what one sync of a file sent.
type Upload struct {
	Path       string // where the server saved it (a conflicted copy's name if so)
	Version    Version
	Blocks     int // blocks in the file
	SentBlocks int // blocks the server did not have
	SentBytes  int
}

// Sync uploads data as a new version of name, edited from version base (0
// for a new file): it splits the file, asks the server which blocks it
// lacks, sends only those, and commits the version.
func (d *Device) Sync(name string, data []byte, base int, at time.Time) (Upload, error) {
	blocks := d.Chunking.Split(data)
	hashes := make([]merkle.Hash, len(blocks))
	byHash := map[merkle.Hash][]byte{}
	for i, b := range blocks {
		hashes[i] = merkle.LeafHash(b)
		byHash[hashes[i]] = b
	}
	up := Upload{Blocks: len(blocks)}
	for _, h := range d.Server.Missing(hashes) {
		if err := d.Server.PutBlock(h, byHash[h]); err != nil {
			return up, err
		}
		up.SentBlocks++
		up.SentBytes += len(byHash[h])
	}
	var err error
	up.Path, up.Version, err = d.Server.Commit(name, base, hashes, len(data), d.Name, at)
	return up, err
}

// Download returns version of name (0 for the latest), checking every block
// against the version's Merkle root with its inclusion proof.
func (d *Device) Download(name string, version int) ([]byte, error) {
	vs := d.Server.Versions(name)
	if version == 0 {
		version = len(vs)
	}
	if version < 1 || version > len(vs) {
		return nil, fmt.Errorf("%w: %s v%d", ErrNotFound, name, version)
	}
	v := vs[version-1]
	var out []byte
	for i := range v.Blocks {
		block, proof, err := d.Server.Block(name, version, i)
		if err != nil {
			return nil, err
		}
		if err := proof.Verify(v.Root, block); err != nil {
			return nil, fmt.Errorf("drive: %s v%d block %d: %w", name, version, i, err)
		}
		out = append(out, block...)
	}
	return out, nil
}
