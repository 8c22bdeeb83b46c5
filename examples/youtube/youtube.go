// Package youtube is the video platform's upload and processing path:
// resumable chunked uploads kept in a write-ahead log (wal), a transcoding
// DAG per video (split, encode every segment at three resolutions,
// package, thumbnail, publish) run by workers with retries, task
// completions logged so a restarted pipeline re-runs only what was in
// flight, and a completion queue (another wal) that tells the metadata
// service a video is ready.
//
// The run uploads two videos, one over a connection that drops halfway
// and resumes, then transcodes them, crashing the pipeline once midway.
//
//	go run ./examples/tour youtube [-mib 6]
package youtube

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cespare/xxhash/v2"
)

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("youtube", flag.ContinueOnError)
	fs.SetOutput(w)
	mib := fs.Int("mib", 6, "size of each video in MiB")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *mib < 1 || *mib > 256 {
		return errors.New("youtube: -mib must be 1-256")
	}
	dir, err := os.MkdirTemp("", "youtube")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ups, err := OpenUploads(dir)
	if err != nil {
		return err
	}
	defer func() { ups.Close() }()

	videos := map[string][]byte{}
	r := rand.New(rand.NewPCG(31, 32))
	for _, id := range []string{"cats", "lecture"} {
		v := make([]byte, *mib<<20+r.IntN(100_000))
		for i := range v {
			v[i] = byte(r.Uint32())
		}
		videos[id] = v
	}
	send := func(id string, upTo int) (sent int, err error) {
		missing, err := ups.Missing(id)
		if err != nil {
			return 0, err
		}
		v := videos[id]
		for _, n := range missing {
			if sent == upTo {
				break
			}
			chunk := v[n*ChunkSize : min((n+1)*ChunkSize, len(v))]
			if err := ups.Put(id, n, chunk, sha256.Sum256(chunk)); err != nil {
				return sent, err
			}
			sent++
		}
		return sent, nil
	}
	for id, v := range videos {
		if err := ups.Start(id, int64(len(v))); err != nil {
			return err
		}
	}
	// "lecture" loses its connection after 10 chunks; the server restarts too.
	if _, err := send("cats", -1); err != nil {
		return err
	}
	first, err := send("lecture", 10)
	if err != nil {
		return err
	}
	if err := ups.Close(); err != nil {
		return err
	}
	if ups, err = OpenUploads(dir); err != nil {
		return err
	}
	missing, _ := ups.Missing("lecture")
	rest, err := send("lecture", -1)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "uploads in %d KiB chunks: \"lecture\" sent %d chunks, dropped, the server restarted, and it resumed with the %d it was missing (%d sent)\n",
		ChunkSize>>10, first, len(missing), rest)

	pipe, err := OpenPipeline(filepath.Join(dir, "pipeline"))
	if err != nil {
		return err
	}
	defer func() { pipe.Close() }()
	for id := range videos {
		raw, err := ups.Complete(id)
		if err != nil {
			return err
		}
		if !bytes.Equal(raw, videos[id]) {
			return fmt.Errorf("youtube: %s reassembled wrong", id)
		}
		if err := pipe.Submit(id, raw); err != nil {
			return err
		}
	}
	// Encoders crash on the first attempt now and then.
	flaky := func(video, task string, attempt int) bool {
		return attempt == 1 && strings.HasPrefix(task, "encode/") && xxhash.Sum64String(video+task)%8 == 0
	}
	pipe.fail = flaky
	tasks := len(dag("x", len(videos["cats"]))) + len(dag("x", len(videos["lecture"])))
	// Crash the pipeline partway through.
	crashCtx, cancel := context.WithCancel(ctx)
	go func() {
		for pipe.Ran.Load() < int64(tasks/2) {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	if err := pipe.Run(crashCtx, 3); !errors.Is(err, context.Canceled) {
		cancel()
		return fmt.Errorf("youtube: the crashed run ended with %v", err)
	}
	cancel()
	ranBefore := pipe.Ran.Load()
	if err := pipe.Close(); err != nil {
		return err
	}
	if pipe, err = OpenPipeline(filepath.Join(dir, "pipeline")); err != nil {
		return err
	}
	pipe.fail = flaky
	doneBefore := len(pipe.done)
	for id := range videos {
		if err := pipe.Submit(id, videos[id]); err != nil {
			return err
		}
	}
	if err := pipe.Run(ctx, 3); err != nil {
		return err
	}
	fmt.Fprintf(w, "transcoding DAG of %d tasks for the two videos: the pipeline crashed after %d task runs with %d tasks logged done; after restart it ran the other %d (and retried %d crashed encodes)\n",
		tasks, ranBefore, doneBefore, pipe.Ran.Load()-pipe.Retried.Load(), pipe.Retried.Load())

	ready, _, err := pipe.Completed(0)
	if err != nil {
		return err
	}
	for id, raw := range videos {
		for _, res := range Resolutions {
			out, err := pipe.Output(id, res)
			if err != nil {
				return err
			}
			if !bytes.Equal(out, encodeReference(raw, res)) {
				return fmt.Errorf("youtube: %s at %s differs from a direct encoding", id, res)
			}
		}
	}
	fmt.Fprintf(w, "completion queue: %q ready; each at %v, identical to encoding the upload directly\n", ready, Resolutions)
	if len(ready) != len(videos) {
		return fmt.Errorf("youtube: %d completion events for %d videos", len(ready), len(videos))
	}
	return nil
}

// encodeReference encodes a whole video at res in one pass, as the DAG's
// split, encode and package tasks together should.
func encodeReference(raw []byte, res string) []byte {
	var out []byte
	for s := 0; s*segmentSize < len(raw); s++ {
		seg := raw[s*segmentSize : min((s+1)*segmentSize, len(raw))]
		for i := 0; i < len(seg); i += stride[res] {
			out = append(out, seg[i])
		}
	}
	return out
}
