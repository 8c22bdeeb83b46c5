package wal

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"iter"
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
	if err := l.reveal(i); err != nil {
		l.mu.Unlock()
		return nil, err
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

// reveal writes buffered records when record i is one of them, so that
// readers see every acknowledged append. It is called with mu held and
// returns with it held.
func (l *Log) reveal(i uint64) error {
	if l.buffered && i > l.last && i < l.next {
		return l.drain()
	}
	return nil
}

// find returns the segment holding index i, which must be in the log.
// mu must be held.
func (l *Log) find(i uint64) *segment {
	k := sort.Search(len(l.segs), func(k int) bool { return l.segs[k].start > i })
	return l.segs[k-1]
}

// Reader reads the log in index order from a starting index, and can wait
// for records not yet appended (tailing). Create it with [Log.NewReader].
// It reads ahead up to 256 KiB of a segment at a time, so a sequential scan
// costs one read call per many small records.
//
// A Reader is not safe for concurrent use; use one per goroutine. It may
// run concurrently with appends, truncations and other readers.
type Reader struct {
	l    *Log
	next uint64
	// Read-ahead window: buf holds bytes [off, off+len(buf)) of seg, valid
	// while the log's truncation generation is gen.
	seg *segment
	off int64
	buf []byte
	gen uint64
	err error // what stopped All
}

const readAhead = 256 << 10

// NewReader returns a Reader whose first record is index from. from may be
// LastIndex()+1 or beyond, to read only records appended later.
func (l *Log) NewReader(from uint64) *Reader { return &Reader{l: l, next: from} }

// Index returns the index of the record the next call to Next returns.
func (r *Reader) Index() uint64 { return r.next }

// Next returns the next record (a copy the caller owns) and its index, or
// [io.EOF] when the reader has caught up with the end of the log. When the
// next record was removed by TruncateFront, or the reader is past the end
// after TruncateBack, the error wraps [ErrNotFound]; a damaged record is a
// [*CorruptError].
func (r *Reader) Next() (uint64, []byte, error) {
	l := r.l
	l.trunc.RLock()
	defer l.trunc.RUnlock()
	l.mu.Lock()
	i := r.next
	if l.closed || l.closing {
		l.mu.Unlock()
		return 0, nil, ErrClosed
	}
	if err := l.reveal(i); err != nil {
		l.mu.Unlock()
		return 0, nil, err
	}
	if i == l.last+1 && i >= l.first {
		l.mu.Unlock()
		return 0, nil, io.EOF
	}
	if i < l.first || i > l.last {
		first, last := l.first, l.last
		l.mu.Unlock()
		return 0, nil, fmt.Errorf("%w: reader at %d, log holds [%d, %d]", ErrNotFound, i, first, last)
	}
	if r.gen != l.gen {
		r.seg, r.buf, r.gen = nil, r.buf[:0], l.gen
	}
	seg := l.find(i)
	off, end := seg.bounds(i)
	if seg != r.seg || off < r.off || end > r.off+int64(len(r.buf)) {
		// Refill: from this record to the last visible one of the segment,
		// at most readAhead bytes but always the whole record.
		_, visible := seg.bounds(min(l.last, seg.start+uint64(len(seg.ends))-1))
		n := max(end-off, min(visible-off, readAhead))
		f := seg.f
		l.mu.Unlock()
		if int64(cap(r.buf)) < n {
			r.buf = make([]byte, n)
		}
		r.buf = r.buf[:n]
		if k, err := f.ReadAt(r.buf, off); int64(k) < n {
			r.seg, r.buf = nil, r.buf[:0]
			if err == nil || err == io.EOF {
				return 0, nil, &CorruptError{Segment: seg.name, Offset: off, Index: i, Reason: "segment shorter than indexed"}
			}
			return 0, nil, fmt.Errorf("wal: read %s: %w", seg.name, err)
		}
		r.seg, r.off = seg, off
	} else {
		l.mu.Unlock()
	}
	payload, _, err := decodeRecord(r.buf[off-r.off:end-r.off], i)
	if err != nil {
		return 0, nil, &CorruptError{Segment: seg.name, Offset: off, Index: i, Reason: err.Error()}
	}
	r.next++
	return i, bytes.Clone(payload), nil
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
		if r.next <= l.visibleLast() {
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

// All returns an iterator over the records from the reader's position to
// the end of the log, yielding each index and record (a copy). It stops at
// the end of the log or at the first error, which [Reader.Err] then
// reports; breaking out of the loop early leaves the reader after the last
// record yielded.
func (r *Reader) All() iter.Seq2[uint64, []byte] {
	return func(yield func(uint64, []byte) bool) {
		r.err = nil
		for {
			i, data, err := r.Next()
			if err != nil {
				if err != io.EOF {
					r.err = err
				}
				return
			}
			if !yield(i, data) {
				return
			}
		}
	}
}

// Err returns the error that stopped the last [Reader.All] loop, or nil if
// it reached the end of the log (or was stopped by the caller).
func (r *Reader) Err() error { return r.err }
