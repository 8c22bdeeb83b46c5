package lsm

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

type fileType int

const (
	typeUnknown fileType = iota
	typeLog
	typeTable
	typeManifest
)

func logName(dir string, n uint64) string   { return filepath.Join(dir, fmt.Sprintf("%06d.log", n)) }
func tableName(dir string, n uint64) string { return filepath.Join(dir, fmt.Sprintf("%06d.sst", n)) }
func manifestName(dir string, n uint64) string {
	return filepath.Join(dir, fmt.Sprintf("MANIFEST-%06d", n))
}

func parseName(name string) (fileType, uint64) {
	parse := func(s string) (uint64, bool) {
		n, err := strconv.ParseUint(s, 10, 64)
		return n, err == nil
	}
	switch {
	case strings.HasPrefix(name, "MANIFEST-"):
		if n, ok := parse(name[len("MANIFEST-"):]); ok {
			return typeManifest, n
		}
	case strings.HasSuffix(name, ".log"):
		if n, ok := parse(strings.TrimSuffix(name, ".log")); ok {
			return typeLog, n
		}
	case strings.HasSuffix(name, ".sst"):
		if n, ok := parse(strings.TrimSuffix(name, ".sst")); ok {
			return typeTable, n
		}
	}
	return typeUnknown, 0
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// setCurrent atomically points CURRENT at MANIFEST-n.
func setCurrent(dir string, n uint64) error {
	tmp := filepath.Join(dir, "CURRENT.tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(f, "MANIFEST-%06d\n", n); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, "CURRENT")); err != nil {
		return err
	}
	return syncDir(dir)
}
