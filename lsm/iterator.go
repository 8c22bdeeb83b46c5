package lsm

import (
	"bytes"
	"iter"

	"github.com/sysdesign-go/sysdesign/lsm/internal/base"
)

// Iterator walks the live keys of a consistent snapshot in key order,
// forward or backward, within optional bounds. Writes made after the
// iterator was created are not visible to it; they may continue while it
// is open. An Iterator is not safe for concurrent use; close it before
// closing the DB. Key and Value are valid until the next positioning call.
//
// A new Iterator is unpositioned: call First, Last, SeekGE or SeekLT.
type Iterator struct {
	db       *DB
	v        *version
	it       *mergingIter
	seq      uint64
	lower    []byte
	upper    []byte
	reverse  bool
	valid    bool
	savedKey []byte
	savedVal []byte
	err      error
	buf      []byte
	closed   bool
}

// NewIter returns an iterator over the current state of the DB.
func (db *DB) NewIter(o *IterOptions) *Iterator {
	return db.newIter(o, 0, false)
}

func (db *DB) newIter(o *IterOptions, seq uint64, atSeq bool) *Iterator {
	it := &Iterator{db: db}
	mem, imm, v, err := db.ref()
	if err != nil {
		it.err = err
		it.closed = true
		return it
	}
	if !atSeq {
		seq = db.visibleSeq.Load()
	}
	it.v, it.seq = v, seq
	children := []base.Iterator{mem.mt.NewIter()}
	for i := len(imm) - 1; i >= 0; i-- {
		children = append(children, imm[i].mt.NewIter())
	}
	for _, f := range v.levels[0] {
		children = append(children, newLevelIter(db, []*fileMeta{f}, true))
	}
	for l := 1; l < numLevels; l++ {
		if len(v.levels[l]) > 0 {
			children = append(children, newLevelIter(db, v.levels[l], true))
		}
	}
	it.it = newMergingIter(children)
	if o != nil {
		it.lower, it.upper = o.LowerBound, o.UpperBound
		if o.Prefix != nil {
			if it.lower == nil || bytes.Compare(it.lower, o.Prefix) < 0 {
				it.lower = o.Prefix
			}
			if succ := prefixSuccessor(o.Prefix); succ != nil && (it.upper == nil || bytes.Compare(succ, it.upper) < 0) {
				it.upper = succ
			}
		}
	}
	return it
}

// prefixSuccessor returns the smallest key greater than every key with
// prefix p, or nil if there is none (p is all 0xff).
func prefixSuccessor(p []byte) []byte {
	s := bytes.Clone(p)
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] != 0xff {
			s[i]++
			return s[:i+1]
		}
	}
	return nil
}

func (it *Iterator) aboveUpper(uk []byte) bool {
	return it.upper != nil && bytes.Compare(uk, it.upper) >= 0
}

func (it *Iterator) belowLower(uk []byte) bool {
	return it.lower != nil && bytes.Compare(uk, it.lower) < 0
}

// findNext moves the internal iterator to the next visible value at or
// after its position, skipping keys equal to skip when skipping is set.
func (it *Iterator) findNext(skipping bool, skip []byte) bool {
	in := it.it
	for in.Valid() {
		ik := in.Key()
		uk := base.UserKey(ik)
		if it.aboveUpper(uk) {
			break
		}
		if base.Seq(ik) <= it.seq {
			switch base.KindOf(ik) {
			case base.KindDelete:
				skip = append(skip[:0], uk...)
				skipping = true
			case base.KindSet:
				if !skipping || bytes.Compare(uk, skip) > 0 {
					it.valid = true
					it.buf = skip
					return true
				}
			}
		}
		in.Next()
	}
	it.buf = skip
	it.valid = false
	it.err = in.Error()
	return false
}

// findPrev leaves the internal iterator before the entries of the previous
// visible key and saves that key and value.
func (it *Iterator) findPrev() bool {
	in := it.it
	kind := base.KindDelete
	for in.Valid() {
		ik := in.Key()
		uk := base.UserKey(ik)
		if base.Seq(ik) <= it.seq {
			if kind != base.KindDelete && bytes.Compare(uk, it.savedKey) < 0 {
				break // the key after this one is complete
			}
			if it.belowLower(uk) {
				break
			}
			kind = base.KindOf(ik)
			if kind == base.KindDelete {
				it.savedKey = it.savedKey[:0]
				it.savedVal = it.savedVal[:0]
			} else {
				it.savedKey = append(it.savedKey[:0], uk...)
				it.savedVal = append(it.savedVal[:0], in.Value()...)
			}
		} else if it.belowLower(uk) {
			break
		}
		in.Prev()
	}
	if err := in.Error(); err != nil {
		it.err = err
		it.valid = false
		return false
	}
	if kind == base.KindDelete {
		it.valid = false
		it.savedKey = it.savedKey[:0]
		it.savedVal = it.savedVal[:0]
		it.reverse = false
		return false
	}
	it.valid = true
	return true
}

func (it *Iterator) usable() bool { return !it.closed && it.err == nil }

// SeekGE moves to the first key >= key (and >= the lower bound). It reports
// whether the iterator is valid.
func (it *Iterator) SeekGE(key []byte) bool {
	if !it.usable() {
		return false
	}
	if it.belowLower(key) {
		key = it.lower
	}
	it.reverse = false
	it.buf = base.MakeKey(it.buf[:0], key, it.seq, base.KindMax)
	it.it.SeekGE(it.buf)
	return it.findNext(false, it.buf[:0])
}

// SeekLT moves to the last key < key (and below the upper bound).
func (it *Iterator) SeekLT(key []byte) bool {
	if !it.usable() {
		return false
	}
	if it.upper != nil && (key == nil || bytes.Compare(key, it.upper) > 0) {
		key = it.upper
	}
	it.reverse = true
	it.buf = base.MakeKey(it.buf[:0], key, base.MaxSeq, base.KindMax)
	it.it.SeekLT(it.buf)
	return it.findPrev()
}

// First moves to the first key within the bounds.
func (it *Iterator) First() bool {
	if !it.usable() {
		return false
	}
	if it.lower != nil {
		return it.SeekGE(it.lower)
	}
	it.reverse = false
	it.it.First()
	return it.findNext(false, it.buf[:0])
}

// Last moves to the last key within the bounds.
func (it *Iterator) Last() bool {
	if !it.usable() {
		return false
	}
	if it.upper != nil {
		return it.SeekLT(it.upper)
	}
	it.reverse = true
	it.it.Last()
	return it.findPrev()
}

// Next moves to the next key. It reports whether the iterator is valid.
func (it *Iterator) Next() bool {
	if !it.usable() || !it.valid {
		return false
	}
	skip := it.buf[:0]
	if it.reverse {
		it.reverse = false
		// The internal iterator is before the current key's entries.
		if !it.it.Valid() {
			if it.it.Error() != nil {
				it.err = it.it.Error()
				return false
			}
			it.it.First()
		} else {
			it.it.Next()
		}
		skip = append(skip, it.savedKey...)
	} else {
		skip = append(skip, base.UserKey(it.it.Key())...)
		it.it.Next()
	}
	return it.findNext(true, skip)
}

// Prev moves to the previous key. It reports whether the iterator is valid.
func (it *Iterator) Prev() bool {
	if !it.usable() || !it.valid {
		return false
	}
	if !it.reverse {
		it.savedKey = append(it.savedKey[:0], base.UserKey(it.it.Key())...)
		for {
			if !it.it.Prev() {
				it.valid = false
				it.err = it.it.Error()
				it.savedKey = it.savedKey[:0]
				return false
			}
			if bytes.Compare(base.UserKey(it.it.Key()), it.savedKey) < 0 {
				break
			}
		}
		it.reverse = true
	}
	return it.findPrev()
}

// Valid reports whether the iterator is at a key.
func (it *Iterator) Valid() bool { return it.valid && it.err == nil && !it.closed }

// Key returns the current key. It is valid until the next move.
func (it *Iterator) Key() []byte {
	if it.reverse {
		return it.savedKey
	}
	return base.UserKey(it.it.Key())
}

// Value returns the current value. It is valid until the next move.
func (it *Iterator) Value() []byte {
	if it.reverse {
		return it.savedVal
	}
	return it.it.Value()
}

// Error returns the error that stopped the iterator, if any (for example
// a corrupt table, named in a *CorruptionError).
func (it *Iterator) Error() error { return it.err }

// Close releases the iterator's snapshot of tables. It returns the
// iterator's error, if any.
func (it *Iterator) Close() error {
	if it.closed {
		return it.err
	}
	it.closed = true
	it.valid = false
	it.it.Close()
	it.db.unref(it.v)
	return it.err
}

// All returns an iterator over the key/value pairs in ascending order. The
// slices are valid only for one iteration step. Check Error afterwards.
func (it *Iterator) All() iter.Seq2[[]byte, []byte] {
	return func(yield func([]byte, []byte) bool) {
		for ok := it.First(); ok; ok = it.Next() {
			if !yield(it.Key(), it.Value()) {
				return
			}
		}
	}
}

// Backward returns an iterator over the pairs in descending order.
func (it *Iterator) Backward() iter.Seq2[[]byte, []byte] {
	return func(yield func([]byte, []byte) bool) {
		for ok := it.Last(); ok; ok = it.Prev() {
			if !yield(it.Key(), it.Value()) {
				return
			}
		}
	}
}
