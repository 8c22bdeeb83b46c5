package sstable

import (
	"encoding/binary"
	"fmt"

	"github.com/sysdesign-go/sysdesign/lsm/internal/base"
)

// blockWriter builds one block with prefix compression and restart points.
type blockWriter struct {
	buf             []byte
	restarts        []uint32
	restartInterval int
	counter         int
	lastKey         []byte
	entries         int
}

func (w *blockWriter) add(key, value []byte) {
	shared := 0
	if w.counter < w.restartInterval && w.entries > 0 {
		n := min(len(key), len(w.lastKey))
		for shared < n && key[shared] == w.lastKey[shared] {
			shared++
		}
	} else {
		w.restarts = append(w.restarts, uint32(len(w.buf)))
		w.counter = 0
	}
	w.buf = binary.AppendUvarint(w.buf, uint64(shared))
	w.buf = binary.AppendUvarint(w.buf, uint64(len(key)-shared))
	w.buf = binary.AppendUvarint(w.buf, uint64(len(value)))
	w.buf = append(w.buf, key[shared:]...)
	w.buf = append(w.buf, value...)
	w.lastKey = append(w.lastKey[:0], key...)
	w.counter++
	w.entries++
}

func (w *blockWriter) estimatedSize() int { return len(w.buf) + 4*len(w.restarts) + 4 }

// finish appends the restart array and returns the block bytes, which stay
// valid until reset.
func (w *blockWriter) finish() []byte {
	if len(w.restarts) == 0 {
		w.restarts = append(w.restarts, 0)
	}
	for _, r := range w.restarts {
		w.buf = binary.LittleEndian.AppendUint32(w.buf, r)
	}
	w.buf = binary.LittleEndian.AppendUint32(w.buf, uint32(len(w.restarts)))
	return w.buf
}

func (w *blockWriter) reset() {
	w.buf = w.buf[:0]
	w.restarts = w.restarts[:0]
	w.counter = 0
	w.entries = 0
	w.lastKey = w.lastKey[:0]
}

// blockIter iterates a block. A corrupt block makes it invalid with Error set;
// it never panics on bad input.
type blockIter struct {
	data        []byte
	restartOff  int // start of the restart array
	numRestarts int
	offset      int // current entry; restartOff when past the end
	next        int
	key         []byte
	val         []byte
	valid       bool
	err         error
}

func errBlock(format string, args ...any) error {
	return fmt.Errorf("%w: block: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// init points the iterator at block data (trailer already stripped).
func (it *blockIter) init(data []byte) error {
	*it = blockIter{key: it.key[:0]}
	if len(data) < 4 {
		return errBlock("%d bytes is too short", len(data))
	}
	n := binary.LittleEndian.Uint32(data[len(data)-4:])
	if n == 0 || uint64(n)*4+4 > uint64(len(data)) {
		return errBlock("bad restart count %d", n)
	}
	it.data = data
	it.numRestarts = int(n)
	it.restartOff = len(data) - 4 - 4*int(n)
	return nil
}

func (it *blockIter) restart(i int) int {
	return int(binary.LittleEndian.Uint32(it.data[it.restartOff+4*i:]))
}

func (it *blockIter) corrupt(err error) bool {
	if it.err == nil {
		it.err = err
	}
	it.valid = false
	return false
}

// decodeAt parses the entry at off using it.key as the previous key.
func (it *blockIter) decodeAt(off int) bool {
	if off >= it.restartOff {
		it.valid = false
		it.offset = it.restartOff
		return false
	}
	p := it.data[off:it.restartOff]
	var shared, unshared, vlen uint64
	var h int
	if len(p) >= 3 && (p[0]|p[1]|p[2])&0x80 == 0 {
		// Fast path: three one-byte varints.
		shared, unshared, vlen, h = uint64(p[0]), uint64(p[1]), uint64(p[2]), 3
	} else {
		var n1, n2, n3 int
		shared, n1 = binary.Uvarint(p)
		if n1 <= 0 {
			return it.corrupt(errBlock("bad entry header at %d", off))
		}
		unshared, n2 = binary.Uvarint(p[n1:])
		if n2 <= 0 {
			return it.corrupt(errBlock("bad entry header at %d", off))
		}
		vlen, n3 = binary.Uvarint(p[n1+n2:])
		if n3 <= 0 {
			return it.corrupt(errBlock("bad entry header at %d", off))
		}
		h = n1 + n2 + n3
	}
	if shared > uint64(len(it.key)) || unshared > uint64(len(p)-h) || vlen > uint64(len(p)-h)-unshared {
		return it.corrupt(errBlock("entry at %d overruns the block", off))
	}
	it.key = append(it.key[:shared], p[h:h+int(unshared)]...)
	if !base.Valid(it.key) {
		return it.corrupt(errBlock("bad internal key at %d", off))
	}
	it.val = p[h+int(unshared) : h+int(unshared)+int(vlen)]
	it.offset = off
	it.next = off + h + int(unshared) + int(vlen)
	it.valid = true
	return true
}

// restartKey returns the key of the entry at restart point i without
// copying it, or false if the entry is malformed (or not a valid internal
// key), in which case the caller decodes it the slow way to get the error.
func (it *blockIter) restartKey(i int) ([]byte, bool) {
	off := it.restart(i)
	if off >= it.restartOff {
		return nil, false
	}
	p := it.data[off:it.restartOff]
	if len(p) < 3 || (p[0]|p[1]|p[2])&0x80 != 0 || p[0] != 0 {
		return nil, false
	}
	unshared := int(p[1])
	if unshared > len(p)-3 || int(p[2]) > len(p)-3-unshared {
		return nil, false
	}
	k := p[3 : 3+unshared]
	if !base.Valid(k) {
		return nil, false
	}
	return k, true
}

func (it *blockIter) seekRestart(i int) bool {
	off := it.restart(i)
	if off >= it.restartOff {
		return it.corrupt(errBlock("restart %d out of range", i))
	}
	it.key = it.key[:0]
	return it.decodeAt(off)
}

func (it *blockIter) First() bool {
	if it.err != nil {
		return false
	}
	return it.seekRestart(0)
}

func (it *blockIter) Next() bool {
	if !it.valid {
		return false
	}
	return it.decodeAt(it.next)
}

func (it *blockIter) Last() bool {
	if it.err != nil || !it.seekRestart(it.numRestarts-1) {
		return false
	}
	for it.next < it.restartOff {
		if !it.decodeAt(it.next) {
			return false
		}
	}
	return true
}

func (it *blockIter) Prev() bool {
	if !it.valid {
		return false
	}
	cur := it.offset
	// The last restart point strictly before cur.
	lo, hi := 0, it.numRestarts
	for lo < hi {
		mid := (lo + hi) / 2
		if it.restart(mid) < cur {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		it.valid = false
		return false
	}
	if !it.seekRestart(lo - 1) {
		return false
	}
	for it.next < cur {
		if !it.decodeAt(it.next) {
			return false
		}
	}
	if it.next != cur {
		return it.corrupt(errBlock("restart points out of order"))
	}
	return true
}

func (it *blockIter) SeekGE(ik []byte) bool {
	if it.err != nil {
		return false
	}
	// Find the last restart whose key is < ik. A restart entry shares
	// nothing with its predecessor, so its key is compared in place.
	lo, hi := 0, it.numRestarts
	for lo < hi {
		mid := (lo + hi) / 2
		k, ok := it.restartKey(mid)
		if !ok {
			if !it.seekRestart(mid) { // records why the entry is bad
				return false
			}
			k = it.key
		}
		if base.Compare(k, ik) < 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	start := max(lo-1, 0)
	if !it.seekRestart(start) {
		return false
	}
	for base.Compare(it.key, ik) < 0 {
		if !it.decodeAt(it.next) {
			return false
		}
	}
	return true
}

func (it *blockIter) SeekLT(ik []byte) bool {
	if it.SeekGE(ik) {
		return it.Prev()
	}
	if it.err != nil {
		return false
	}
	return it.Last()
}

func (it *blockIter) Valid() bool   { return it.valid }
func (it *blockIter) Key() []byte   { return it.key }
func (it *blockIter) Value() []byte { return it.val }
func (it *blockIter) Error() error  { return it.err }
func (it *blockIter) Close() error  { it.valid = false; return nil }
