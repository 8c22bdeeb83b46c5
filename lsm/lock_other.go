//go:build !unix

package lsm

import (
	"os"
	"path/filepath"
)

// lockDir opens dir/LOCK. On this platform the lock is not exclusive
// between processes; only one DB per directory per process is supported.
func lockDir(dir string) (*os.File, error) {
	return os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o644)
}
