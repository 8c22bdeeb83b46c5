package sstable

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sync"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"
	"github.com/sysdesign-go/sysdesign/lsm/internal/base"
)

// ErrCorrupt is matched by every error about a damaged table.
var ErrCorrupt = errors.New("sstable: corrupt table")

// ReadableFile is what a Reader reads from (an *os.File in practice).
type ReadableFile interface {
	io.ReaderAt
	io.Closer
}

// Reader reads a table. It is safe for concurrent use; iterators are not.
type Reader struct {
	f      ReadableFile
	name   string
	fileID uint64
	cache  *Cache
	filter Filter
	index  []byte
	mapped []byte       // the whole file, if memory-mapped
	unmap  func() error // releases mapped
	// verified has one bit per 16 bytes of mapped: set once the block
	// starting there has passed its checksum (every block with its
	// trailer is longer than 16 bytes, so blocks never share a bit).
	verified []atomic.Uint64
	// getters pools the scratch iterators of Get.
	getters sync.Pool
}

// SetMapped makes the reader take blocks from data, the whole file mapped
// into memory, instead of reading them: the first read of a block checks
// its checksum over the mapped memory, later reads return the mapped bytes
// at once, with no system call, no copy, no checksum and no block cache
// (the operating system's page cache holds the data). unmap is called by
// Close. Call it before any other method.
func (r *Reader) SetMapped(data []byte, unmap func() error) {
	r.mapped, r.unmap = data, unmap
	r.verified = nil
	if data != nil {
		r.verified = make([]atomic.Uint64, (len(data)/16+63)/64)
	}
}

// mappedBlock returns the block at (off, n) of the mapped file, checking
// its checksum the first time.
func (r *Reader) mappedBlock(off, n uint64) ([]byte, error) {
	slot := off / 16
	if end := off + n + trailerLen; off < end && end <= uint64(len(r.mapped)) {
		w, bit := &r.verified[slot/64], uint64(1)<<(slot%64)
		if w.Load()&bit != 0 {
			return r.mapped[off : off+n : off+n], nil
		}
		b, err := r.readRaw(off, n, ^uint64(0)>>1, nil)
		if err == nil {
			w.Or(bit)
		}
		return b, err
	}
	return nil, r.corrupt("block handle (%d, %d) beyond the file", off, n)
}

// NewReader opens a table of the given size. name is used in errors, fileID
// keys the cache. On error f is not closed.
func NewReader(f ReadableFile, size int64, name string, fileID uint64, cache *Cache, policy FilterPolicy) (*Reader, error) {
	r := &Reader{f: f, name: name, fileID: fileID, cache: cache}
	if size < footerLen {
		return nil, r.corrupt("file of %d bytes is too short", size)
	}
	var ft [footerLen]byte
	if _, err := f.ReadAt(ft[:], size-footerLen); err != nil {
		return nil, fmt.Errorf("sstable: %s: %w", name, err)
	}
	if binary.LittleEndian.Uint64(ft[40:]) != Magic {
		return nil, r.corrupt("bad magic number")
	}
	if crc32.Checksum(ft[:36], castagnoli) != binary.LittleEndian.Uint32(ft[36:]) {
		return nil, r.corrupt("footer checksum mismatch")
	}
	if v := binary.LittleEndian.Uint32(ft[32:]); v != FormatVersion {
		return nil, r.corrupt("unsupported format version %d", v)
	}
	fOff, fLen := binary.LittleEndian.Uint64(ft[0:]), binary.LittleEndian.Uint64(ft[8:])
	iOff, iLen := binary.LittleEndian.Uint64(ft[16:]), binary.LittleEndian.Uint64(ft[24:])
	limit := uint64(size - footerLen)
	filter, err := r.readRaw(fOff, fLen, limit, nil)
	if err != nil {
		return nil, err
	}
	if policy != nil && len(filter) > 0 {
		if r.filter, err = policy.Open(filter); err != nil {
			return nil, r.corrupt("filter: %v", err)
		}
	}
	if r.index, err = r.readRaw(iOff, iLen, limit, nil); err != nil {
		return nil, err
	}
	var it blockIter
	if err := it.init(r.index); err != nil {
		return nil, r.wrap(err)
	}
	return r, nil
}

func (r *Reader) corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrCorrupt, r.name, fmt.Sprintf(format, args...))
}

func (r *Reader) wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", r.name, err)
}

// readRaw reads and verifies the block at (off, n) which must end before
// limit, into scratch if it is large enough (else a new buffer).
func (r *Reader) readRaw(off, n, limit uint64, scratch []byte) ([]byte, error) {
	if off > limit || n > limit-off || n+trailerLen > limit-off {
		return nil, r.corrupt("block handle (%d, %d) out of range", off, n)
	}
	var buf []byte
	if r.mapped != nil {
		if end := off + n + trailerLen; end <= uint64(len(r.mapped)) {
			buf = r.mapped[off:end:end]
		} else {
			return nil, r.corrupt("block handle (%d, %d) beyond the file", off, n)
		}
	} else if uint64(cap(scratch)) >= n+trailerLen {
		buf = scratch[:n+trailerLen]
	} else {
		buf = make([]byte, n+trailerLen)
	}
	if r.mapped == nil {
		if _, err := r.f.ReadAt(buf, int64(off)); err != nil {
			return nil, fmt.Errorf("sstable: %s: %w", r.name, err)
		}
	}
	b, tr := buf[:n], buf[n:]
	if tr[0] != 0 {
		return nil, r.corrupt("unknown compression %d in block at %d", tr[0], off)
	}
	crc := crc32.Update(crc32.Checksum(b, castagnoli), castagnoli, tr[:1])
	if crc != binary.LittleEndian.Uint32(tr[1:]) {
		return nil, r.corrupt("checksum mismatch in block at %d", off)
	}
	return b, nil
}

// readBlock returns the block at handle from the cache or the file. With
// fill the block is cached; with fill unset and scratch set, it is read
// into *scratch (grown as needed), which the caller reuses once it is done
// with the block. The returned *Block, if not nil, holds a reference to the
// data that the caller must release when done with it.
func (r *Reader) readBlock(handle []byte, fill bool, scratch *[]byte) ([]byte, *Block, error) {
	off, n1 := binary.Uvarint(handle)
	if n1 <= 0 {
		return nil, nil, r.corrupt("bad block handle")
	}
	n, n2 := binary.Uvarint(handle[n1:])
	if n2 <= 0 {
		return nil, nil, r.corrupt("bad block handle")
	}
	if r.mapped != nil {
		b, err := r.mappedBlock(off, n)
		return b, nil, err
	}
	if b := r.cache.Get(r.fileID, off); b != nil {
		return b.Data, b, nil
	}
	const limit = ^uint64(0) >> 1
	if !fill && scratch != nil {
		b, err := r.readRaw(off, n, limit, *scratch)
		if err == nil && cap(b) > cap(*scratch) {
			*scratch = b[:0:cap(b)]
		}
		return b, nil, err
	}
	if off > limit || n > limit-off || n+trailerLen > limit-off || n > maxBlockLen {
		return nil, nil, r.corrupt("block handle (%d, %d) out of range", off, n)
	}
	blk := r.cache.newBlock(int(n + trailerLen))
	b, err := r.readRaw(off, n, limit, blk.buf)
	if err != nil {
		blk.Release()
		return nil, nil, err
	}
	blk.Data = b
	if fill {
		blk = r.cache.Insert(r.fileID, off, blk)
	}
	return blk.Data, blk, nil
}

// maxBlockLen bounds the length of a data block read through the pool, so
// a damaged handle cannot ask for a huge allocation.
const maxBlockLen = 1 << 30

// MayContain reports whether the table's filter admits the user key.
func (r *Reader) MayContain(ukey []byte) bool {
	if r.filter == nil {
		return true
	}
	return r.filter.MayContain(xxhash.Sum64(ukey))
}

// getter holds the two block iterators of a point lookup, pooled so that
// their key buffers are reused across lookups.
type getter struct{ idx, data blockIter }

func (r *Reader) putGetter(g *getter) {
	g.idx.data, g.idx.val = nil, nil
	g.data.data, g.data.val = nil, nil
	r.getters.Put(g)
}

// Get returns the first entry with internal key >= ik if it has the same
// user key. The value is a copy: the only allocation of a lookup whose
// block is cached.
func (r *Reader) Get(ik []byte) (value []byte, kind base.Kind, found bool, err error) {
	ukey := base.UserKey(ik)
	if !r.MayContain(ukey) {
		return nil, 0, false, nil
	}
	g, _ := r.getters.Get().(*getter)
	if g == nil {
		g = new(getter)
	}
	defer r.putGetter(g)
	idx, it := &g.idx, &g.data
	if err := idx.init(r.index); err != nil {
		return nil, 0, false, r.wrap(err)
	}
	if !idx.SeekGE(ik) {
		return nil, 0, false, r.wrap(idx.err)
	}
	b, blk, err := r.readBlock(idx.val, true, nil)
	if err != nil {
		return nil, 0, false, err
	}
	defer blk.Release()
	if err := it.init(b); err != nil {
		return nil, 0, false, r.wrap(err)
	}
	if !it.SeekGE(ik) {
		return nil, 0, false, r.wrap(it.err)
	}
	if !bytes.Equal(base.UserKey(it.key), ukey) {
		return nil, 0, false, nil
	}
	return bytes.Clone(it.val), base.KindOf(it.key), true, nil
}

// Close releases the mapping, if any, and closes the file.
func (r *Reader) Close() error {
	if r.unmap != nil {
		r.unmap()
		r.mapped, r.unmap = nil, nil
	}
	return r.f.Close()
}

// NewIter returns a two-level iterator over the table. Blocks it reads go
// into the cache only if fillCache is set (compactions pass false, so one
// pass over cold data does not evict the hot blocks).
func (r *Reader) NewIter(fillCache bool) base.Iterator {
	it := &tableIter{r: r, fill: fillCache}
	if err := it.index.init(r.index); err != nil {
		it.err = r.wrap(err)
	}
	return it
}

type tableIter struct {
	r       *Reader
	fill    bool
	scratch []byte // block buffer reused when !fill
	blk     *Block // the reference held on data's block, if any
	index   blockIter
	data    blockIter
	err     error
}

func (it *tableIter) fail(err error) bool {
	if it.err == nil {
		it.err = err
	}
	it.data.valid = false
	return false
}

// load points data at the block the index iterator is on.
func (it *tableIter) load() bool {
	if !it.index.valid {
		it.data.valid = false
		if it.index.err != nil {
			return it.fail(it.r.wrap(it.index.err))
		}
		return false
	}
	b, blk, err := it.r.readBlock(it.index.val, it.fill, &it.scratch)
	if err != nil {
		return it.fail(err)
	}
	it.blk.Release()
	it.blk = blk
	if err := it.data.init(b); err != nil {
		return it.fail(it.r.wrap(err))
	}
	return true
}

func (it *tableIter) check(ok bool) bool {
	if !ok && it.data.err != nil {
		return it.fail(it.r.wrap(it.data.err))
	}
	return ok
}

func (it *tableIter) forwardSkip() bool {
	for {
		if it.check(it.data.valid) {
			return true
		}
		if it.err != nil {
			return false
		}
		it.index.Next()
		if !it.load() {
			return false
		}
		it.data.First()
	}
}

func (it *tableIter) backwardSkip() bool {
	for {
		if it.check(it.data.valid) {
			return true
		}
		if it.err != nil {
			return false
		}
		it.index.Prev()
		if !it.load() {
			return false
		}
		it.data.Last()
	}
}

func (it *tableIter) SeekGE(ik []byte) bool {
	if it.err != nil {
		return false
	}
	it.index.SeekGE(ik)
	if !it.load() {
		return false
	}
	it.data.SeekGE(ik)
	return it.forwardSkip()
}

func (it *tableIter) SeekLT(ik []byte) bool {
	if it.err != nil {
		return false
	}
	if !it.index.SeekGE(ik) {
		if it.index.err != nil {
			return it.fail(it.r.wrap(it.index.err))
		}
		it.index.Last()
	}
	if !it.load() {
		return false
	}
	it.data.SeekLT(ik)
	return it.backwardSkip()
}

func (it *tableIter) First() bool {
	if it.err != nil {
		return false
	}
	it.index.First()
	if !it.load() {
		return false
	}
	it.data.First()
	return it.forwardSkip()
}

func (it *tableIter) Last() bool {
	if it.err != nil {
		return false
	}
	it.index.Last()
	if !it.load() {
		return false
	}
	it.data.Last()
	return it.backwardSkip()
}

func (it *tableIter) Next() bool {
	if !it.data.valid {
		return false
	}
	it.data.Next()
	return it.forwardSkip()
}

func (it *tableIter) Prev() bool {
	if !it.data.valid {
		return false
	}
	it.data.Prev()
	return it.backwardSkip()
}

func (it *tableIter) Valid() bool   { return it.data.valid }
func (it *tableIter) Key() []byte   { return it.data.key }
func (it *tableIter) Value() []byte { return it.data.val }
func (it *tableIter) Error() error  { return it.err }

func (it *tableIter) Close() error {
	it.data.valid = false
	it.data.data, it.data.key, it.data.val = nil, nil, nil
	it.blk.Release()
	it.blk = nil
	return nil
}
