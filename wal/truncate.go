package wal

import (
	"fmt"
)

// TruncateFront removes every record before index i, so that FirstIndex
// becomes i; it is how retention drops old records. i may be from
// FirstIndex to LastIndex()+1 (which empties the log; the next record still
// gets index LastIndex()+1).
//
// Whole segments before i are deleted. The segment holding i is rewritten
// from i on into a new file (the copy is written and synced under a
// temporary name, then renamed), so TruncateFront costs at most one
// segment of copying. It is crash safe: after a crash in the middle of it,
// the log starts at the old first index, at i, or at a segment boundary in
// between, with every record from there on intact and never a gap; Open
// finishes a rewrite that was interrupted after its rename.
func (l *Log) TruncateFront(i uint64) error {
	l.trunc.Lock()
	defer l.trunc.Unlock()
	if err := l.drainBuffer(); err != nil {
		return err
	}
	l.ioMu.Lock()
	defer l.ioMu.Unlock()
	l.mu.Lock()
	if err := l.usable(); err != nil {
		l.mu.Unlock()
		return err
	}
	first, last := l.first, l.last
	segs := append([]*segment(nil), l.segs...)
	l.mu.Unlock()
	if i < first || i > last+1 {
		return fmt.Errorf("%w: TruncateFront(%d) outside [%d, %d]", ErrOutOfRange, i, first, last+1)
	}
	if i == first {
		return nil
	}
	k := len(segs) - 1
	for segs[k].start > i {
		k--
	}
	keep := segs[k:]
	if segs[k].start != i {
		ns, err := l.rewriteFrom(segs[k], i)
		if err != nil {
			return l.fail(err)
		}
		keep = append([]*segment{ns}, segs[k+1:]...)
		k++ // segs[k-1], the old file, goes too
	}
	// Publish the new state before deleting, so readers see a consistent log.
	l.mu.Lock()
	l.segs = keep
	l.first = i
	l.gen++
	l.wseg = keep[len(keep)-1]
	l.mu.Unlock()
	// Delete oldest first: a crash leaves a contiguous suffix of the log.
	for _, s := range segs[:k] {
		s.f.Close()
		if err := l.fs.Remove(s.name); err != nil {
			return l.fail(fmt.Errorf("wal: remove %s: %w", s.name, err))
		}
		if err := l.fs.SyncDir(l.dir); err != nil {
			return l.fail(fmt.Errorf("wal: sync %s: %w", l.dir, err))
		}
	}
	return nil
}

// rewriteFrom copies records i.. of s into a new segment that starts at i.
// ioMu must be held.
func (l *Log) rewriteFrom(s *segment, i uint64) (*segment, error) {
	// The source must be complete on disk: after a crash it may be read to
	// decide that the new segment supersedes it.
	if err := s.f.Sync(); err != nil {
		return nil, fmt.Errorf("wal: sync %s: %w", s.name, err)
	}
	ns := &segment{start: i, name: segmentPath(l.dir, i)}
	tmp := ns.name + ".tmp"
	f, err := l.fs.Create(tmp)
	if err != nil {
		return nil, fmt.Errorf("wal: truncate front: %w", err)
	}
	from := s.size()
	if i-s.start < uint64(len(s.ends)) {
		from, _ = s.bounds(i)
	}
	shift := from - segmentHeaderSize
	if _, err := f.WriteAt(appendSegmentHeader(nil, i), 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("wal: truncate front: %w", err)
	}
	buf := make([]byte, min(s.size()-from, 1<<20))
	for off := from; off < s.size(); {
		n := min(int64(len(buf)), s.size()-off)
		if _, err := s.f.ReadAt(buf[:n], off); err != nil {
			f.Close()
			return nil, fmt.Errorf("wal: truncate front: read %s: %w", s.name, err)
		}
		if _, err := f.WriteAt(buf[:n], off-shift); err != nil {
			f.Close()
			return nil, fmt.Errorf("wal: truncate front: %w", err)
		}
		off += n
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("wal: truncate front: %w", err)
	}
	if err := l.fs.Rename(tmp, ns.name); err != nil {
		f.Close()
		return nil, fmt.Errorf("wal: truncate front: %w", err)
	}
	if err := l.fs.SyncDir(l.dir); err != nil {
		f.Close()
		return nil, fmt.Errorf("wal: truncate front: %w", err)
	}
	for _, e := range s.ends[i-s.start:] {
		ns.ends = append(ns.ends, e-shift)
	}
	ns.f = f
	return ns, nil
}

// TruncateBack removes every record after index i, so that LastIndex
// becomes i: it rolls back an uncommitted tail. i may be from
// FirstIndex()-1 (which empties the log) to LastIndex. The next record
// appended gets index i+1.
//
// Later segments are deleted newest first and the segment holding i is cut
// and synced, so the call is crash safe: after a crash the log holds the
// old records, the truncated ones, or a prefix in between, never a gap.
func (l *Log) TruncateBack(i uint64) error {
	l.trunc.Lock()
	defer l.trunc.Unlock()
	if err := l.drainBuffer(); err != nil {
		return err
	}
	l.ioMu.Lock()
	defer l.ioMu.Unlock()
	l.mu.Lock()
	if err := l.usable(); err != nil {
		l.mu.Unlock()
		return err
	}
	first, last := l.first, l.last
	segs := append([]*segment(nil), l.segs...)
	l.mu.Unlock()
	if i+1 < first || i > last {
		return fmt.Errorf("%w: TruncateBack(%d) outside [%d, %d]", ErrOutOfRange, i, first-1, last)
	}
	if i == last {
		return nil
	}
	k := len(segs) - 1
	for segs[k].start > i+1 {
		k--
	}
	for j := len(segs) - 1; j > k; j-- {
		s := segs[j]
		l.mu.Lock()
		l.segs = segs[:j]
		l.gen++
		l.last = min(l.last, s.start-1)
		l.next = l.last + 1
		l.mu.Unlock()
		s.f.Close()
		if err := l.fs.Remove(s.name); err != nil {
			return l.fail(fmt.Errorf("wal: remove %s: %w", s.name, err))
		}
		if err := l.fs.SyncDir(l.dir); err != nil {
			return l.fail(fmt.Errorf("wal: sync %s: %w", l.dir, err))
		}
	}
	s := segs[k]
	n := i + 1 - s.start
	end := int64(segmentHeaderSize)
	if n > 0 {
		end = s.ends[n-1]
	}
	if err := s.f.Truncate(end); err != nil {
		return l.fail(fmt.Errorf("wal: truncate %s: %w", s.name, err))
	}
	if err := s.f.Sync(); err != nil {
		return l.fail(fmt.Errorf("wal: sync %s: %w", s.name, err))
	}
	l.mu.Lock()
	s.ends = s.ends[:n]
	l.segs = segs[:k+1]
	l.gen++
	l.last, l.next = i, i+1
	l.acked, l.synced = min(l.acked, i), min(l.synced, i)
	l.mu.Unlock()
	l.wseg = s
	return nil
}

// fail makes err sticky: the log's state on disk is unknown after it.
func (l *Log) fail(err error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		l.err = fmt.Errorf("%w: %w", ErrFailed, err)
	}
	return l.err
}

// drainBuffer writes buffered records before a truncation, which works on
// what is in the files. trunc must be held exclusively.
func (l *Log) drainBuffer() error {
	if !l.buffered {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.usable(); err != nil {
		return err
	}
	return l.drain()
}
