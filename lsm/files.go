package lsm

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sysdesign-go/sysdesign/internal/atomicfile"
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

func syncDir(dir string) error { return atomicfile.SyncDir(dir) }

// setCurrent atomically points CURRENT at MANIFEST-n.
func setCurrent(dir string, n uint64) error {
	return atomicfile.WriteFile(filepath.Join(dir, "CURRENT"), fmt.Appendf(nil, "MANIFEST-%06d\n", n))
}
