package wal

import (
	"fmt"
	"time"
)

// Append adds one record to the end of the log and returns its index. It
// returns once the record is as durable as [Options.Sync] requires: fsynced
// for [SyncAlways] (sharing the fsync with concurrent appenders), written to
// the operating system for the other policies, or only framed into the
// in-memory buffer when [Options.BufferSize] is set (then written within
// [Options.BufferDelay]). The record is visible to readers when Append
// returns. data is not retained.
//
// After a failed write or fsync every append fails with an error wrapping
// [ErrFailed]; close and reopen the log to recover.
func (l *Log) Append(data []byte) (uint64, error) {
	if err := l.checkSize(len(data)); err != nil {
		return 0, err
	}
	pcrc := payloadCRC(data)
	l.trunc.RLock()
	defer l.trunc.RUnlock()
	l.mu.Lock()
	if err := l.usable(); err != nil {
		l.mu.Unlock()
		return 0, err
	}
	index := l.next
	empty := l.pendingBytes == 0
	l.enqueue(data, pcrc)
	return index, l.commit(index, empty)
}

// AppendBatch adds records to the end of the log with consecutive indexes
// (no other append interleaves) and returns the index of the first; the
// last is first+len(records)-1. The batch goes to the file in one write
// call (more if it spans segments), shared with concurrent appends. Durability is as for [Log.Append]. A crash may
// keep a prefix of an unacknowledged batch. An empty batch returns the
// index the next record will get and writes nothing.
func (l *Log) AppendBatch(records [][]byte) (first uint64, err error) {
	var small [16]uint32
	crcs := small[:0]
	for _, r := range records {
		if err := l.checkSize(len(r)); err != nil {
			return 0, err
		}
		crcs = append(crcs, payloadCRC(r))
	}
	l.trunc.RLock()
	defer l.trunc.RUnlock()
	l.mu.Lock()
	if err := l.usable(); err != nil {
		l.mu.Unlock()
		return 0, err
	}
	first = l.next
	if len(records) == 0 {
		l.mu.Unlock()
		return first, nil
	}
	empty := l.pendingBytes == 0
	for i, r := range records {
		l.enqueue(r, crcs[i])
	}
	return first, l.commit(l.next-1, empty)
}

// commit returns once the records up to index are acknowledged. A
// buffered log acknowledges them at once, arming the flush timer when they
// are the first pending bytes, unless the buffer is full or a tailing
// reader waits: then, as unbuffered logs always do, it writes them (see
// wait). empty says whether nothing was pending before these records. It
// is called with mu held and returns with it released.
func (l *Log) commit(index uint64, empty bool) error {
	if l.buffered && l.pendingBytes < l.opts.BufferSize && l.notify == nil {
		if empty {
			l.flushTimer.Reset(l.opts.BufferDelay)
		}
		l.mu.Unlock()
		return nil
	}
	return l.wait(index)
}

// drain writes every record appended so far (buffered or in flight) and
// waits for that write. It is called with mu held and returns with it held.
func (l *Log) drain() error {
	if l.err != nil {
		return l.err
	}
	if l.acked >= l.next-1 {
		return nil
	}
	err := l.wait(l.next - 1)
	l.mu.Lock()
	return err
}

// timedFlush writes buffered records when Options.BufferDelay has passed
// since the oldest of them was appended.
func (l *Log) timedFlush() {
	l.trunc.RLock()
	defer l.trunc.RUnlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	_ = l.drain() // a failure is sticky and reported by the next call
}

func (l *Log) checkSize(n int) error {
	if limit := l.opts.SegmentSize - segmentHeaderSize - recordHeaderSize; int64(n) > limit {
		return fmt.Errorf("%w: %d bytes, limit %d (SegmentSize %d)", ErrTooLarge, n, limit, l.opts.SegmentSize)
	}
	return nil
}

// enqueue assigns the next index to a record and frames it into the
// pending chunks, rolling to a new segment when the active one is full.
// mu must be held.
func (l *Log) enqueue(data []byte, pcrc uint32) {
	size := int64(recordHeaderSize + len(data))
	seg := l.segs[len(l.segs)-1]
	if len(seg.ends) > 0 && seg.size()+size > l.opts.SegmentSize {
		seg = &segment{start: l.next, name: segmentPath(l.dir, l.next)}
		l.segs = append(l.segs, seg)
		l.pending = append(l.pending, chunk{seg: seg, create: true, off: segmentHeaderSize, data: l.buffer()})
	}
	if n := len(l.pending); n == 0 || l.pending[n-1].seg != seg {
		l.pending = append(l.pending, chunk{seg: seg, off: seg.size(), data: l.buffer()})
	}
	c := &l.pending[len(l.pending)-1]
	c.data = appendRecord(c.data, l.next, pcrc, data)
	c.last = l.next
	l.pendingBytes += int(size)
	seg.ends = append(seg.ends, seg.size()+size)
	l.next++
}

func (l *Log) buffer() []byte {
	if n := len(l.free); n > 0 {
		b := l.free[n-1]
		l.free = l.free[:n-1]
		return b[:0]
	}
	return nil
}

// wait returns once index is acknowledged under the sync policy, becoming
// the flusher (group-commit leader) when nobody else is. It is called with
// mu held and returns with it released.
func (l *Log) wait(index uint64) error {
	defer l.mu.Unlock()
	for {
		if l.acked >= index {
			return nil
		}
		if l.err != nil {
			return l.err
		}
		if l.flushing {
			l.cond.Wait()
			continue
		}
		l.flushing = true
		chunks := l.pending
		l.pending, l.spare = l.spare, nil
		l.pendingBytes = 0
		l.mu.Unlock()

		l.ioMu.Lock()
		err := l.flush(chunks)
		l.ioMu.Unlock()

		l.mu.Lock()
		l.flushing = false
		if err != nil {
			l.err = fmt.Errorf("%w: %w", ErrFailed, err)
		} else {
			last := chunks[len(chunks)-1].last
			l.last = last
			if l.opts.Sync == SyncAlways {
				l.synced = last
			}
			l.acked = last
			if l.notify != nil {
				close(l.notify)
				l.notify = nil
			}
		}
		for i := range chunks {
			if cap(chunks[i].data) <= 1<<20 && len(l.free) < 4 {
				l.free = append(l.free, chunks[i].data)
			}
			chunks[i] = chunk{}
		}
		if l.spare == nil {
			l.spare = chunks[:0]
		}
		l.cond.Broadcast()
	}
}

// flush writes chunks in order, creating segments for rolls, and fsyncs at
// the end under SyncAlways. ioMu must be held.
func (l *Log) flush(chunks []chunk) error {
	for i := range chunks {
		c := &chunks[i]
		if c.create {
			// Seal the full segment before the next one can exist on disk,
			// so only the last segment can ever have a torn tail.
			if err := l.wseg.f.Sync(); err != nil {
				return fmt.Errorf("wal: sync %s: %w", l.wseg.name, err)
			}
			s, err := l.createSegment(c.seg.start)
			if err != nil {
				return err
			}
			l.mu.Lock()
			c.seg.f = s.f
			l.mu.Unlock()
			l.wseg = c.seg
		}
		if _, err := c.seg.f.WriteAt(c.data, c.off); err != nil {
			return fmt.Errorf("wal: write %s: %w", c.seg.name, err)
		}
	}
	if l.opts.Sync == SyncAlways {
		if err := l.wseg.f.Sync(); err != nil {
			return fmt.Errorf("wal: sync %s: %w", l.wseg.name, err)
		}
	}
	return nil
}

// Sync fsyncs every record written so far, whatever the policy.
func (l *Log) Sync() error {
	l.trunc.RLock()
	defer l.trunc.RUnlock()
	return l.sync()
}

func (l *Log) sync() error {
	// Everything visible now is the target; a Sync that runs while we wait
	// for ioMu may already cover it (concurrent Syncs share an fsync).
	// Buffered records were acknowledged, so they are written first.
	l.mu.Lock()
	if l.buffered && !l.closed && !l.closing {
		if err := l.drain(); err != nil {
			l.mu.Unlock()
			return err
		}
	}
	target := l.last
	l.mu.Unlock()
	l.ioMu.Lock()
	defer l.ioMu.Unlock()
	l.mu.Lock()
	if err := l.usable(); err != nil {
		l.mu.Unlock()
		return err
	}
	if l.synced >= target {
		l.mu.Unlock()
		return nil
	}
	last, f, name := l.last, l.wseg.f, l.wseg.name
	l.mu.Unlock()
	err := f.Sync()
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.err = fmt.Errorf("%w: sync %s: %w", ErrFailed, name, err)
		return l.err
	}
	l.synced = max(l.synced, last)
	return nil
}

// syncLoop fsyncs every SyncInterval under the SyncInterval policy.
func (l *Log) syncLoop() {
	defer close(l.syncDone)
	t := time.NewTicker(l.opts.SyncInterval)
	defer t.Stop()
	for {
		select {
		case <-l.stopSync:
			return
		case <-t.C:
			_ = l.sync() // a failure is sticky and reported by the next call
		}
	}
}
