package lsm

import (
	"sort"

	"github.com/sysdesign-go/sysdesign/lsm/internal/base"
)

// levelIter concatenates the tables of a sorted, non-overlapping level,
// opening each table only when the iterator reaches it.
type levelIter struct {
	db    *DB
	files []*fileMeta
	idx   int
	cur   base.Iterator
	err   error
	fill  bool // add blocks read to the block cache
}

func newLevelIter(db *DB, files []*fileMeta, fillCache bool) *levelIter {
	return &levelIter{db: db, files: files, idx: -1, fill: fillCache}
}

func (l *levelIter) open(i int) bool {
	if l.cur != nil {
		l.cur.Close()
		l.cur = nil
	}
	l.idx = i
	if i < 0 || i >= len(l.files) {
		return false
	}
	r, err := l.db.tables.get(l.files[i])
	if err != nil {
		l.err = err
		return false
	}
	l.cur = r.NewIter(l.fill)
	return true
}

func (l *levelIter) check(ok bool) bool {
	if !ok && l.cur != nil && l.cur.Error() != nil {
		l.err = tableErr(tableName(l.db.dir, l.files[l.idx].num), l.cur.Error())
		l.cur.Close()
		l.cur = nil
	}
	return ok
}

func (l *levelIter) skipForward(ok bool) bool {
	for !l.check(ok) {
		if l.err != nil || !l.open(l.idx+1) {
			return false
		}
		ok = l.cur.First()
	}
	return true
}

func (l *levelIter) skipBackward(ok bool) bool {
	for !l.check(ok) {
		if l.err != nil || !l.open(l.idx-1) {
			return false
		}
		ok = l.cur.Last()
	}
	return true
}

func (l *levelIter) SeekGE(ik []byte) bool {
	if l.err != nil || !l.open(findFile(l.files, ik)) {
		return false
	}
	return l.skipForward(l.cur.SeekGE(ik))
}

func (l *levelIter) SeekLT(ik []byte) bool {
	i := sort.Search(len(l.files), func(i int) bool { return base.Compare(l.files[i].smallest, ik) >= 0 }) - 1
	if l.err != nil || !l.open(i) {
		return false
	}
	return l.skipBackward(l.cur.SeekLT(ik))
}

func (l *levelIter) First() bool {
	if l.err != nil || !l.open(0) {
		return false
	}
	return l.skipForward(l.cur.First())
}

func (l *levelIter) Last() bool {
	if l.err != nil || !l.open(len(l.files)-1) {
		return false
	}
	return l.skipBackward(l.cur.Last())
}

func (l *levelIter) Next() bool {
	if l.cur == nil {
		return false
	}
	return l.skipForward(l.cur.Next())
}

func (l *levelIter) Prev() bool {
	if l.cur == nil {
		return false
	}
	return l.skipBackward(l.cur.Prev())
}

func (l *levelIter) Valid() bool   { return l.cur != nil && l.cur.Valid() }
func (l *levelIter) Key() []byte   { return l.cur.Key() }
func (l *levelIter) Value() []byte { return l.cur.Value() }
func (l *levelIter) Error() error  { return l.err }

func (l *levelIter) Close() error {
	if l.cur != nil {
		l.cur.Close()
		l.cur = nil
	}
	return nil
}
