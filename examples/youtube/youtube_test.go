package youtube

import (
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := Run(context.Background(), &out, []string{"-mib", "1"}); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"resumed with the", "after restart it ran the other", "identical to encoding"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := Run(context.Background(), new(strings.Builder), []string{"-mib", "0"}); err == nil {
		t.Error("Run accepted 0 MiB")
	}
}

func TestUploads(t *testing.T) {
	dir := t.TempDir()
	u, err := OpenUploads(dir)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 2*ChunkSize+10)
	for i := range data {
		data[i] = byte(i*7 + i/ChunkSize) // chunks differ
	}
	chunk := func(n int) []byte { return data[n*ChunkSize : min((n+1)*ChunkSize, len(data))] }
	if err := u.Put("v", 0, chunk(0), sha256.Sum256(chunk(0))); !errors.Is(err, ErrUnknownUpload) {
		t.Errorf("Put before Start: %v", err)
	}
	if err := u.Start("v", int64(len(data))); err != nil {
		t.Fatal(err)
	}
	if err := u.Start("v", 5); err == nil {
		t.Error("Start with another size accepted")
	}
	for _, bad := range []struct {
		n    int
		data []byte
	}{{3, chunk(2)}, {2, chunk(1)}, {-1, chunk(0)}} {
		if err := u.Put("v", bad.n, bad.data, sha256.Sum256(bad.data)); !errors.Is(err, ErrBadChunk) {
			t.Errorf("Put chunk %d with %d bytes: %v", bad.n, len(bad.data), err)
		}
	}
	if err := u.Put("v", 0, chunk(0), sha256.Sum256(chunk(1))); !errors.Is(err, ErrBadChunk) {
		t.Errorf("Put with a wrong checksum: %v", err)
	}
	for _, n := range []int{2, 0, 2} { // out of order, and one twice
		if err := u.Put("v", n, chunk(n), sha256.Sum256(chunk(n))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := u.Complete("v"); !errors.Is(err, ErrIncomplete) {
		t.Errorf("Complete with a chunk missing: %v", err)
	}
	u.Close()
	u, err = OpenUploads(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if m, err := u.Missing("v"); err != nil || len(m) != 1 || m[0] != 1 {
		t.Fatalf("after reopen Missing = %v, %v; want [1]", m, err)
	}
	u.Put("v", 1, chunk(1), sha256.Sum256(chunk(1)))
	got, err := u.Complete("v")
	if err != nil || string(got) != string(data) {
		t.Errorf("Complete: %d bytes, %v", len(got), err)
	}
}

func TestPipelineGivesUpAfterThreeFailuresAndResumes(t *testing.T) {
	dir := t.TempDir()
	p, err := OpenPipeline(dir)
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 2*segmentSize+5)
	if err := p.Submit("v", raw); err != nil {
		t.Fatal(err)
	}
	p.fail = func(_, task string, _ int) bool { return task == "package/720p" }
	if err := p.Run(context.Background(), 2); err == nil || !strings.Contains(err.Error(), "package/720p") {
		t.Fatalf("Run with a task that always fails = %v", err)
	}
	p.Close()
	p, err = OpenPipeline(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	done := len(p.done)
	if done == 0 || done >= len(dag("v", len(raw))) {
		t.Fatalf("%d tasks logged done after the failure", done)
	}
	p.Submit("v", raw)
	if err := p.Run(context.Background(), 2); err != nil {
		t.Fatal(err)
	}
	if int(p.Ran.Load()) != len(dag("v", len(raw)))-done {
		t.Errorf("resumed run ran %d tasks; want the %d not done", p.Ran.Load(), len(dag("v", len(raw)))-done)
	}
	ready, next, err := p.Completed(0)
	if err != nil || len(ready) != 1 || ready[0] != "v" || next != 2 {
		t.Errorf("Completed = %v, %d, %v", ready, next, err)
	}
	if err := p.Submit("bad/id", raw); err == nil {
		t.Error("Submit accepted a video ID with a slash")
	}
}

func FuzzUploadRecord(f *testing.F) {
	f.Add([]byte{recStart, 1, 'v', 0, 0, 4, 0, 0, 0, 0, 0})
	f.Add([]byte{recChunk, 1, 'v', 0, 0, 0, 0, 'x'})
	f.Fuzz(func(t *testing.T, rec []byte) {
		u := &Uploads{ups: map[string]*upload{"v": {size: ChunkSize, chunks: map[int]uint64{}}}}
		u.apply(1, rec) // must not panic on any record
	})
}
