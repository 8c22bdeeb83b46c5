package wal

import (
	"context"
	"fmt"
	"io"
	"sort"
)

// Read returns a copy of the record at index i. It fails with an error
// wrapping [ErrNotFound] when i is outside [FirstIndex, LastIndex], and
// with a [*CorruptError] if the stored record no longer matches its
// checksum. Cost: one positioned read of the record (the offset comes from
// an in-memory index).
func (l *Log) Read(i uint64) ([]byte, error) {
	l.trunc.RLock()
	defer l.trunc.RUnlock()
	l.mu.Lock()
	if l.closed || l.closing {
		l.mu.Unlock()
		return nil, ErrClosed
	}
	if i < l.first || i > l.last {
		first, last := l.first, l.last
		l.mu.Unlock()
		return nil, fmt.Errorf("%w: %d is outside [%d, %d]", ErrNotFound, i, first, last)
	}
	seg := l.find(i)
	off, end := seg.bounds(i)
	f := seg.f
	l.mu.Unlock()

	buf := make([]byte, end-off)
	if n, err := f.ReadAt(buf, off); n < len(buf) {
		if err == nil || err == io.EOF {
			return nil, &CorruptError{Segment: seg.name, Offset: off, Index: i, Reason: "segment shorter than indexed"}
		}
		return nil, fmt.Errorf("wal: read %s: %w", seg.name, err)
	}
	payload, _, err := decodeRecord(buf, i)
	if err != nil {
		return nil, &CorruptError{Segment: seg.name, Offset: off, Index: i, Reason: err.Error()}
	}
	return payload, nil
}

// find returns the segment holding index i, which must be in the log.
// mu must be held.
func (l *Log) find(i uint64) *segment {
	k := sort.Search(len(l.segs), func(k int) bool { return l.segs[k].start > i })
	return l.segs[k-1]
}

// Reader reads the log in index order from a starting index, and can wait
// for records not yet appended (tailing). Create it with [Log.NewReader].
// A Reader is not safe for concurrent use; use one per goroutine.
type Reader struct {
	l    *Log
	next uint64
}

// NewReader returns a Reader whose first record is index from. from may be
// LastIndex()+1 or beyond, to read only records appended later.
func (l *Log) NewReader(from uint64) *Reader { return &Reader{l: l, next: from} }

// Index returns the index of the record the next call to Next returns.
func (r *Reader) Index() uint64 { return r.next }

// Next returns the next record and its index, or [io.EOF] when the reader
// has caught up with the end of the log. When the next record was removed
// by TruncateFront (or the reader is past the end after TruncateBack) the
// error wraps [ErrNotFound].
func (r *Reader) Next() (uint64, []byte, error) {
	r.l.mu.Lock()
	if r.next == r.l.last+1 && r.next >= r.l.first {
		closed := r.l.closed || r.l.closing
		r.l.mu.Unlock()
		if closed {
			return 0, nil, ErrClosed
		}
		return 0, nil, io.EOF
	}
	r.l.mu.Unlock()
	data, err := r.l.Read(r.next)
	if err != nil {
		return 0, nil, err
	}
	r.next++
	return r.next - 1, data, nil
}

// NextWait is like [Reader.Next] but, at the end of the log, waits for the
// next record to be appended, for ctx to be done (returning ctx.Err()), or
// for the log to be closed (returning [ErrClosed]).
func (r *Reader) NextWait(ctx context.Context) (uint64, []byte, error) {
	for {
		i, data, err := r.Next()
		if err != io.EOF {
			return i, data, err
		}
		l := r.l
		l.mu.Lock()
		if l.closed || l.closing {
			l.mu.Unlock()
			return 0, nil, ErrClosed
		}
		if r.next <= l.last {
			l.mu.Unlock()
			continue
		}
		if l.notify == nil {
			l.notify = make(chan struct{})
		}
		ch := l.notify
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		case <-ch:
		}
	}
}
