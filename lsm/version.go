package lsm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync/atomic"

	"github.com/sysdesign-go/sysdesign/lsm/internal/base"
	"github.com/sysdesign-go/sysdesign/lsm/internal/sstable"
)

// fileMeta describes one table. refs counts the versions holding it and is
// guarded by DB.mu.
type fileMeta struct {
	num      uint64
	size     uint64
	smallest []byte // internal key
	largest  []byte // internal key
	refs     int
	// reader is the open table, set by tableCache.get so that later reads
	// skip the cache's lock and map.
	reader atomic.Pointer[sstable.Reader]
}

func (f *fileMeta) overlaps(lo, hi []byte) bool {
	return bytes.Compare(base.UserKey(f.largest), lo) >= 0 && bytes.Compare(base.UserKey(f.smallest), hi) <= 0
}

// version is an immutable set of live tables. Level 0 is ordered newest
// first; deeper levels are sorted by key and do not overlap. refs is guarded
// by DB.mu.
type version struct {
	levels [numLevels][]*fileMeta
	refs   int
}

func (v *version) levelSize(l int) uint64 {
	var n uint64
	for _, f := range v.levels[l] {
		n += f.size
	}
	return n
}

// overlapping returns the files of level l whose user key range meets [lo, hi].
func (v *version) overlapping(l int, lo, hi []byte) []*fileMeta {
	var out []*fileMeta
	for _, f := range v.levels[l] {
		if f.overlaps(lo, hi) {
			out = append(out, f)
		}
	}
	return out
}

// findFile returns the index of the first file of a sorted level whose
// largest key is >= ik.
func findFile(files []*fileMeta, ik []byte) int {
	return sort.Search(len(files), func(i int) bool { return base.Compare(files[i].largest, ik) >= 0 })
}

type levelFile struct {
	level int
	num   uint64
}

// versionEdit is one MANIFEST record.
type versionEdit struct {
	hasLogNum, hasNextFile, hasLastSeq bool
	logNum, nextFile, lastSeq          uint64
	deleted                            []levelFile
	added                              []newFile
}

type newFile struct {
	level int
	meta  *fileMeta
}

const (
	tagLogNum   = 1
	tagNextFile = 2
	tagLastSeq  = 3
	tagDeleted  = 4
	tagAdded    = 5
)

func (e *versionEdit) setLogNum(n uint64)   { e.hasLogNum, e.logNum = true, n }
func (e *versionEdit) setNextFile(n uint64) { e.hasNextFile, e.nextFile = true, n }
func (e *versionEdit) setLastSeq(n uint64)  { e.hasLastSeq, e.lastSeq = true, n }

func (e *versionEdit) encode() []byte {
	var b []byte
	u := func(x uint64) { b = binary.AppendUvarint(b, x) }
	bs := func(x []byte) { u(uint64(len(x))); b = append(b, x...) }
	if e.hasLogNum {
		u(tagLogNum)
		u(e.logNum)
	}
	if e.hasNextFile {
		u(tagNextFile)
		u(e.nextFile)
	}
	if e.hasLastSeq {
		u(tagLastSeq)
		u(e.lastSeq)
	}
	for _, d := range e.deleted {
		u(tagDeleted)
		u(uint64(d.level))
		u(d.num)
	}
	for _, a := range e.added {
		u(tagAdded)
		u(uint64(a.level))
		u(a.meta.num)
		u(a.meta.size)
		bs(a.meta.smallest)
		bs(a.meta.largest)
	}
	return b
}

var errEdit = errors.New("bad version edit")

func (e *versionEdit) decode(b []byte) error {
	u := func() (uint64, error) {
		x, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, errEdit
		}
		b = b[n:]
		return x, nil
	}
	bs := func() ([]byte, error) {
		n, err := u()
		if err != nil || n > uint64(len(b)) {
			return nil, errEdit
		}
		x := bytes.Clone(b[:n])
		b = b[n:]
		return x, nil
	}
	level := func() (int, error) {
		l, err := u()
		if err != nil || l >= numLevels {
			return 0, errEdit
		}
		return int(l), nil
	}
	for len(b) > 0 {
		tag, err := u()
		if err != nil {
			return err
		}
		switch tag {
		case tagLogNum:
			e.logNum, err = u()
			e.hasLogNum = true
		case tagNextFile:
			e.nextFile, err = u()
			e.hasNextFile = true
		case tagLastSeq:
			e.lastSeq, err = u()
			e.hasLastSeq = true
		case tagDeleted:
			var d levelFile
			if d.level, err = level(); err == nil {
				d.num, err = u()
			}
			e.deleted = append(e.deleted, d)
		case tagAdded:
			var a newFile
			a.meta = &fileMeta{}
			if a.level, err = level(); err != nil {
				return err
			}
			if a.meta.num, err = u(); err != nil {
				return err
			}
			if a.meta.size, err = u(); err != nil {
				return err
			}
			if a.meta.smallest, err = bs(); err != nil {
				return err
			}
			a.meta.largest, err = bs()
			if err == nil && (!base.Valid(a.meta.smallest) || !base.Valid(a.meta.largest)) {
				err = errEdit
			}
			e.added = append(e.added, a)
		default:
			return fmt.Errorf("%w: unknown tag %d", errEdit, tag)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// apply returns the version that results from applying edit to v. It does
// not touch reference counts.
func (v *version) apply(e *versionEdit) (*version, error) {
	nv := &version{}
	del := make(map[levelFile]bool, len(e.deleted))
	for _, d := range e.deleted {
		del[d] = true
	}
	for l := range v.levels {
		for _, f := range v.levels[l] {
			if !del[levelFile{l, f.num}] {
				nv.levels[l] = append(nv.levels[l], f)
			}
		}
	}
	for _, a := range e.added {
		nv.levels[a.level] = append(nv.levels[a.level], a.meta)
	}
	// Level 0 newest (highest file number) first; others by key.
	slices.SortFunc(nv.levels[0], func(a, b *fileMeta) int {
		switch {
		case a.num > b.num:
			return -1
		case a.num < b.num:
			return 1
		}
		return 0
	})
	for l := 1; l < numLevels; l++ {
		files := nv.levels[l]
		slices.SortFunc(files, func(a, b *fileMeta) int { return base.Compare(a.smallest, b.smallest) })
		for i := 1; i < len(files); i++ {
			if bytes.Compare(base.UserKey(files[i-1].largest), base.UserKey(files[i].smallest)) >= 0 {
				return nil, fmt.Errorf("level %d: tables %06d and %06d overlap", l, files[i-1].num, files[i].num)
			}
		}
	}
	return nv, nil
}

// snapshotEdit describes the whole version as one edit (the first record
// of a new MANIFEST).
func (v *version) snapshotEdit() *versionEdit {
	e := &versionEdit{}
	for l := range v.levels {
		for _, f := range v.levels[l] {
			e.added = append(e.added, newFile{l, f})
		}
	}
	return e
}
