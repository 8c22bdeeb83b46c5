package sstable

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"

	"github.com/cespare/xxhash/v2"
	"github.com/sysdesign-go/sysdesign/lsm/internal/base"
)

const (
	// FormatVersion is the table format this package writes and reads.
	FormatVersion = 1
	footerLen     = 48
	trailerLen    = 5
)

// Magic ends every table ("SYSDLSM1").
const Magic uint64 = 0x5359_5344_4c53_4d31

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// WriterOptions configures a Writer. Zero fields take defaults.
type WriterOptions struct {
	BlockSize       int          // target data block size, default 4096
	RestartInterval int          // entries between restart points, default 16
	Filter          FilterPolicy // nil writes no filter
}

// Writer writes a table to a file. Keys must be added in increasing internal
// key order. It is not safe for concurrent use.
type Writer struct {
	f        *os.File
	bw       *bufio.Writer
	opts     WriterOptions
	off      uint64
	data     blockWriter
	index    blockWriter
	hashes   []uint64
	lastUser []byte
	first    []byte
	last     []byte
	entries  int
	err      error
}

// NewWriter creates the table file at path.
func NewWriter(path string, opts WriterOptions) (*Writer, error) {
	if opts.BlockSize <= 0 {
		opts.BlockSize = 4096
	}
	if opts.RestartInterval <= 0 {
		opts.RestartInterval = 16
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	w := &Writer{f: f, bw: bufio.NewWriterSize(f, 256<<10), opts: opts}
	w.data.restartInterval = opts.RestartInterval
	w.index.restartInterval = 1
	return w, nil
}

// Add appends an entry with internal key ik.
func (w *Writer) Add(ik, value []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.entries > 0 && base.Compare(ik, w.last) <= 0 {
		w.err = errors.New("sstable: keys added out of order")
		return w.err
	}
	if w.entries == 0 {
		w.first = append(w.first[:0], ik...)
	}
	uk := base.UserKey(ik)
	if w.opts.Filter != nil && (w.entries == 0 || string(uk) != string(w.lastUser)) {
		w.hashes = append(w.hashes, xxhash.Sum64(uk))
		w.lastUser = append(w.lastUser[:0], uk...)
	}
	w.data.add(ik, value)
	w.last = append(w.last[:0], ik...)
	w.entries++
	if w.data.estimatedSize() >= w.opts.BlockSize {
		w.flushData()
	}
	return w.err
}

func (w *Writer) flushData() {
	if w.data.entries == 0 {
		return
	}
	off, n := w.writeBlock(w.data.finish())
	var h []byte
	h = binary.AppendUvarint(h, off)
	h = binary.AppendUvarint(h, n)
	w.index.add(w.data.lastKey, h)
	w.data.reset()
}

func (w *Writer) writeBlock(b []byte) (off, n uint64) {
	if w.err != nil {
		return 0, 0
	}
	var tr [trailerLen]byte
	tr[0] = 0 // no compression
	crc := crc32.Update(crc32.Checksum(b, castagnoli), castagnoli, tr[:1])
	binary.LittleEndian.PutUint32(tr[1:], crc)
	off = w.off
	if _, err := w.bw.Write(b); err != nil {
		w.err = err
	}
	if _, err := w.bw.Write(tr[:]); err != nil {
		w.err = err
	}
	w.off += uint64(len(b)) + trailerLen
	return off, uint64(len(b))
}

// EstimatedSize returns the bytes written plus the pending block.
func (w *Writer) EstimatedSize() uint64 { return w.off + uint64(len(w.data.buf)) }

// Entries returns the number of entries added.
func (w *Writer) Entries() int { return w.entries }

// Smallest and Largest return the first and last internal keys added.
func (w *Writer) Smallest() []byte { return w.first }

// Largest returns the last internal key added.
func (w *Writer) Largest() []byte { return w.last }

// Finish writes the filter, index and footer, syncs and closes the file, and
// returns the file size.
func (w *Writer) Finish() (uint64, error) {
	w.flushData()
	var filter []byte
	if w.opts.Filter != nil {
		filter = w.opts.Filter.Build(w.hashes)
	}
	fOff, fLen := w.writeBlock(filter)
	iOff, iLen := w.writeBlock(w.index.finish())
	var ft [footerLen]byte
	binary.LittleEndian.PutUint64(ft[0:], fOff)
	binary.LittleEndian.PutUint64(ft[8:], fLen)
	binary.LittleEndian.PutUint64(ft[16:], iOff)
	binary.LittleEndian.PutUint64(ft[24:], iLen)
	binary.LittleEndian.PutUint32(ft[32:], FormatVersion)
	binary.LittleEndian.PutUint32(ft[36:], crc32.Checksum(ft[:36], castagnoli))
	binary.LittleEndian.PutUint64(ft[40:], Magic)
	if w.err == nil {
		if _, err := w.bw.Write(ft[:]); err != nil {
			w.err = err
		}
	}
	w.off += footerLen
	if w.err == nil {
		w.err = w.bw.Flush()
	}
	if w.err == nil {
		w.err = w.f.Sync()
	}
	if err := w.f.Close(); w.err == nil {
		w.err = err
	}
	return w.off, w.err
}

// Abort closes and removes the file after a failure.
func (w *Writer) Abort() {
	w.f.Close()
	os.Remove(w.f.Name())
}
