package lsm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sysdesign-go/sysdesign/lsm/internal/base"
	"github.com/sysdesign-go/sysdesign/lsm/internal/memtable"
	"github.com/sysdesign-go/sysdesign/lsm/internal/record"
	"github.com/sysdesign-go/sysdesign/lsm/internal/sstable"
)

// memTable is a memtable and the number of the log that holds its writes.
type memTable struct {
	mt     *memtable.Memtable
	logNum uint64
	// log is the memtable's log once frozen, still open: the flush closes
	// it, so its final fsync is off the write path. Set under mu before the
	// memtable joins imm; then owned by the flush (or by Close).
	log logWriter
}

// DB is an LSM-tree key-value store in one directory. It is safe for
// concurrent use by multiple goroutines. Open it with [Open]; the zero value
// is not usable.
type DB struct {
	dir    string
	opts   Options
	lock   *os.File
	cache  *sstable.Cache
	tables *tableCache

	// writeMu serialises commit groups; it guards log, lastSeq, spare and
	// the commit state of queued batches.
	writeMu sync.Mutex
	log     logWriter
	lastSeq uint64
	spare   []*Batch // the previous group's slice, reused
	recs    [][]byte // the log records of a group, reused

	// queueMu guards queue: batches waiting for a leader to commit them.
	queueMu sync.Mutex
	queue   []*Batch

	visibleSeq atomic.Uint64
	readers    atomic.Int64 // reads and iterators holding a version

	// mu guards the fields below; cond signals state changes under it.
	mu       sync.Mutex
	cond     sync.Cond
	closed   bool
	bgErr    error
	mem      *memTable
	imm      []*memTable // oldest first; copy-on-write
	current  *version
	nextFile uint64
	// nextLog, numbered nextLogNum, is the log of the next memtable,
	// created ahead by prepareLog; preparing is set while it runs.
	nextLog     logWriter
	nextLogNum  uint64
	preparing   bool
	snapshots   map[*Snapshot]struct{}
	obsolete    []uint64 // tables to delete, see deleteObsolete
	compactPtr  [numLevels][]byte
	manual      *manualCompaction
	bgBusy      bool
	st          counters
	manifest    *record.Writer // guarded by manifestMu after Open
	manifestNum uint64
	logNum      uint64 // log number recorded in the MANIFEST; manifestMu
	// maxManifest is the MANIFEST size that triggers a rewrite.
	maxManifest int64

	batches sync.Pool // *Batch for Put and Delete

	// manifestMu serialises version changes (flushes and compactions).
	manifestMu sync.Mutex
	bg         sync.WaitGroup
}

// Open opens (creating if needed) the database in dir. It replays the logs
// of writes not yet in tables, so everything acknowledged before a crash is
// there. A nil opts means defaults.
func Open(dir string, opts *Options) (*DB, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	o := opts.withDefaults()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lsm: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	db := &DB{
		dir:       dir,
		opts:      o,
		lock:      lock,
		snapshots: map[*Snapshot]struct{}{},
	}
	db.cond.L = &db.mu
	db.maxManifest = 4 << 20
	db.batches.New = func() any { return new(Batch) }
	if o.CacheSize > 0 {
		db.cache = sstable.NewCache(o.CacheSize)
	}
	var policy sstable.FilterPolicy
	if o.BloomBitsPerKey > 0 {
		policy = newFilterPolicy(o.BloomBitsPerKey)
	}
	db.tables = &tableCache{dir: dir, cache: db.cache, policy: policy, mmap: !o.DisableMmap, m: map[uint64]*sstable.Reader{}}
	if err := db.recover(); err != nil {
		db.tables.closeAll(true)
		lock.Close()
		return nil, err
	}
	db.bg.Add(2)
	go db.flushLoop()
	go db.compactLoop()
	db.mu.Lock()
	db.prepareLog()
	db.mu.Unlock()
	return db, nil
}

func (db *DB) recover() error {
	v := &version{}
	var logNum, lastSeq uint64
	db.nextFile = 1
	cur, err := os.ReadFile(filepath.Join(db.dir, "CURRENT"))
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("lsm: %w", err)
	default:
		name := strings.TrimSpace(string(cur))
		typ, _ := parseName(name)
		if typ != typeManifest || strings.ContainsAny(name, "/\\") {
			return &CorruptionError{File: filepath.Join(db.dir, "CURRENT"), Err: fmt.Errorf("names %q", name)}
		}
		path := filepath.Join(db.dir, name)
		err := record.ReadFile(path, func(rec []byte) error {
			var e versionEdit
			if err := e.decode(rec); err != nil {
				return err
			}
			nv, err := v.apply(&e)
			if err != nil {
				return err
			}
			v = nv
			if e.hasLogNum {
				logNum = e.logNum
			}
			if e.hasNextFile {
				db.nextFile = max(db.nextFile, e.nextFile)
			}
			if e.hasLastSeq {
				lastSeq = max(lastSeq, e.lastSeq)
			}
			return nil
		})
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("lsm: CURRENT names a missing manifest: %w", err)
			}
			return &CorruptionError{File: path, Err: err}
		}
	}
	for l := range v.levels {
		for _, f := range v.levels[l] {
			if _, err := os.Stat(tableName(db.dir, f.num)); err != nil {
				return &CorruptionError{File: tableName(db.dir, f.num), Err: fmt.Errorf("table in MANIFEST is missing: %w", err)}
			}
		}
	}
	entries, err := os.ReadDir(db.dir)
	if err != nil {
		return fmt.Errorf("lsm: %w", err)
	}
	var logs []uint64
	for _, de := range entries {
		typ, n := parseName(de.Name())
		if typ != typeUnknown {
			db.nextFile = max(db.nextFile, n+1)
		}
		if typ == typeLog && n >= logNum {
			logs = append(logs, n)
		}
	}
	slices.Sort(logs)
	edit := &versionEdit{}
	for _, n := range logs {
		mem := memtable.New(n)
		path := logName(db.dir, n)
		err := replayLog(path, func(rec []byte) error {
			_, _, err := decodeBatch(rec, func(seq uint64, kind base.Kind, k, val []byte) error {
				mem.Add(seq, kind, k, val)
				lastSeq = max(lastSeq, seq)
				return nil
			})
			if err != nil {
				return &CorruptionError{File: path, Err: err}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if !mem.Empty() {
			num := db.nextFile
			db.nextFile++
			meta, err := db.writeL0(mem.NewIter(), num, base.MaxSeq)
			if err != nil {
				return err
			}
			if meta != nil {
				edit.added = append(edit.added, newFile{0, meta})
			}
		}
	}
	v, err = v.apply(edit)
	if err != nil {
		return &CorruptionError{File: db.dir, Err: err}
	}
	// A fresh log and a fresh MANIFEST holding the whole state.
	newLog := db.nextFile
	db.manifestNum = db.nextFile + 1
	db.nextFile += 2
	lw, err := createLog(logName(db.dir, newLog), &db.opts)
	if err != nil {
		return fmt.Errorf("lsm: %w", err)
	}
	db.log = lw
	db.mem = &memTable{mt: memtable.New(newLog), logNum: newLog}
	db.lastSeq = lastSeq
	db.visibleSeq.Store(lastSeq)
	snap := v.snapshotEdit()
	snap.setLogNum(newLog)
	snap.setNextFile(db.nextFile)
	snap.setLastSeq(lastSeq)
	mw, err := record.Create(manifestName(db.dir, db.manifestNum))
	if err != nil {
		return fmt.Errorf("lsm: %w", err)
	}
	if err := mw.Append(snap.encode(), true); err != nil {
		mw.Close()
		return fmt.Errorf("lsm: writing manifest: %w", err)
	}
	if err := setCurrent(db.dir, db.manifestNum); err != nil {
		mw.Close()
		return fmt.Errorf("lsm: %w", err)
	}
	db.manifest = mw
	db.logNum = newLog
	v.refs = 1
	live := map[uint64]bool{}
	for l := range v.levels {
		for _, f := range v.levels[l] {
			f.refs++
			live[f.num] = true
		}
	}
	db.current = v
	// Remove what the new state no longer needs.
	for _, de := range entries {
		typ, n := parseName(de.Name())
		if (typ == typeLog && n != newLog) || (typ == typeManifest && n != db.manifestNum) || (typ == typeTable && !live[n]) {
			os.RemoveAll(filepath.Join(db.dir, de.Name()))
		}
	}
	os.Remove(filepath.Join(db.dir, "CURRENT.tmp"))
	return nil
}

// Close waits for the running background job, then closes the files.
// Iterators and snapshots must be closed first. Writes not yet in tables
// are in the log and are replayed by the next Open.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return ErrClosed
	}
	db.closed = true
	db.cond.Broadcast()
	db.mu.Unlock()
	db.bg.Wait()
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	err := db.log.Close()  // writes the log buffer and syncs
	if db.nextLog != nil { // prepared, never written
		db.nextLog.Close()
		os.RemoveAll(logName(db.dir, db.nextLogNum))
		db.nextLog = nil
	}
	for _, m := range db.imm {
		if m.log != nil {
			if e := m.log.Close(); err == nil {
				err = e
			}
			m.log = nil
		}
	}
	if e := db.manifest.Close(); err == nil {
		err = e
	}
	db.deleteObsolete()
	// With mapped tables, an iterator left open (or a read racing with
	// Close) would fault on unmapped memory: keep the mappings in that case
	// (a leak, not a crash).
	db.tables.closeAll(db.readers.Load() == 0)
	if e := db.lock.Close(); err == nil {
		err = e
	}
	return err
}

// ref returns a consistent read state; release it with unref.
func (db *DB) ref() (mem *memTable, imm []*memTable, v *version, err error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil, nil, nil, ErrClosed
	}
	db.current.refs++
	db.readers.Add(1)
	return db.mem, db.imm, db.current, nil
}

func (db *DB) unref(v *version) {
	db.mu.Lock()
	db.unrefLocked(v)
	pending := len(db.obsolete) > 0
	db.mu.Unlock()
	if pending {
		db.deleteObsolete()
	}
	db.readers.Add(-1)
}

// unrefLocked drops a version reference; tables no version needs are
// queued in obsolete for deleteObsolete, which does the file work without
// holding mu.
func (db *DB) unrefLocked(v *version) {
	v.refs--
	if v.refs > 0 {
		return
	}
	for l := range v.levels {
		for _, f := range v.levels[l] {
			f.refs--
			if f.refs == 0 {
				db.obsolete = append(db.obsolete, f.num)
			}
		}
	}
}

// deleteObsolete closes, uncaches and deletes the tables no version needs
// any more. It is called without mu: closing, unmapping and unlinking files
// is I/O that writers and readers must not wait for. Nothing can read
// these tables, so the order relative to other work does not matter.
func (db *DB) deleteObsolete() {
	db.mu.Lock()
	nums := db.obsolete
	db.obsolete = nil
	db.mu.Unlock()
	for _, num := range nums {
		db.cache.EvictFile(num) // before unmapping: entries may alias the mapping
		db.tables.evict(num)
		os.Remove(tableName(db.dir, num))
	}
}

// logAndApply records edit in the MANIFEST and installs the new version.
func (db *DB) logAndApply(edit *versionEdit, flushed bool) error {
	db.manifestMu.Lock()
	defer db.manifestMu.Unlock()
	db.mu.Lock()
	edit.setNextFile(db.nextFile)
	edit.setLastSeq(db.visibleSeq.Load())
	if flushed {
		if len(db.imm) > 1 {
			edit.setLogNum(db.imm[1].logNum)
		} else {
			edit.setLogNum(db.mem.logNum)
		}
	}
	cur := db.current
	db.mu.Unlock()
	nv, err := cur.apply(edit)
	if err != nil {
		return fmt.Errorf("lsm: internal error: %w", err)
	}
	if len(edit.added) > 0 {
		// Make the new tables' directory entries durable before the
		// MANIFEST names them.
		if err := syncDir(db.dir); err != nil {
			return fmt.Errorf("lsm: %w", err)
		}
	}
	if edit.hasLogNum {
		db.logNum = edit.logNum
	}
	if db.manifest.Size() >= db.maxManifest {
		if err := db.rotateManifest(nv, edit); err != nil {
			return err
		}
	} else if err := db.manifest.Append(edit.encode(), true); err != nil {
		return fmt.Errorf("lsm: writing manifest: %w", err)
	}
	db.mu.Lock()
	nv.refs = 1
	for l := range nv.levels {
		for _, f := range nv.levels[l] {
			f.refs++
		}
	}
	db.current = nv
	db.unrefLocked(cur)
	if flushed {
		db.imm = db.imm[1:]
	}
	db.cond.Broadcast()
	db.mu.Unlock()
	db.deleteObsolete()
	return nil
}

// rotateManifest starts a new MANIFEST holding nv as one snapshot edit,
// points CURRENT at it and deletes the old one. manifestMu is held.
func (db *DB) rotateManifest(nv *version, edit *versionEdit) error {
	db.mu.Lock()
	num := db.nextFile
	db.nextFile++
	next := db.nextFile
	db.mu.Unlock()
	snap := nv.snapshotEdit()
	snap.setLogNum(db.logNum)
	snap.setNextFile(next)
	snap.setLastSeq(edit.lastSeq)
	mw, err := record.Create(manifestName(db.dir, num))
	if err != nil {
		return fmt.Errorf("lsm: %w", err)
	}
	if err := mw.Append(snap.encode(), true); err != nil {
		mw.Close()
		return fmt.Errorf("lsm: writing manifest: %w", err)
	}
	if err := setCurrent(db.dir, num); err != nil {
		mw.Close()
		return fmt.Errorf("lsm: %w", err)
	}
	db.manifest.Close()
	os.Remove(manifestName(db.dir, db.manifestNum))
	db.manifest, db.manifestNum = mw, num
	return nil
}

// tableCache keeps a Reader open for every live table.
type tableCache struct {
	mmap   bool // map table files instead of reading them
	dir    string
	cache  *sstable.Cache
	policy sstable.FilterPolicy
	mu     sync.Mutex
	m      map[uint64]*sstable.Reader
}

func (tc *tableCache) get(f *fileMeta) (*sstable.Reader, error) {
	// A reader stays open as long as a version holds f (evict comes after
	// the last one is dropped), and only such a version's readers get here.
	if r := f.reader.Load(); r != nil {
		return r, nil
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if r, ok := tc.m[f.num]; ok {
		f.reader.Store(r)
		return r, nil
	}
	path := tableName(tc.dir, f.num)
	fl, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("lsm: opening table: %w", err)
	}
	st, err := fl.Stat()
	if err != nil {
		fl.Close()
		return nil, fmt.Errorf("lsm: %w", err)
	}
	r, err := sstable.NewReader(fl, st.Size(), path, f.num, tc.cache, tc.policy)
	if err != nil {
		fl.Close()
		return nil, tableErr(path, err)
	}
	if tc.mmap {
		if data, err := mmapFile(fl, st.Size()); err == nil {
			r.SetMapped(data, func() error { return munmap(data) })
		}
	}
	tc.m[f.num] = r
	f.reader.Store(r)
	return r, nil
}

func tableErr(path string, err error) error {
	if errors.Is(err, sstable.ErrCorrupt) {
		return &CorruptionError{File: path, Err: err}
	}
	return err
}

func (tc *tableCache) evict(num uint64) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if r, ok := tc.m[num]; ok {
		r.Close()
		delete(tc.m, num)
	}
}

func (tc *tableCache) closeAll(unmap bool) {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	for n, r := range tc.m {
		if !unmap {
			r.SetMapped(nil, nil) // drop the mapping without unmapping it
		}
		r.Close()
		delete(tc.m, n)
	}
}

// sleep is the write slowdown delay.
func sleep(d time.Duration) { time.Sleep(d) }
