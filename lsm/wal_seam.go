package lsm

import (
	"errors"
	"fmt"

	"github.com/sysdesign-go/sysdesign/lsm/internal/record"
)

// logWriter is the seam between the DB and its write-ahead log: one log
// file per memtable, one record per batch.
//
// INTERIM: implemented with lsm/internal/record (checksummed records, a torn
// tail is ignored, a bad checksum is corruption). The project's wal package
// was not yet committed when this was written; swapping it in means
// implementing these two functions on top of it.
type logWriter interface {
	Append(rec []byte, sync bool) error
	Size() int64
	Close() error
}

func createLog(path string) (logWriter, error) { return record.Create(path) }

// replayLog calls fn for every intact record of the log at path.
func replayLog(path string, fn func(rec []byte) error) error {
	err := record.ReadFile(path, fn)
	if errors.Is(err, record.ErrCorrupt) {
		return &CorruptionError{File: path, Err: err}
	}
	if err != nil {
		return fmt.Errorf("lsm: reading log %s: %w", path, err)
	}
	return nil
}
