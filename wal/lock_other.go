//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package wal

import (
	"errors"
	"io"
	"os"
)

// lockFile falls back to an exclusively created file where flock is not
// available. A crash leaves the file behind; delete it by hand.
func lockFile(name string) (io.Closer, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, ErrLocked
		}
		return nil, err
	}
	return &exclLock{f: f, name: name}, nil
}

type exclLock struct {
	f    *os.File
	name string
}

func (l *exclLock) Close() error {
	return errors.Join(l.f.Close(), os.Remove(l.name))
}
