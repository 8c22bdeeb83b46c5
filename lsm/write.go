package lsm

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/sysdesign-go/sysdesign/lsm/internal/base"
	"github.com/sysdesign-go/sysdesign/lsm/internal/memtable"
	"github.com/sysdesign-go/sysdesign/wal"
)

// MaxBatchSize is the largest encoded batch Apply accepts (one log record
// must fit in a log segment), a little under 64 MiB.
const MaxBatchSize = wal.DefaultSegmentSize - 1024

// Put sets key to value. The slices may be reused after Put returns.
func (db *DB) Put(key, value []byte, wo *WriteOptions) error {
	b := db.batches.Get().(*Batch)
	b.Reset()
	b.Put(key, value)
	err := db.Apply(b, wo)
	db.batches.Put(b)
	return err
}

// Delete removes key (a no-op if it is absent).
func (db *DB) Delete(key []byte, wo *WriteOptions) error {
	b := db.batches.Get().(*Batch)
	b.Reset()
	b.Delete(key)
	err := db.Apply(b, wo)
	db.batches.Put(b)
	return err
}

// Apply writes every operation of b atomically: readers see all of them or
// none, and after a crash they are all present or all absent. With Sync
// (from wo, or Options.Sync when wo is nil) the log is fsynced first. Apply
// may wait when level 0 has L0StopWrites tables or the memtables are all
// full, and slows down by 1 ms from L0SlowdownWrites tables.
func (db *DB) Apply(b *Batch, wo *WriteOptions) error {
	if b.Len() == 0 {
		return nil
	}
	if b.Size() > MaxBatchSize {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrBatchTooLarge, b.Size(), MaxBatchSize)
	}
	sync := db.opts.Sync
	if wo != nil {
		sync = wo.Sync
	}
	// Group commit: the batch joins the queue; whoever takes writeMu next
	// (the leader) commits every queued batch with one log write each and
	// at most one fsync, so concurrent Sync writers share a sync. A batch
	// already committed by an earlier leader is done when its writer gets
	// writeMu.
	b.sync, b.done, b.err = sync, false, nil
	db.queueMu.Lock()
	db.queue = append(db.queue, b)
	db.queueMu.Unlock()
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	if b.done {
		return b.err
	}
	db.queueMu.Lock()
	group := db.queue
	db.queue = db.spare[:0]
	db.queueMu.Unlock()
	db.commitGroup(group)
	clear(group)
	db.spare = group[:0]
	return b.err
}

// commitGroup writes the batches of group to the log, syncs it once if
// any of them asked for it, applies them to the memtable and publishes
// them together. It sets every batch's done and err. Called with writeMu.
func (db *DB) commitGroup(group []*Batch) {
	fail := func(err error) {
		for _, b := range group {
			b.done, b.err = true, err
		}
	}
	if err := db.makeRoom(false); err != nil {
		fail(err)
		return
	}
	seq := db.lastSeq + 1
	sync := false
	var size int64
	for _, b := range group {
		b.setSeq(seq)
		seq += uint64(b.n)
		size += int64(len(b.data))
		sync = sync || b.sync
	}
	err := db.writeLog(group)
	if err != nil {
		db.logFailed(err)
		fail(err)
		return
	}
	if sync {
		if err := db.log.Sync(); err != nil {
			db.logFailed(err)
			fail(err)
			return
		}
	}
	mt := db.mem.mt
	for _, b := range group {
		_, _, err := decodeBatch(b.data, func(seq uint64, kind base.Kind, k, v []byte) error {
			mt.Add(seq, kind, k, v)
			return nil
		})
		b.done, b.err = true, err
	}
	db.lastSeq = seq - 1
	db.visibleSeq.Store(db.lastSeq)
	db.mu.Lock()
	db.st.userBytes += size
	db.st.walBytes += size + 8*int64(len(group))
	db.st.commitGroups++
	db.st.commitBatches += int64(len(group))
	if sync {
		db.st.logSyncs++
	}
	db.mu.Unlock()
}

// writeLog appends the batches of group to the log, one record per batch
// (so each is atomic on replay), in one write call, or into the log's
// buffer (Options.WALBufferSize). Called with writeMu held.
func (db *DB) writeLog(group []*Batch) error {
	if len(group) == 1 {
		return db.log.Append(group[0].data, false)
	}
	recs := db.recs[:0]
	for _, b := range group {
		recs = append(recs, b.data)
	}
	err := db.log.AppendBatch(recs)
	clear(recs)
	db.recs = recs[:0]
	return err
}

// logFailed stops writes after a log error: the log may hold a partial
// record.
func (db *DB) logFailed(err error) {
	db.mu.Lock()
	if db.bgErr == nil {
		db.bgErr = err
	}
	db.mu.Unlock()
}

// makeRoom makes sure the mutable memtable has room, switching to a new
// one (and a new log) when it is full. force switches any non-empty
// memtable. Called with writeMu held.
func (db *DB) makeRoom(force bool) error {
	db.mu.Lock()
	defer db.mu.Unlock()
	delayed := false
	for {
		if db.closed {
			return ErrClosed
		}
		if db.bgErr != nil {
			return db.bgErr
		}
		l0 := len(db.current.levels[0])
		throttle := !db.opts.DisableBackgroundCompaction
		if throttle && !force && !delayed && l0 >= db.opts.L0SlowdownWrites {
			db.mu.Unlock()
			start := time.Now()
			sleep(time.Millisecond)
			db.mu.Lock()
			db.st.noteStall(time.Since(start), false)
			delayed = true
			continue
		}
		if !force && db.mem.mt.ApproximateSize() < db.opts.MemtableSize {
			return nil
		}
		if force && db.mem.mt.Empty() {
			return nil
		}
		if len(db.imm) >= db.opts.MaxImmutableMemtables || (throttle && l0 >= db.opts.L0StopWrites) {
			start := time.Now()
			db.cond.Wait()
			db.st.noteStall(time.Since(start), true)
			continue
		}
		if db.preparing {
			// The next log is being created: it is nearly there.
			db.cond.Wait()
			continue
		}
		// The next log was normally created in the background after the
		// previous switch (prepareLog): creating one costs a directory, a
		// lock file and two fsyncs, which would otherwise stall this write.
		lw, num := db.nextLog, db.nextLogNum
		db.nextLog = nil
		if lw == nil {
			num = db.nextFile
			db.nextFile++
			// Create the new log without holding mu (file creation is I/O
			// that flushes, compactions and readers must not wait for).
			// Only writers, serialised by writeMu, change mem and log, so
			// nothing moves under us; the old log is closed (synced) by
			// the flush, off the write path.
			db.mu.Unlock()
			var err error
			lw, err = createLog(logName(db.dir, num), &db.opts)
			db.mu.Lock()
			if err != nil {
				if db.bgErr == nil {
					db.bgErr = err
				}
				return err
			}
		}
		db.prepareLog()
		db.mem.log = db.log
		db.log = lw
		db.imm = append(slices.Clone(db.imm), db.mem)
		db.mem = &memTable{mt: memtable.New(num), logNum: num}
		db.cond.Broadcast()
		force = false
		return nil
	}
}

// prepareLog creates the log for the next memtable in the background, so
// that a memtable switch does not wait for file creation. Its number is
// taken now, after the current log's, so logs stay in write order. A
// failure is not reported: the switch then creates the log itself. Called
// with mu held.
func (db *DB) prepareLog() {
	if db.closed || db.preparing || db.nextLog != nil {
		return
	}
	num := db.nextFile
	db.nextFile++
	db.preparing = true
	db.bg.Add(1)
	go func() {
		defer db.bg.Done()
		lw, err := createLog(logName(db.dir, num), &db.opts)
		db.mu.Lock()
		defer db.mu.Unlock()
		db.preparing = false
		db.cond.Broadcast()
		if err == nil && !db.closed {
			db.nextLog, db.nextLogNum = lw, num
			return
		}
		if err == nil {
			lw.Close()
		}
		os.RemoveAll(logName(db.dir, num)) // empty, or never created
	}()
}

// Flush writes the memtable to a level-0 table and waits until every
// frozen memtable is flushed, or ctx is done.
func (db *DB) Flush(ctx context.Context) error {
	db.writeMu.Lock()
	err := db.makeRoom(true)
	db.writeMu.Unlock()
	if err != nil {
		return err
	}
	return db.waitFor(ctx, func() bool { return len(db.imm) == 0 })
}

// waitFor waits under mu until cond holds, the DB fails or closes, or ctx
// is done.
func (db *DB) waitFor(ctx context.Context, cond func() bool) error {
	stop := context.AfterFunc(ctx, func() {
		db.mu.Lock()
		db.cond.Broadcast()
		db.mu.Unlock()
	})
	defer stop()
	db.mu.Lock()
	defer db.mu.Unlock()
	for !cond() {
		if db.bgErr != nil {
			return db.bgErr
		}
		if db.closed {
			return ErrClosed
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		db.cond.Wait()
	}
	return db.bgErr
}
