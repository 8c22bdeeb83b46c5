package wal

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// gateFS blocks the first file Sync after arm until release is closed,
// and counts Syncs.
type gateFS struct {
	*MemFS
	armed   atomic.Bool
	syncs   atomic.Int64
	started chan struct{}
	release chan struct{}
}

type gateFile struct {
	File
	fs *gateFS
}

func (g *gateFS) Create(n string) (File, error) {
	f, err := g.MemFS.Create(n)
	return gateFile{f, g}, err
}

func (g *gateFS) Open(n string) (File, error) {
	f, err := g.MemFS.Open(n)
	if err != nil {
		return nil, err
	}
	return gateFile{f, g}, nil
}

func (f gateFile) Sync() error {
	f.fs.syncs.Add(1)
	if f.fs.armed.CompareAndSwap(true, false) {
		close(f.fs.started)
		<-f.fs.release
	}
	return f.File.Sync()
}

// TestGroupCommitCoalesces holds the first fsync while 50 more appenders
// queue up, then checks that they all share a single second fsync.
func TestGroupCommitCoalesces(t *testing.T) {
	g := &gateFS{MemFS: NewMemFS(), started: make(chan struct{}), release: make(chan struct{})}
	l := mustOpen(t, g, Options{})
	defer l.Close()
	g.syncs.Store(0)
	g.armed.Store(true)

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := l.Append([]byte("leader")); err != nil {
			t.Error(err)
		}
	}()
	<-g.started // the leader is inside its fsync
	const followers = 50
	for range followers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := l.Append([]byte("follower")); err != nil {
				t.Error(err)
			}
		}()
	}
	for {
		l.mu.Lock()
		queued := l.next - 1
		l.mu.Unlock()
		if queued == followers+1 {
			break
		}
		runtime.Gosched()
	}
	close(g.release)
	wg.Wait()
	if got := g.syncs.Load(); got != 2 {
		t.Fatalf("%d appenders used %d fsyncs; want 2 (the leader's, then one shared by all followers)", followers+1, got)
	}
	if l.LastIndex() != followers+1 {
		t.Fatalf("LastIndex = %d; want %d", l.LastIndex(), followers+1)
	}
}
