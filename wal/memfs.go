package wal

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"sync"
)

// MemFS is an in-memory [FS] that tracks what would survive a power cut, for
// tests and examples. File contents become durable with [File.Sync];
// creations, removals and renames become durable with [FS.SyncDir] of their
// directory. [MemFS.Crash] returns the file system as it would be found
// after a crash, optionally keeping a torn prefix of unsynced writes.
//
// Create a MemFS with [NewMemFS]. It is safe for concurrent use.
type MemFS struct {
	mu      sync.Mutex
	files   map[string]*memNode // current directory entries
	durable map[string]*memNode // entries as of the last SyncDir
	locks   map[string]bool
	dirs    map[string]bool
	// failSync, when set, makes Sync return an error: a fault injection hook.
	failSync error
}

type memNode struct {
	mu     sync.Mutex
	data   []byte
	synced []byte // durable contents; shares data's prefix unless diverged
	// diverged reports whether data no longer starts with synced, because
	// of a write or truncate below len(synced) since the last Sync.
	diverged bool
}

// NewMemFS returns an empty in-memory file system.
func NewMemFS() *MemFS {
	return &MemFS{
		files:   map[string]*memNode{},
		durable: map[string]*memNode{},
		locks:   map[string]bool{},
		dirs:    map[string]bool{},
	}
}

func clean(name string) string { return filepath.ToSlash(filepath.Clean(name)) }

// MkdirAll implements [FS].
func (m *MemFS) MkdirAll(dir string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dirs[clean(dir)] = true
	return nil
}

// Create implements [FS].
func (m *MemFS) Create(name string) (File, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n := &memNode{}
	if old, ok := m.files[name]; ok {
		// Truncating an existing inode keeps its identity, like O_TRUNC.
		old.mu.Lock()
		old.truncate(0)
		old.mu.Unlock()
		n = old
	}
	m.files[name] = n
	return &memFile{n: n, name: name, fs: m}, nil
}

// Open implements [FS].
func (m *MemFS) Open(name string) (File, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.files[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{n: n, name: name, fs: m}, nil
}

// Remove implements [FS].
func (m *MemFS) Remove(name string) error {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.files[name]; !ok {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	delete(m.files, name)
	return nil
}

// Rename implements [FS].
func (m *MemFS) Rename(oldname, newname string) error {
	oldname, newname = clean(oldname), clean(newname)
	m.mu.Lock()
	defer m.mu.Unlock()
	n, ok := m.files[oldname]
	if !ok {
		return &fs.PathError{Op: "rename", Path: oldname, Err: fs.ErrNotExist}
	}
	delete(m.files, oldname)
	m.files[newname] = n
	return nil
}

// List implements [FS].
func (m *MemFS) List(dir string) ([]string, error) {
	dir = clean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	var names []string
	for name := range m.files {
		if path.Dir(name) == dir {
			names = append(names, path.Base(name))
		}
	}
	sort.Strings(names)
	return names, nil
}

// SyncDir implements [FS]: the entries of dir become durable.
func (m *MemFS) SyncDir(dir string) error {
	dir = clean(dir)
	m.mu.Lock()
	defer m.mu.Unlock()
	for name := range m.durable {
		if path.Dir(name) == dir {
			delete(m.durable, name)
		}
	}
	for name, n := range m.files {
		if path.Dir(name) == dir {
			m.durable[name] = n
		}
	}
	return nil
}

// Lock implements [FS]. Locks are released by Close or by a crash.
func (m *MemFS) Lock(name string) (io.Closer, error) {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.locks[name] {
		return nil, ErrLocked
	}
	m.locks[name] = true
	return closerFunc(func() error {
		m.mu.Lock()
		defer m.mu.Unlock()
		delete(m.locks, name)
		return nil
	}), nil
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// SetSyncError makes every later File.Sync fail with err (nil restores
// normal behaviour), to test how the log handles a failing disk.
func (m *MemFS) SetSyncError(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failSync = err
}

func (m *MemFS) syncError() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.failSync
}

// Unsynced reports, for each durable file with bytes written after its last
// Sync, how many such bytes there are: the room a torn write can take.
func (m *MemFS) Unsynced() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]int{}
	for name, n := range m.durable {
		n.mu.Lock()
		if !n.diverged && len(n.data) > len(n.synced) {
			out[name] = len(n.data) - len(n.synced)
		}
		n.mu.Unlock()
	}
	return out
}

// Crash returns a new MemFS holding what a power cut at this moment would
// leave: the directory entries as of each directory's last SyncDir, each
// file with its contents as of its last Sync. For a file whose unsynced
// changes are plain appends, tear(name, unsynced) chooses how many of the
// unsynced bytes survive (a torn write), from 0 to unsynced; a nil tear
// keeps none. Locks are released. The receiver is not changed.
func (m *MemFS) Crash(tear func(name string, unsynced int) int) *MemFS {
	return m.crash(tear, false)
}

// CrashKeepingEntries is like [MemFS.Crash], but every creation, removal
// and rename survives even without SyncDir, as on file systems that
// journal metadata eagerly. File contents still need Sync. Together, Crash
// and CrashKeepingEntries bracket what a real file system may leave.
func (m *MemFS) CrashKeepingEntries(tear func(name string, unsynced int) int) *MemFS {
	return m.crash(tear, true)
}

func (m *MemFS) crash(tear func(name string, unsynced int) int, entries bool) *MemFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := NewMemFS()
	for d := range m.dirs {
		c.dirs[d] = true
	}
	dir := m.durable
	if entries {
		dir = m.files
	}
	names := make([]string, 0, len(dir))
	for name := range dir {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic order of tear calls
	for _, name := range names {
		n := dir[name]
		n.mu.Lock()
		data := append([]byte(nil), n.synced...)
		if extra := len(n.data) - len(n.synced); tear != nil && !n.diverged && extra > 0 {
			keep := tear(name, extra)
			if keep < 0 || keep > extra {
				n.mu.Unlock()
				panic(fmt.Sprintf("wal: MemFS.Crash: tear kept %d of %d bytes", keep, extra))
			}
			data = append(data, n.data[len(n.synced):len(n.synced)+keep]...)
		}
		n.mu.Unlock()
		cn := &memNode{data: data}
		cn.synced = cn.data
		c.files[name] = cn
		c.durable[name] = cn
	}
	return c
}

// ReadFile returns a copy of the current contents of the named file.
func (m *MemFS) ReadFile(name string) ([]byte, error) {
	name = clean(name)
	m.mu.Lock()
	n, ok := m.files[name]
	m.mu.Unlock()
	if !ok {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]byte(nil), n.data...), nil
}

// WriteFile replaces the contents of the named file, creating it if needed,
// and makes it durable at once (file and directory entry). Tests use it to
// plant damaged files.
func (m *MemFS) WriteFile(name string, data []byte) error {
	name = clean(name)
	m.mu.Lock()
	defer m.mu.Unlock()
	n := &memNode{data: append([]byte(nil), data...)}
	n.synced = n.data
	m.files[name] = n
	m.durable[name] = n
	return nil
}

func (n *memNode) truncate(size int) {
	if size < len(n.synced) && !n.diverged {
		n.synced = append([]byte(nil), n.synced...)
		n.diverged = true
	}
	if size <= len(n.data) {
		n.data = n.data[:size]
		return
	}
	n.data = append(n.data, make([]byte, size-len(n.data))...)
}

type memFile struct {
	n      *memNode
	name   string
	fs     *MemFS
	mu     sync.Mutex
	closed bool
}

var errClosedFile = errors.New("wal: file already closed")

func (f *memFile) check() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return &fs.PathError{Op: "use", Path: f.name, Err: fs.ErrClosed}
	}
	return nil
}

func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.check(); err != nil {
		return 0, err
	}
	f.n.mu.Lock()
	defer f.n.mu.Unlock()
	if off < 0 {
		return 0, fs.ErrInvalid
	}
	if off >= int64(len(f.n.data)) {
		return 0, io.EOF
	}
	k := copy(p, f.n.data[off:])
	if k < len(p) {
		return k, io.EOF
	}
	return k, nil
}

func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	if err := f.check(); err != nil {
		return 0, err
	}
	f.n.mu.Lock()
	defer f.n.mu.Unlock()
	if off < 0 {
		return 0, fs.ErrInvalid
	}
	n := f.n
	if off < int64(len(n.synced)) && !n.diverged {
		n.synced = append([]byte(nil), n.synced...)
		n.diverged = true
	}
	end := int(off) + len(p)
	if end > len(n.data) {
		if end <= cap(n.data) {
			n.data = n.data[:end]
		} else {
			grown := make([]byte, end, max(2*cap(n.data), end, 4096))
			copy(grown, n.data)
			n.data = grown
		}
	}
	copy(n.data[off:], p)
	return len(p), nil
}

func (f *memFile) Sync() error {
	if err := f.check(); err != nil {
		return err
	}
	if err := f.fs.syncError(); err != nil {
		return err
	}
	f.n.mu.Lock()
	defer f.n.mu.Unlock()
	f.n.synced = f.n.data[:len(f.n.data):len(f.n.data)]
	f.n.diverged = false
	return nil
}

func (f *memFile) Truncate(size int64) error {
	if err := f.check(); err != nil {
		return err
	}
	f.n.mu.Lock()
	defer f.n.mu.Unlock()
	f.n.truncate(int(size))
	return nil
}

func (f *memFile) Size() (int64, error) {
	if err := f.check(); err != nil {
		return 0, err
	}
	f.n.mu.Lock()
	defer f.n.mu.Unlock()
	return int64(len(f.n.data)), nil
}

func (f *memFile) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return errClosedFile
	}
	f.closed = true
	return nil
}
