package drive

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sysdesign-go/sysdesign/merkle"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := Run(context.Background(), &out, []string{"-size", "262144"}); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"0 blocks sent (deduplicated", "conflicted copy from phone", "restored byte for byte", "fails its proof"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := Run(context.Background(), new(strings.Builder), []string{"-size", "10"}); err == nil {
		t.Error("Run accepted a 10-byte file")
	}
}

func checkSplit(t *testing.T, c Chunking, data []byte) [][]byte {
	t.Helper()
	blocks := c.Split(data)
	if got := bytes.Join(blocks, nil); !bytes.Equal(got, data) {
		t.Fatalf("blocks of %d bytes do not join back to the input", len(data))
	}
	for i, b := range blocks {
		if len(b) > c.Max || len(b) == 0 || len(b) < c.Min && i != len(blocks)-1 {
			t.Fatalf("block %d of %d has %d bytes; want %d-%d", i, len(blocks), len(b), c.Min, c.Max)
		}
	}
	return blocks
}

func TestSplitIsContentDefined(t *testing.T) {
	data := document(300 << 10)
	before := checkSplit(t, DefaultChunking, data)
	edited := append(append(append([]byte{}, data[:100000]...), "inserted text"...), data[100000:]...)
	after := checkSplit(t, DefaultChunking, edited)
	have := map[merkle.Hash]bool{}
	for _, b := range before {
		have[merkle.LeafHash(b)] = true
	}
	changed := 0
	for _, b := range after {
		if !have[merkle.LeafHash(b)] {
			changed++
		}
	}
	if changed > 2 {
		t.Errorf("an insertion changed %d of %d blocks; want at most 2", changed, len(after))
	}
	checkSplit(t, DefaultChunking, nil)
	checkSplit(t, DefaultChunking, bytes.Repeat([]byte{0}, 100000)) // no boundary: Max-sized blocks
}

func FuzzSplit(f *testing.F) {
	f.Add([]byte("hello world"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSplit(t, Chunking{Min: 4, Avg: 16, Max: 64}, data)
	})
}

func TestServerChecksBlocks(t *testing.T) {
	srv, err := NewServer(100)
	if err != nil {
		t.Fatal(err)
	}
	h := merkle.LeafHash([]byte("abc"))
	if err := srv.PutBlock(h, []byte("abd")); !errors.Is(err, ErrBadBlock) {
		t.Errorf("PutBlock with the wrong content: %v", err)
	}
	if _, _, err := srv.Commit("f", 0, []merkle.Hash{h}, 3, "d", time.Now()); !errors.Is(err, ErrMissingBlocks) {
		t.Errorf("Commit of a missing block: %v", err)
	}
	if got := srv.Missing([]merkle.Hash{h}); len(got) != 1 {
		t.Errorf("Missing = %d hashes; want 1", len(got))
	}
	if err := srv.PutBlock(h, []byte("abc")); err != nil {
		t.Fatal(err)
	}
	if got := srv.Missing([]merkle.Hash{h}); len(got) != 0 {
		t.Errorf("Missing after upload = %d hashes; want 0", len(got))
	}
	if _, _, err := srv.Block("f", 1, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("Block of an unknown file: %v", err)
	}
}

func TestSyncConflictAndDownload(t *testing.T) {
	srv, _ := NewServer(1000)
	a := &Device{Name: "a", Server: srv, Chunking: DefaultChunking}
	b := &Device{Name: "b", Server: srv, Chunking: DefaultChunking}
	now := time.Now()
	doc := document(50 << 10)
	docA, docB := append(bytes.Clone(doc), 'A'), append(bytes.Clone(doc), 'B')
	if up, err := a.Sync("notes.md", doc, 0, now); err != nil || up.Path != "notes.md" || up.SentBlocks != up.Blocks {
		t.Fatalf("first sync = %+v, %v", up, err)
	}
	if _, err := a.Sync("notes.md", docA, 1, now); err != nil {
		t.Fatal(err)
	}
	up, err := b.Sync("notes.md", docB, 1, now)
	if err != nil || up.Path != "notes (conflicted copy from b).md" || up.Version.Number != 1 {
		t.Fatalf("stale sync = %+v, %v; want a conflicted copy", up, err)
	}
	for _, tt := range []struct {
		name    string
		version int
		want    []byte
	}{{"notes.md", 1, doc}, {"notes.md", 0, docA}, {up.Path, 0, docB}} {
		got, err := b.Download(tt.name, tt.version)
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("Download(%q, %d): %d bytes, %v", tt.name, tt.version, len(got), err)
		}
	}
	if _, err := b.Download("notes.md", 3); !errors.Is(err, ErrNotFound) {
		t.Errorf("Download of a missing version: %v", err)
	}
	srv.corrupt(srv.Versions("notes.md")[0].Blocks[0])
	if _, err := b.Download("notes.md", 1); !errors.Is(err, merkle.ErrProofInvalid) {
		t.Errorf("Download of a corrupted block: %v; want ErrProofInvalid", err)
	}
}
