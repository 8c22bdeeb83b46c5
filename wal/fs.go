package wal

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// FS is the small file-system interface the log uses for every file
// operation. [OSFS] implements it with the operating system; [MemFS] keeps
// everything in memory and can simulate a crash. Names are slash-separated
// paths as built by [path/filepath.Join].
//
// Implementations must be safe for concurrent use.
type FS interface {
	// MkdirAll creates dir and any missing parents.
	MkdirAll(dir string) error
	// Create creates (or truncates) the named file for reading and writing.
	Create(name string) (File, error)
	// Open opens an existing file for reading and writing.
	Open(name string) (File, error)
	// Remove deletes the named file.
	Remove(name string) error
	// Rename atomically replaces newname with oldname.
	Rename(oldname, newname string) error
	// List returns the base names of the entries of dir, sorted.
	List(dir string) ([]string, error)
	// SyncDir makes the creations, removals and renames in dir durable.
	SyncDir(dir string) error
	// Lock takes an exclusive lock named by name, creating the file if
	// needed. It fails at once, without waiting, when the lock is held.
	// Closing the returned io.Closer releases the lock.
	Lock(name string) (io.Closer, error)
}

// File is an open file of an [FS]. The log writes only with WriteAt at the
// end of the file, so implementations may assume append-like writes.
//
// A File must be safe for concurrent ReadAt calls alongside one writer.
type File interface {
	io.ReaderAt
	io.WriterAt
	// Sync makes everything written so far durable.
	Sync() error
	// Truncate changes the size of the file.
	Truncate(size int64) error
	// Size reports the current size of the file in bytes.
	Size() (int64, error)
	io.Closer
}

// OSFS is the [FS] of the operating system. Its zero value is ready to use
// and it is safe for concurrent use.
type OSFS struct{}

// MkdirAll implements [FS].
func (OSFS) MkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

// Create implements [FS].
func (OSFS) Create(name string) (File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

// Open implements [FS].
func (OSFS) Open(name string) (File, error) {
	f, err := os.OpenFile(name, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

// Remove implements [FS].
func (OSFS) Remove(name string) error { return os.Remove(name) }

// Rename implements [FS].
func (OSFS) Rename(oldname, newname string) error { return os.Rename(oldname, newname) }

// List implements [FS].
func (OSFS) List(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, nil
}

// SyncDir implements [FS] by fsyncing the directory.
func (OSFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if errors.Is(err, os.ErrInvalid) {
		err = nil // some platforms cannot sync directories
	}
	return errors.Join(err, d.Close())
}

// Lock implements [FS] with an advisory file lock (flock on Linux, macOS
// and the BSDs), so a second process, or a second Open in the same
// process, fails; the kernel releases it when the process dies. Elsewhere
// the lock is a file created exclusively, which a crash leaves behind and
// which must then be deleted by hand.
func (OSFS) Lock(name string) (io.Closer, error) {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return nil, err
	}
	return lockFile(name)
}

type osFile struct{ *os.File }

func (f osFile) Size() (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}
