package lsm

import (
	"bytes"

	"github.com/sysdesign-go/sysdesign/lsm/internal/base"
)

// Get returns a copy of the value of key, or ErrNotFound.
func (db *DB) Get(key []byte) ([]byte, error) {
	return db.getAt(key, 0, false)
}

func (db *DB) getAt(key []byte, seq uint64, atSeq bool) ([]byte, error) {
	mem, imm, v, err := db.ref()
	if err != nil {
		return nil, err
	}
	defer db.unref(v)
	if !atSeq {
		seq = db.visibleSeq.Load()
	}
	val, kind, found := mem.mt.Get(key, seq)
	for i := len(imm) - 1; !found && i >= 0; i-- {
		val, kind, found = imm[i].mt.Get(key, seq)
	}
	if found {
		if kind == base.KindDelete {
			return nil, ErrNotFound
		}
		return bytes.Clone(val), nil
	}
	var buf [64]byte
	ik := base.MakeKey(buf[:0], key, seq, base.KindMax)
	// A table's value is already a copy.
	val, kind, found, err = db.getFromTables(v, key, ik)
	if err != nil {
		return nil, err
	}
	if !found || kind == base.KindDelete {
		return nil, ErrNotFound
	}
	if val == nil {
		val = []byte{}
	}
	return val, nil
}

func (db *DB) getFromTables(v *version, ukey, ik []byte) ([]byte, base.Kind, bool, error) {
	for _, f := range v.levels[0] {
		if !f.overlaps(ukey, ukey) {
			continue
		}
		if val, kind, found, err := db.getFromTable(f, ik); err != nil || found {
			return val, kind, found, err
		}
	}
	for l := 1; l < numLevels; l++ {
		files := v.levels[l]
		i := findFile(files, ik)
		if i == len(files) || bytes.Compare(base.UserKey(files[i].smallest), ukey) > 0 {
			continue
		}
		if val, kind, found, err := db.getFromTable(files[i], ik); err != nil || found {
			return val, kind, found, err
		}
	}
	return nil, 0, false, nil
}

func (db *DB) getFromTable(f *fileMeta, ik []byte) ([]byte, base.Kind, bool, error) {
	r, err := db.tables.get(f)
	if err != nil {
		return nil, 0, false, err
	}
	val, kind, found, err := r.Get(ik)
	if err != nil {
		return nil, 0, false, tableErr(tableName(db.dir, f.num), err)
	}
	return val, kind, found, nil
}
