package youtube

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sysdesign-go/sysdesign/internal/atomicfile"
	"github.com/sysdesign-go/sysdesign/wal"
)

// Resolutions the pipeline encodes.
var Resolutions = []string{"360p", "720p", "1080p"}

// segmentSize is the length of one split segment of the raw video.
const segmentSize = 1 << 20

// task is one node of a video's transcoding DAG.
type task struct {
	video, name string
	deps        []string // names of tasks of the same video
	run         func(p *Pipeline, video string) error
}

// dag returns the tasks for a video of size bytes:
//
//	split -> encode/<res>/<seg> (every resolution and segment) -> package/<res> -+
//	      -> thumbnail ---------------------------------------------------------+-> publish
func dag(video string, size int) []task {
	segs := (size + segmentSize - 1) / segmentSize
	ts := []task{{video: video, name: "split", run: (*Pipeline).split}}
	var packages []string
	for _, res := range Resolutions {
		var encodes []string
		for s := range segs {
			name := fmt.Sprintf("encode/%s/%d", res, s)
			encodes = append(encodes, name)
			ts = append(ts, task{video: video, name: name, deps: []string{"split"}, run: encodeTask(res, s)})
		}
		pkg := "package/" + res
		packages = append(packages, pkg)
		ts = append(ts, task{video: video, name: pkg, deps: encodes, run: packageTask(res, segs)})
	}
	ts = append(ts, task{video: video, name: "thumbnail", deps: []string{"split"}, run: (*Pipeline).thumbnail})
	ts = append(ts, task{video: video, name: "publish", deps: append(packages, "thumbnail"), run: (*Pipeline).publish})
	return ts
}

// Pipeline runs transcoding DAGs. Each task writes its output to the
// artifact directory (synced) before its completion is appended to the
// task log (wal); a restarted pipeline skips every task the log says is
// done and re-runs only those that were in flight. When a video's last
// task is done, an event goes to the completion queue, another wal, which
// the metadata service consumes.
//
// A Pipeline is safe for concurrent use.
type Pipeline struct {
	dir         string
	tasks       *wal.Log // names of finished tasks: "<video>/<task>"
	completions *wal.Log // IDs of finished videos

	mu      sync.Mutex
	done    map[string]bool
	pending map[string][]task // video -> its tasks
	fail    func(video, task string, attempt int) bool

	Ran, Retried atomic.Int64
}

// OpenPipeline opens the pipeline state in dir.
func OpenPipeline(dir string) (*Pipeline, error) {
	p := &Pipeline{dir: dir, done: map[string]bool{}, pending: map[string][]task{}}
	if err := os.MkdirAll(filepath.Join(dir, "artifacts"), 0o755); err != nil {
		return nil, err
	}
	var err error
	if p.tasks, err = wal.Open(filepath.Join(dir, "tasks"), nil); err != nil {
		return nil, err
	}
	if p.completions, err = wal.Open(filepath.Join(dir, "completions"), nil); err != nil {
		p.tasks.Close()
		return nil, err
	}
	r := p.tasks.NewReader(p.tasks.FirstIndex())
	for _, rec := range r.All() {
		p.done[string(rec)] = true
	}
	if err := r.Err(); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// Close closes the logs.
func (p *Pipeline) Close() error { return errors.Join(p.tasks.Close(), p.completions.Close()) }

func (p *Pipeline) artifact(video, name string) string {
	return filepath.Join(p.dir, "artifacts", video+"."+strings.ReplaceAll(name, "/", "."))
}

func (p *Pipeline) writeArtifact(video, name string, data []byte) error {
	return atomicfile.WriteFile(p.artifact(video, name), data)
}

// Submit queues the DAG of a raw video (stored as its "raw" artifact).
func (p *Pipeline) Submit(video string, raw []byte) error {
	if video == "" || strings.ContainsAny(video, "/.") {
		return fmt.Errorf("youtube: invalid video ID %q", video)
	}
	if err := p.writeArtifact(video, "raw", raw); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending[video] = dag(video, len(raw))
	return nil
}

// Run runs the queued DAGs with workers goroutines until every task is
// done or ctx ends. A failing task is retried up to three times.
func (p *Pipeline) Run(ctx context.Context, workers int) error {
	if workers < 1 {
		return fmt.Errorf("youtube: %d workers", workers)
	}
	ready := make(chan task)
	// At most one result per worker is ever pending, so with this buffer no
	// worker blocks on a result that Run stopped reading.
	results := make(chan result, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range ready {
				results <- result{t.key(), p.runTask(ctx, t)}
			}
		}()
	}
	defer func() { close(ready); wg.Wait() }()
	running := map[string]bool{}
	for {
		next, left := p.next(running)
		if left == 0 {
			return nil
		}
		if len(next) == 0 && len(running) == 0 {
			return errors.New("youtube: DAG has tasks that can never run")
		}
		// Hand out a ready task, or collect a result; the loop then sees
		// what became ready.
		var send chan task // nil, so never chosen, when nothing is ready
		var t task
		if len(next) > 0 {
			send, t = ready, next[0]
		}
		select {
		case send <- t:
			running[t.key()] = true
		case r := <-results:
			if r.err != nil {
				return r.err
			}
			delete(running, r.key)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// result is a worker's answer for one task.
type result struct {
	key string
	err error
}

func (t task) key() string { return t.video + "/" + t.name }

// next returns the tasks whose dependencies are done and that are neither
// done nor running, and how many tasks are not done.
func (p *Pipeline) next(running map[string]bool) ([]task, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []task
	left := 0
	videos := make([]string, 0, len(p.pending))
	for v := range p.pending {
		videos = append(videos, v)
	}
	slices.Sort(videos)
	for _, v := range videos {
		for _, t := range p.pending[v] {
			k := t.key()
			if p.done[k] {
				continue
			}
			left++
			if running[k] || slices.ContainsFunc(t.deps, func(d string) bool { return !p.done[v+"/"+d] }) {
				continue
			}
			out = append(out, t)
		}
	}
	return out, left
}

func (p *Pipeline) runTask(ctx context.Context, t task) error {
	var err error
	for attempt := 1; attempt <= 3; attempt++ {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		p.Ran.Add(1)
		if p.fail != nil && p.fail(t.video, t.name, attempt) {
			err = fmt.Errorf("youtube: %s/%s: transcoder crashed", t.video, t.name)
			p.Retried.Add(1)
			continue
		}
		if err = t.run(p, t.video); err == nil {
			break
		}
		p.Retried.Add(1)
	}
	if err != nil {
		return err
	}
	k := t.key()
	if _, err := p.tasks.Append([]byte(k)); err != nil {
		return err
	}
	p.mu.Lock()
	p.done[k] = true
	p.mu.Unlock()
	if t.name == "publish" {
		_, err = p.completions.Append([]byte(t.video))
	}
	return err
}

// The tasks. Encoding is simulated: a resolution keeps every k-th byte of
// a segment, so outputs are smaller for lower resolutions and checkable.
func (p *Pipeline) split(video string) error {
	raw, err := os.ReadFile(p.artifact(video, "raw"))
	if err != nil {
		return err
	}
	for s := 0; s*segmentSize < len(raw); s++ {
		if err := p.writeArtifact(video, fmt.Sprintf("seg/%d", s), raw[s*segmentSize:min((s+1)*segmentSize, len(raw))]); err != nil {
			return err
		}
	}
	return nil
}

var stride = map[string]int{"360p": 9, "720p": 4, "1080p": 1}

func encodeTask(res string, seg int) func(*Pipeline, string) error {
	return func(p *Pipeline, video string) error {
		in, err := os.ReadFile(p.artifact(video, fmt.Sprintf("seg/%d", seg)))
		if err != nil {
			return err
		}
		var out []byte
		for i := 0; i < len(in); i += stride[res] {
			out = append(out, in[i])
		}
		return p.writeArtifact(video, fmt.Sprintf("enc/%s/%d", res, seg), out)
	}
}

func packageTask(res string, segs int) func(*Pipeline, string) error {
	return func(p *Pipeline, video string) error {
		var out []byte
		for s := range segs {
			b, err := os.ReadFile(p.artifact(video, fmt.Sprintf("enc/%s/%d", res, s)))
			if err != nil {
				return err
			}
			out = append(out, b...)
		}
		return p.writeArtifact(video, "out/"+res, out)
	}
}

func (p *Pipeline) thumbnail(video string) error {
	seg, err := os.ReadFile(p.artifact(video, "seg/0"))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(seg[:min(len(seg), 4096)])
	return p.writeArtifact(video, "thumb", sum[:])
}

func (p *Pipeline) publish(video string) error {
	for _, res := range Resolutions {
		if _, err := os.Stat(p.artifact(video, "out/"+res)); err != nil {
			return err
		}
	}
	return nil
}

// Output returns a video's encoding at res.
func (p *Pipeline) Output(video, res string) ([]byte, error) {
	return os.ReadFile(p.artifact(video, "out/"+res))
}

// Completed returns the videos in the completion queue from index from on,
// and the index to read from next.
func (p *Pipeline) Completed(from uint64) ([]string, uint64, error) {
	from = max(from, p.completions.FirstIndex())
	var out []string
	r := p.completions.NewReader(from)
	next := from
	for i, rec := range r.All() {
		out = append(out, string(rec))
		next = i + 1
	}
	return out, next, r.Err()
}
