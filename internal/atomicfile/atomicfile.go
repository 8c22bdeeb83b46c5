// Package atomicfile replaces small files crash-safely: after a crash at
// any moment the file holds its old contents or its new ones, never a mix
// or nothing. The snowflake high-water mark, the lsm CURRENT pointer and
// the examples' cursors and artifacts use it.
package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
)

// WriteFile replaces name with data: the data goes to name+".tmp", which
// is fsynced, renamed over name, and then the directory is fsynced so the
// rename itself survives a power cut. A leftover ".tmp" file from an
// earlier crash is overwritten. On error name is unchanged, and the
// temporary file is removed where that is still possible.
func WriteFile(name string, data []byte) error {
	tmp := name + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		return errors.Join(err, removeIfExists(tmp))
	}
	return SyncDir(filepath.Dir(name))
}

// SyncDir fsyncs a directory, making the creations, renames and removals
// of files in it durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	return errors.Join(err, d.Close())
}

func removeIfExists(name string) error {
	if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
