// Package record frames the lsm package's MANIFEST as a sequence of
// checksummed records. (The write-ahead log is the project's wal package.)
//
// Each record is a 8-byte header followed by the payload:
//
//	crc32c(payload) uint32 LE | len(payload) uint32 LE | payload
//
// A record is written with one write call. Reading stops cleanly at a torn
// tail (a header or payload cut short by a crash); a complete record whose
// checksum does not match is corruption and is reported as a
// *CorruptionError naming the file and offset.
package record

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// HeaderLen is the size of a record header.
const HeaderLen = 8

// MaxRecord bounds a record's payload (1 GiB); longer lengths are corruption.
const MaxRecord = 1 << 30

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt is matched (with errors.Is) by every *CorruptionError.
var ErrCorrupt = errors.New("record: corrupt record")

// CorruptionError reports a damaged record.
type CorruptionError struct {
	File   string
	Offset int64
	Reason string
}

func (e *CorruptionError) Error() string {
	return fmt.Sprintf("record: corrupt record in %s at offset %d: %s", e.File, e.Offset, e.Reason)
}

// Is reports whether target is ErrCorrupt.
func (e *CorruptionError) Is(target error) bool { return target == ErrCorrupt }

// Writer appends records to a file. It is not safe for concurrent use.
type Writer struct {
	f    *os.File
	buf  []byte
	size int64
}

// Create creates (truncating) the file at path and returns a Writer on it.
func Create(path string) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return &Writer{f: f}, nil
}

// Append writes one record and, if sync is set, fsyncs the file.
func (w *Writer) Append(payload []byte, sync bool) error {
	w.buf = w.buf[:0]
	w.buf = binary.LittleEndian.AppendUint32(w.buf, crc32.Checksum(payload, castagnoli))
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(len(payload)))
	w.buf = append(w.buf, payload...)
	n, err := w.f.Write(w.buf)
	w.size += int64(n)
	if err != nil {
		return err
	}
	if sync {
		return w.f.Sync()
	}
	return nil
}

// Sync fsyncs the file.
func (w *Writer) Sync() error { return w.f.Sync() }

// Size returns the bytes written so far.
func (w *Writer) Size() int64 { return w.size }

// Close closes the file without syncing.
func (w *Writer) Close() error { return w.f.Close() }

// ReadAll calls fn for every intact record of r in order. name is used in
// errors. It returns nil at EOF or at a torn tail, a *CorruptionError for a
// bad checksum, and fn's error if fn fails. The slice passed to fn is reused.
func ReadAll(r io.Reader, name string, fn func(payload []byte) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var hdr [HeaderLen]byte
	var buf []byte
	var off int64
	for {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil
			}
			return err
		}
		sum := binary.LittleEndian.Uint32(hdr[0:4])
		n := binary.LittleEndian.Uint32(hdr[4:8])
		if n > MaxRecord {
			return &CorruptionError{name, off, fmt.Sprintf("record length %d too large", n)}
		}
		if cap(buf) < int(n) {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		if _, err := io.ReadFull(br, buf); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return nil // torn tail
			}
			return err
		}
		if crc32.Checksum(buf, castagnoli) != sum {
			return &CorruptionError{name, off, "checksum mismatch"}
		}
		if err := fn(buf); err != nil {
			return err
		}
		off += HeaderLen + int64(n)
	}
}

// ReadFile is ReadAll on the named file.
func ReadFile(path string, fn func(payload []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return ReadAll(f, path, fn)
}
