package lsm

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/sysdesign-go/sysdesign/lsm/internal/base"
	"github.com/sysdesign-go/sysdesign/lsm/internal/sstable"
)

// compaction merges inputs[0] (level) with inputs[1] (level+1) into
// level+1.
type compaction struct {
	level  int
	inputs [2][]*fileMeta
	v      *version
	manual *manualCompaction
}

type manualCompaction struct {
	level int
	done  bool
}

// flushLoop writes frozen memtables to level 0, oldest first. It runs
// beside compactLoop so a long compaction never holds up a flush.
func (db *DB) flushLoop() {
	defer db.bg.Done()
	db.mu.Lock()
	defer db.mu.Unlock()
	for {
		if db.closed {
			return
		}
		if db.bgErr == nil && len(db.imm) > 0 {
			db.mu.Unlock()
			err := db.flushOne()
			db.mu.Lock()
			db.setBgErr(err)
			continue
		}
		db.cond.Wait()
	}
}

// compactLoop runs one compaction at a time, automatic or manual.
func (db *DB) compactLoop() {
	defer db.bg.Done()
	db.mu.Lock()
	defer db.mu.Unlock()
	for {
		if db.closed {
			return
		}
		if db.bgErr == nil {
			if c := db.pickCompaction(); c != nil {
				db.bgBusy = true
				db.mu.Unlock()
				err := db.runCompaction(c)
				db.mu.Lock()
				db.bgBusy = false
				db.unrefLocked(c.v)
				if c.manual != nil {
					c.manual.done = true
					db.manual = nil
				}
				db.setBgErr(err)
				db.cond.Broadcast()
				db.mu.Unlock()
				db.deleteObsolete()
				db.mu.Lock()
				continue
			}
		}
		db.cond.Wait()
	}
}

func (db *DB) setBgErr(err error) {
	if err != nil && db.bgErr == nil {
		db.bgErr = err
		db.cond.Broadcast()
	}
}

func (db *DB) smallestSnapshotLocked() uint64 {
	s := db.visibleSeq.Load()
	for snap := range db.snapshots {
		s = min(s, snap.seq)
	}
	return s
}

// flushOne writes the oldest frozen memtable to a level-0 table.
func (db *DB) flushOne() error {
	db.mu.Lock()
	m := db.imm[0]
	num := db.nextFile
	db.nextFile++
	snap := db.smallestSnapshotLocked()
	db.mu.Unlock()
	meta, err := db.writeL0(m.mt.NewIter(), num, snap)
	if err != nil {
		return err
	}
	edit := &versionEdit{}
	if meta != nil {
		edit.added = append(edit.added, newFile{0, meta})
	}
	if err := db.logAndApply(edit, true); err != nil {
		return err
	}
	// The MANIFEST no longer needs this memtable's log. Closing it writes
	// what is left of its buffer and fsyncs it, which the next flush need
	// not wait for: it is done beside the flush loop (and waited for by
	// Close), then the log is deleted.
	lg, path := m.log, logName(db.dir, m.logNum)
	m.log = nil
	db.bg.Add(1)
	go func() {
		defer db.bg.Done()
		if lg != nil {
			lg.Close()
		}
		os.RemoveAll(path)
	}()
	db.mu.Lock()
	db.st.flushes++
	if meta != nil {
		db.st.flushBytes += int64(meta.size)
	}
	db.mu.Unlock()
	return nil
}

func (db *DB) writerOptions() sstable.WriterOptions {
	return sstable.WriterOptions{
		BlockSize:       db.opts.BlockSize,
		RestartInterval: db.opts.BlockRestartInterval,
		Filter:          db.tables.policy,
	}
}

// writeL0 writes the entries of it (dropping versions no snapshot at or
// above smallestSnap can see) to table num. It returns nil if nothing was
// written.
func (db *DB) writeL0(it base.Iterator, num, smallestSnap uint64) (*fileMeta, error) {
	w, err := sstable.NewWriter(tableName(db.dir, num), db.writerOptions())
	if err != nil {
		return nil, fmt.Errorf("lsm: %w", err)
	}
	var d dropper
	d.smallestSnap = smallestSnap
	for ok := it.First(); ok; ok = it.Next() {
		if d.drop(it.Key(), nil) {
			continue
		}
		if err := w.Add(it.Key(), it.Value()); err != nil {
			w.Abort()
			return nil, fmt.Errorf("lsm: writing table: %w", err)
		}
	}
	if err := it.Error(); err != nil {
		w.Abort()
		return nil, err
	}
	if w.Entries() == 0 {
		w.Abort()
		return nil, nil
	}
	meta := &fileMeta{num: num, smallest: bytes.Clone(w.Smallest()), largest: bytes.Clone(w.Largest())}
	size, err := w.Finish()
	if err != nil {
		return nil, fmt.Errorf("lsm: writing table: %w", err)
	}
	meta.size = size
	return meta, nil
}

// dropper decides which entries a flush or compaction may drop, walking
// internal keys in order (LevelDB's rules): an entry shadowed by a newer
// entry of the same key that every snapshot sees is dropped, and so is a
// tombstone every snapshot sees when no deeper level can hold the key.
type dropper struct {
	smallestSnap uint64
	curKey       []byte
	has          bool
	lastSeq      uint64 // seq of the previous entry of curKey
}

func (d *dropper) drop(ik []byte, isBase func(ukey []byte) bool) bool {
	uk := base.UserKey(ik)
	if !d.has || !bytes.Equal(uk, d.curKey) {
		d.curKey = append(d.curKey[:0], uk...)
		d.has = true
		d.lastSeq = base.MaxSeq + 1
	}
	seq := base.Seq(ik)
	drop := false
	if d.lastSeq <= d.smallestSnap {
		drop = true
	} else if base.KindOf(ik) == base.KindDelete && seq <= d.smallestSnap && isBase != nil && isBase(uk) {
		drop = true
	}
	d.lastSeq = seq
	return drop
}

// levelMaxBytes is the target size of level l >= 1.
func (db *DB) levelMaxBytes(l int) float64 {
	s := float64(db.opts.LevelBaseSize)
	for i := 1; i < l; i++ {
		s *= float64(db.opts.LevelMultiplier)
	}
	return s
}

// pickCompaction chooses the next compaction, or nil. Called with mu held.
func (db *DB) pickCompaction() *compaction {
	v := db.current
	level := -1
	var manual *manualCompaction
	if db.manual != nil && !db.manual.done {
		manual = db.manual
		level = manual.level
		if len(v.levels[level]) == 0 {
			manual.done = true
			db.manual = nil
			db.cond.Broadcast()
			return nil
		}
	} else if !db.opts.DisableBackgroundCompaction {
		best := 1.0
		if s := float64(len(v.levels[0])) / float64(db.opts.L0CompactionTrigger); s >= best {
			best, level = s, 0
		}
		for l := 1; l < numLevels-1; l++ {
			if s := float64(v.levelSize(l)) / db.levelMaxBytes(l); s >= best {
				best, level = s, l
			}
		}
	}
	if level < 0 {
		return nil
	}
	c := &compaction{level: level, v: v, manual: manual}
	switch {
	case level == 0 || manual != nil:
		c.inputs[0] = append([]*fileMeta(nil), v.levels[level]...)
	default:
		files := v.levels[level]
		i := 0
		if ptr := db.compactPtr[level]; ptr != nil {
			for i < len(files) && bytes.Compare(base.UserKey(files[i].largest), ptr) <= 0 {
				i++
			}
			if i == len(files) {
				i = 0
			}
		}
		c.inputs[0] = []*fileMeta{files[i]}
	}
	lo, hi := keyRange(c.inputs[0])
	c.inputs[1] = v.overlapping(level+1, lo, hi)
	v.refs++
	return c
}

func keyRange(files []*fileMeta) (lo, hi []byte) {
	for _, f := range files {
		s, l := base.UserKey(f.smallest), base.UserKey(f.largest)
		if lo == nil || bytes.Compare(s, lo) < 0 {
			lo = s
		}
		if hi == nil || bytes.Compare(l, hi) > 0 {
			hi = l
		}
	}
	return lo, hi
}

func (db *DB) runCompaction(c *compaction) error {
	out := c.level + 1
	edit := &versionEdit{}
	for i, files := range c.inputs {
		for _, f := range files {
			edit.deleted = append(edit.deleted, levelFile{c.level + i, f.num})
		}
	}
	var readBytes int64
	for _, files := range c.inputs {
		for _, f := range files {
			readBytes += int64(f.size)
		}
	}
	if len(c.inputs[0]) == 1 && len(c.inputs[1]) == 0 {
		// Trivial move: no overlap below, so the table changes level only.
		edit.added = append(edit.added, newFile{out, c.inputs[0][0]})
		if err := db.logAndApply(edit, false); err != nil {
			return err
		}
		db.mu.Lock()
		db.compactPtr[c.level] = bytes.Clone(base.UserKey(c.inputs[0][0].largest))
		db.st.moves++
		db.mu.Unlock()
		return nil
	}
	var children []base.Iterator
	if c.level == 0 {
		for _, f := range c.inputs[0] {
			children = append(children, newLevelIter(db, []*fileMeta{f}, false))
		}
	} else {
		children = append(children, newLevelIter(db, c.inputs[0], false))
	}
	children = append(children, newLevelIter(db, c.inputs[1], false))
	it := newMergingIter(children)
	defer it.Close()

	db.mu.Lock()
	snap := db.smallestSnapshotLocked()
	db.mu.Unlock()
	d := dropper{smallestSnap: snap}
	isBase := func(uk []byte) bool {
		for l := out + 1; l < numLevels; l++ {
			files := c.v.levels[l]
			var buf [64]byte
			i := findFile(files, base.MakeKey(buf[:0], uk, base.MaxSeq, base.KindMax))
			if i < len(files) && bytes.Compare(base.UserKey(files[i].smallest), uk) <= 0 {
				return false
			}
		}
		return true
	}
	var w *sstable.Writer
	var meta *fileMeta
	var written int64
	var outputs []*fileMeta
	finish := func() error {
		if w == nil {
			return nil
		}
		meta.smallest = bytes.Clone(w.Smallest())
		meta.largest = bytes.Clone(w.Largest())
		size, err := w.Finish()
		w = nil
		if err != nil {
			return fmt.Errorf("lsm: writing table: %w", err)
		}
		meta.size = size
		written += int64(size)
		outputs = append(outputs, meta)
		return nil
	}
	fail := func(err error) error {
		if w != nil {
			w.Abort()
		}
		for _, m := range outputs {
			os.Remove(tableName(db.dir, m.num))
		}
		return err
	}
	var lastUser []byte
	for ok := it.First(); ok; ok = it.Next() {
		ik := it.Key()
		if d.drop(ik, isBase) {
			continue
		}
		uk := base.UserKey(ik)
		// Split only between user keys so no key spans two tables.
		if w != nil && int64(w.EstimatedSize()) >= db.opts.TargetFileSize && !bytes.Equal(uk, lastUser) {
			if err := finish(); err != nil {
				return fail(err)
			}
		}
		if w == nil {
			db.mu.Lock()
			num := db.nextFile
			db.nextFile++
			db.mu.Unlock()
			var err error
			if w, err = sstable.NewWriter(tableName(db.dir, num), db.writerOptions()); err != nil {
				return fail(fmt.Errorf("lsm: %w", err))
			}
			meta = &fileMeta{num: num}
		}
		if err := w.Add(ik, it.Value()); err != nil {
			return fail(fmt.Errorf("lsm: writing table: %w", err))
		}
		lastUser = append(lastUser[:0], uk...)
	}
	if err := it.Error(); err != nil {
		return fail(err)
	}
	if err := finish(); err != nil {
		return fail(err)
	}
	for _, m := range outputs {
		edit.added = append(edit.added, newFile{out, m})
	}
	if err := db.logAndApply(edit, false); err != nil {
		return fail(err)
	}
	db.mu.Lock()
	_, hi := keyRange(c.inputs[0])
	db.compactPtr[c.level] = bytes.Clone(hi)
	db.st.compactions++
	db.st.compactionRead += readBytes
	db.st.compactionWritten += written
	db.mu.Unlock()
	return nil
}

// Compact flushes the memtable and compacts every level into the next,
// from level 0 down, so the data ends up in the deepest non-empty level
// with overwritten values and tombstones dropped. It waits for the work or
// for ctx.
func (db *DB) Compact(ctx context.Context) error {
	if err := db.Flush(ctx); err != nil {
		return err
	}
	for l := 0; l < numLevels-1; l++ {
		db.mu.Lock()
		empty := len(db.current.levels[l]) == 0
		db.mu.Unlock()
		if empty {
			continue
		}
		m := &manualCompaction{level: l}
		if err := db.waitFor(ctx, func() bool {
			if db.manual == nil && !db.bgBusy {
				db.manual = m
				db.cond.Broadcast()
				return true
			}
			return false
		}); err != nil {
			return err
		}
		if err := db.waitFor(ctx, func() bool { return m.done }); err != nil {
			return err
		}
	}
	return nil
}
