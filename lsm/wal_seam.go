package lsm

import (
	"errors"
	"fmt"
	"io"

	"github.com/sysdesign-go/sysdesign/wal"
)

// logWriter is the seam between the DB and its write-ahead log: one log
// per memtable, one record per batch. It is implemented with the project's
// wal package: each memtable's log is a wal directory (NNNNNN.log/) opened
// with wal.SyncNever and, unless Options.WALBufferSize is negative, a
// write buffer; a write with Sync calls Log.Sync after the append, which
// writes the buffer and fsyncs. A torn tail is cut by wal's recovery; any other damage is a
// *CorruptionError naming the segment.
type logWriter interface {
	Append(rec []byte, sync bool) error
	// AppendBatch appends records in one write; a crash may keep a
	// prefix of them (each record is whole or absent).
	AppendBatch(recs [][]byte) error
	Sync() error
	Close() error
}

type walLog struct{ l *wal.Log }

// walOptions are the options of the logs the DB writes; replay needs no
// buffer.
func walOptions(o *Options) *wal.Options {
	wo := &wal.Options{Sync: wal.SyncNever}
	if o != nil && o.WALBufferSize > 0 {
		wo.BufferSize, wo.BufferDelay = o.WALBufferSize, o.WALBufferDelay
	}
	return wo
}

func createLog(path string, o *Options) (logWriter, error) {
	l, err := wal.Open(path, walOptions(o))
	if err != nil {
		return nil, err
	}
	return walLog{l}, nil
}

func (w walLog) Append(rec []byte, sync bool) error {
	if _, err := w.l.Append(rec); err != nil {
		return err
	}
	if sync {
		return w.l.Sync()
	}
	return nil
}

func (w walLog) AppendBatch(recs [][]byte) error {
	_, err := w.l.AppendBatch(recs)
	return err
}

func (w walLog) Sync() error { return w.l.Sync() }

func (w walLog) Close() error { return w.l.Close() }

// replayLog calls fn for every record of the log at path.
func replayLog(path string, fn func(rec []byte) error) error {
	l, err := wal.Open(path, walOptions(nil))
	if errors.Is(err, wal.ErrCorrupt) {
		return &CorruptionError{File: path, Err: err}
	}
	if err != nil {
		return fmt.Errorf("lsm: opening log %s: %w", path, err)
	}
	defer l.Close()
	r := l.NewReader(l.FirstIndex())
	for {
		_, rec, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if errors.Is(err, wal.ErrCorrupt) {
			return &CorruptionError{File: path, Err: err}
		}
		if err != nil {
			return fmt.Errorf("lsm: reading log %s: %w", path, err)
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}
