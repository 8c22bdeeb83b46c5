package wal

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Log is a segmented write-ahead log in one directory. Create it with
// [Open]; the zero value is not usable.
//
// A Log is safe for concurrent use by multiple goroutines: appends from
// many goroutines are ordered and group-committed, reads run alongside
// appends, and truncations wait for in-flight appends and reads.
type Log struct {
	dir  string
	opts Options
	fs   FS
	lock io.Closer

	// trunc is held shared by Append, Read and Sync, and exclusively by
	// TruncateFront, TruncateBack and Close.
	trunc sync.RWMutex
	// ioMu serializes writes, fsyncs and segment changes. Lock order:
	// trunc, then ioMu, then mu.
	ioMu sync.Mutex
	wseg *segment // segment that writes go to; guarded by ioMu

	mu      sync.Mutex
	cond    sync.Cond // signalled when a flush ends
	segs    []*segment
	first   uint64 // first index in the log
	last    uint64 // last written index: visible to readers
	next    uint64 // next index to assign
	acked   uint64 // last index as durable as the policy requires
	synced  uint64 // last fsynced index
	pending []chunk
	// pendingBytes is the framed size of the records in pending.
	pendingBytes int
	spare        []chunk  // recycled pending slice
	free         [][]byte // recycled chunk buffers
	flushing     bool
	err          error // sticky failure, wraps ErrFailed
	closing      bool
	closed       bool
	notify       chan struct{} // closed when last advances; nil if no waiter
	gen          uint64        // bumped by truncations: invalidates read-ahead
	report       RecoveryReport

	stopSync chan struct{}
	syncDone chan struct{}

	// buffered is set when Options.BufferSize applies: appends return
	// with their records still in pending, and flushTimer writes them
	// within Options.BufferDelay.
	buffered   bool
	flushTimer *time.Timer
}

// chunk is a run of encoded records for one segment, waiting to be written.
type chunk struct {
	seg    *segment
	create bool // a roll: create seg's file before writing
	off    int64
	data   []byte
	last   uint64
}

// RecoveryReport describes what [Open] found and changed.
type RecoveryReport struct {
	// Segments and Records count what the log holds after recovery.
	Segments int
	Records  uint64
	// TornSegment names the last segment when a torn write at its end was
	// cut off (from TornOffset, TornBytes bytes); "" when the tail was clean.
	// Only records whose Append had not returned can be torn (with
	// SyncAlways; with the other policies, records not yet synced).
	TornSegment string
	TornOffset  int64
	TornBytes   int64
	// Repaired is the corruption at which [Options.Repair] cut the log, or
	// nil. RepairedRecords counts the records known to be lost by the cut
	// (those after it in later segments; the rest of the damaged segment
	// cannot be counted).
	Repaired        *CorruptError
	RepairedRecords uint64
	// Removed lists files deleted by recovery: temporary files and segments
	// left over from an interrupted truncation or cut by repair.
	Removed []string
}

// Open opens the log in dir, creating the directory and an empty log if
// needed, and recovers it: every segment is read and checked, a torn write
// at the end of the last segment is cut off (see [Log.Recovery]), and
// corruption anywhere else is a [*CorruptError] unless [Options.Repair] is
// set. A nil opts means all defaults.
//
// Open locks the directory; a second Open of the same directory fails with
// [ErrLocked] until the first Log is closed.
//
// Open reads every segment, so it costs O(size of the log); it keeps one
// open file and 8 bytes of memory per record for [Log.Read].
func Open(dir string, opts *Options) (*Log, error) {
	o := opts.withDefaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if err := o.FS.MkdirAll(dir); err != nil {
		return nil, fmt.Errorf("wal: open %s: %w", dir, err)
	}
	lock, err := o.FS.Lock(filepath.Join(dir, "LOCK"))
	if err != nil {
		return nil, fmt.Errorf("wal: open %s: %w", dir, err)
	}
	l := &Log{dir: dir, opts: o, fs: o.FS, lock: lock}
	l.cond.L = &l.mu
	if err := l.recover(); err != nil {
		for _, s := range l.segs {
			if s.f != nil {
				s.f.Close()
			}
		}
		lock.Close()
		return nil, err
	}
	if o.BufferSize > 0 && o.Sync != SyncAlways {
		l.buffered = true
		l.flushTimer = time.AfterFunc(time.Hour, l.timedFlush)
		l.flushTimer.Stop()
	}
	if o.Sync == SyncInterval {
		l.stopSync = make(chan struct{})
		l.syncDone = make(chan struct{})
		go l.syncLoop()
	}
	return l, nil
}

func (l *Log) recover() error {
	names, err := l.fs.List(l.dir)
	if err != nil {
		return fmt.Errorf("wal: open %s: %w", l.dir, err)
	}
	var starts []uint64
	for _, name := range names {
		if strings.HasSuffix(name, ".tmp") {
			if err := l.remove(filepath.Join(l.dir, name)); err != nil {
				return err
			}
			continue
		}
		if start, ok := parseSegmentName(name); ok {
			starts = append(starts, start)
		}
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i] < starts[j] })
	if len(starts) == 0 {
		seg, err := l.createSegment(1)
		if err != nil {
			return err
		}
		l.segs = []*segment{seg}
		l.finishRecovery()
		return nil
	}

	segs := make([]*segment, len(starts))
	scans := make([]scan, len(starts))
	for k, start := range starts {
		s := &segment{start: start, name: segmentPath(l.dir, start)}
		segs[k] = s
		l.segs = segs[:k+1] // so a failure closes what is open
		if s.f, err = l.fs.Open(s.name); err != nil {
			return fmt.Errorf("wal: open segment: %w", err)
		}
		buf, err := readAll(s.f)
		if err != nil {
			return fmt.Errorf("wal: read segment %s: %w", s.name, err)
		}
		scans[k] = scanSegment(buf, start)
		s.ends = scans[k].ends
	}

	// A TruncateFront interrupted by a crash leaves the rewritten first
	// segment beside the ones it replaces, which overlap it: drop those.
	for k := len(segs) - 1; k > 0; k-- {
		prev := segs[k-1]
		if scans[k-1].bad < 0 && segs[k].start < prev.start+uint64(len(prev.ends)) {
			for _, s := range segs[:k] {
				s.f.Close()
				if err := l.remove(s.name); err != nil {
					return err
				}
			}
			segs, scans = segs[k:], scans[k:]
			break
		}
	}
	l.segs = segs

	for k, s := range segs {
		if k > 0 {
			prev := segs[k-1]
			if want := prev.start + uint64(len(prev.ends)); s.start != want {
				cerr := &CorruptError{Segment: s.name, Reason: fmt.Sprintf("segment starts at index %d, want %d: records are missing", s.start, want)}
				if !l.opts.Repair {
					return cerr
				}
				return l.repair(k-1, prev.size(), cerr)
			}
		}
		sc := scans[k]
		if sc.bad < 0 {
			continue
		}
		if k == len(segs)-1 && sc.torn {
			size, err := s.f.Size()
			if err != nil {
				return fmt.Errorf("wal: %s: %w", s.name, err)
			}
			l.report.TornSegment, l.report.TornOffset, l.report.TornBytes = s.name, sc.bad, size-sc.bad
			return l.cut(s, sc.validEnd())
		}
		cerr := &CorruptError{Segment: s.name, Offset: sc.bad, Reason: sc.badErr.Error()}
		if sc.bad >= segmentHeaderSize {
			cerr.Index = s.start + uint64(len(s.ends))
		}
		if sc.torn {
			cerr.Reason = "truncated or zeroed data before the last segment"
		}
		if !l.opts.Repair {
			return cerr
		}
		return l.repair(k, sc.validEnd(), cerr)
	}
	l.finishRecovery()
	return nil
}

// repair keeps segments up to k, cutting segment k at end, and deletes the
// later ones, last first.
func (l *Log) repair(k int, end int64, cerr *CorruptError) error {
	for j := len(l.segs) - 1; j > k; j-- {
		s := l.segs[j]
		l.report.RepairedRecords += uint64(len(s.ends))
		s.f.Close()
		l.segs = l.segs[:j]
		if err := l.remove(s.name); err != nil {
			return err
		}
	}
	l.report.Repaired = cerr
	return l.cut(l.segs[k], end)
}

// cut truncates s to end bytes (rewriting the header if it was damaged)
// and makes that durable, then completes recovery.
func (l *Log) cut(s *segment, end int64) error {
	if err := s.f.Truncate(end); err != nil {
		return fmt.Errorf("wal: cut %s: %w", s.name, err)
	}
	if end == segmentHeaderSize {
		if _, err := s.f.WriteAt(appendSegmentHeader(nil, s.start), 0); err != nil {
			return fmt.Errorf("wal: cut %s: %w", s.name, err)
		}
	}
	if err := s.f.Sync(); err != nil {
		return fmt.Errorf("wal: cut %s: %w", s.name, err)
	}
	l.finishRecovery()
	return nil
}

func (l *Log) finishRecovery() {
	last := l.segs[len(l.segs)-1]
	l.first = l.segs[0].start
	l.next = last.start + uint64(len(last.ends))
	l.last, l.acked, l.synced = l.next-1, l.next-1, l.next-1
	l.wseg = last
	l.report.Segments = len(l.segs)
	l.report.Records = l.next - l.first
}

// remove deletes a file durably and notes it in the report.
func (l *Log) remove(name string) error {
	if err := l.fs.Remove(name); err != nil {
		return fmt.Errorf("wal: remove %s: %w", name, err)
	}
	if err := l.fs.SyncDir(l.dir); err != nil {
		return fmt.Errorf("wal: sync %s: %w", l.dir, err)
	}
	l.report.Removed = append(l.report.Removed, name)
	return nil
}

// createSegment creates an empty segment file durably: header written and
// synced, directory entry synced.
func (l *Log) createSegment(start uint64) (*segment, error) {
	s := &segment{start: start, name: segmentPath(l.dir, start)}
	f, err := l.fs.Create(s.name)
	if err != nil {
		return nil, fmt.Errorf("wal: create segment: %w", err)
	}
	if _, err := f.WriteAt(appendSegmentHeader(nil, start), 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("wal: create segment: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("wal: create segment: %w", err)
	}
	if err := l.fs.SyncDir(l.dir); err != nil {
		f.Close()
		return nil, fmt.Errorf("wal: create segment: %w", err)
	}
	s.f = f
	return s, nil
}

func readAll(f File) ([]byte, error) {
	size, err := f.Size()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, size)
	n, err := f.ReadAt(buf, 0)
	if err == io.EOF && int64(n) == size {
		err = nil
	}
	return buf[:n], err
}

// Recovery reports what Open found and changed.
func (l *Log) Recovery() RecoveryReport {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.report
	r.Removed = append([]string(nil), r.Removed...)
	return r
}

// FirstIndex returns the index of the first record. For an empty log it is
// LastIndex()+1: the index the next record will get.
func (l *Log) FirstIndex() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.first
}

// LastIndex returns the index of the last record visible to readers, or
// FirstIndex()-1 when the log is empty (0 for a new log). Records whose
// Append is still in progress may not be visible yet. Buffered records
// ([Options.BufferSize]) are visible: reading one writes the buffer first.
func (l *Log) LastIndex() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.visibleLast()
}

// visibleLast is the last index readers may ask for. mu must be held.
func (l *Log) visibleLast() uint64 {
	if l.buffered {
		return l.next - 1
	}
	return l.last
}

// Dir returns the directory of the log.
func (l *Log) Dir() string { return l.dir }

// Close syncs the log, closes its files and releases the directory lock.
// It waits for appends and reads in progress. Later calls return
// [ErrClosed], as does every other method.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closing {
		l.mu.Unlock()
		return ErrClosed
	}
	l.closing = true
	l.mu.Unlock()
	if l.stopSync != nil {
		close(l.stopSync)
		<-l.syncDone
	}
	l.trunc.Lock()
	defer l.trunc.Unlock()
	if l.buffered {
		l.flushTimer.Stop()
		l.mu.Lock()
		_ = l.drain() // a failure is sticky in l.err and returned below
		l.mu.Unlock()
	}
	l.ioMu.Lock()
	defer l.ioMu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.notify != nil {
		close(l.notify)
		l.notify = nil
	}
	var errs []error
	if l.err == nil && l.wseg.f != nil {
		errs = append(errs, l.wseg.f.Sync())
	} else if l.err != nil && l.buffered {
		errs = append(errs, l.err) // buffered records may not have been written
	}
	for _, s := range l.segs {
		if s.f != nil {
			errs = append(errs, s.f.Close())
		}
	}
	errs = append(errs, l.lock.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("wal: close: %w", err)
	}
	return nil
}

// usable returns the error that stops a new operation, with mu held.
func (l *Log) usable() error {
	if l.closed || l.closing {
		return ErrClosed
	}
	return l.err
}
