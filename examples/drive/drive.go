// Package drive is the cloud drive system (Google Drive, Dropbox): files
// split into content-defined blocks stored once by hash (dedupe across
// files and users, a Bloom filter from bloom in front of the block index),
// delta sync that uploads only the blocks an edit changed, versions with a
// Merkle root each (merkle.BinaryTree) so every downloaded block is checked
// with an inclusion proof, and conflicted copies when two devices edit the
// same version.
//
// The run uploads a file, edits its middle and syncs again, uploads the
// same file from another device, makes two devices conflict, restores an
// old version, and catches a block corrupted on the server.
//
//	go run ./examples/tour drive [-size 1048576]
package drive

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/sysdesign-go/sysdesign/merkle"
)

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("drive", flag.ContinueOnError)
	fs.SetOutput(w)
	size := fs.Int("size", 1<<20, "size of the file in bytes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *size < 64<<10 || *size > 256<<20 {
		return errors.New("drive: -size must be 64 KiB to 256 MiB")
	}
	srv, err := NewServer(1 << 20)
	if err != nil {
		return err
	}
	laptop := &Device{Name: "laptop", Server: srv, Chunking: DefaultChunking}
	phone := &Device{Name: "phone", Server: srv, Chunking: DefaultChunking}
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

	v1 := document(*size)
	up, err := laptop.Sync("report.txt", v1, 0, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "laptop uploads report.txt (%d KiB): %d blocks, %d sent (%d KiB)\n", *size>>10, up.Blocks, up.SentBlocks, up.SentBytes>>10)

	// Insert a paragraph at 40%: only the blocks around it change.
	at := len(v1) * 2 / 5
	para := []byte("\nA new paragraph, written on the train.\n")
	v2 := append(append(append([]byte{}, v1[:at]...), para...), v1[at:]...)
	up, err = laptop.Sync("report.txt", v2, 1, now.Add(time.Minute))
	if err != nil {
		return err
	}
	fixed := fixedSizeChanged(v1, v2, DefaultChunking.Avg)
	fmt.Fprintf(w, "laptop inserts %d bytes at 40%%: version %d sends %d of %d blocks (%d bytes); fixed %d-byte blocks would resend %d\n",
		len(para), up.Version.Number, up.SentBlocks, up.Blocks, up.SentBytes, DefaultChunking.Avg, fixed)

	up, err = phone.Sync("copy of report.txt", v2, 0, now.Add(2*time.Minute))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "phone uploads the same content as another file: %d blocks sent (deduplicated by hash)\n", up.SentBlocks)

	// Both devices edit version 2; the phone commits second.
	a := bytes.Replace(v2, []byte("train"), []byte("plane"), 1)
	b := append(append([]byte{}, v2...), []byte("\nSigned, phone.\n")...)
	if _, err := laptop.Sync("report.txt", a, 2, now.Add(3*time.Minute)); err != nil {
		return err
	}
	up, err = phone.Sync("report.txt", b, 2, now.Add(4*time.Minute))
	if err != nil {
		return err
	}
	if up.Path == "report.txt" {
		return errors.New("drive: a stale edit overwrote the latest version")
	}
	fmt.Fprintf(w, "laptop and phone both edit version 2; laptop saves version 3, the phone's edit becomes %q\n", up.Path)

	old, err := phone.Download("report.txt", 1)
	if err != nil {
		return err
	}
	if !bytes.Equal(old, v1) {
		return errors.New("drive: version 1 came back different")
	}
	vs := srv.Versions("report.txt")
	fmt.Fprintf(w, "report.txt has %d versions; version 1 restored byte for byte, every block checked against root %x...\n", len(vs), vs[0].Root[:6])

	srv.corrupt(vs[2].Blocks[len(vs[2].Blocks)/2])
	_, err = phone.Download("report.txt", 3)
	if !errors.Is(err, merkle.ErrProofInvalid) {
		return fmt.Errorf("drive: a corrupted block was not caught: %v", err)
	}
	fmt.Fprintf(w, "a block rots on the server: the download fails its proof: %v\n", err)
	fmt.Fprintf(w, "server: %d blocks, %d KiB stored for %d files; Missing asked the block index %d times, the Bloom filter alone answered %d\n",
		srv.BlocksStored, srv.BytesStored>>10, len(srv.Files()), srv.IndexLookups, srv.FilterSkips)
	return nil
}

// document returns size bytes of text-like content.
func document(size int) []byte {
	r := rand.New(rand.NewPCG(5, 6))
	words := []string{"system", "design", "block", "merkle", "sync", "drive", "version", "the", "a", "of", "and", "to"}
	var b bytes.Buffer
	for b.Len() < size {
		b.WriteString(words[r.IntN(len(words))])
		if r.IntN(12) == 0 {
			b.WriteString(".\n")
		} else {
			b.WriteByte(' ')
		}
	}
	return b.Bytes()[:size]
}

// fixedSizeChanged counts the fixed-size blocks of next that are not
// blocks of prev.
func fixedSizeChanged(prev, next []byte, size int) int {
	have := map[merkle.Hash]bool{}
	for off := 0; off < len(prev); off += size {
		have[merkle.LeafHash(prev[off:min(off+size, len(prev))])] = true
	}
	n := 0
	for off := 0; off < len(next); off += size {
		if !have[merkle.LeafHash(next[off:min(off+size, len(next))])] {
			n++
		}
	}
	return n
}
