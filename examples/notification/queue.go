package notification

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sysdesign-go/sysdesign/internal/atomicfile"
	"github.com/sysdesign-go/sysdesign/wal"
)

// queue is a durable FIFO: a wal.Log of messages and a consumer cursor in
// a file beside it. The cursor is committed every commitEvery messages and
// whenever the consumer catches up, so after a crash at most commitEvery
// messages are processed again (at-least-once; the provider's idempotency
// key makes that harmless). Committed records are truncated away.
type queue struct {
	log    *wal.Log
	cursor string // file holding the next index to process
	next   uint64
	done   uint64 // committed
}

const (
	commitEvery  = 32
	truncateFrom = 4096 // committed records kept before truncating
)

func openQueue(dir, name string) (*queue, error) {
	log, err := wal.Open(filepath.Join(dir, name), nil)
	if err != nil {
		return nil, err
	}
	q := &queue{log: log, cursor: filepath.Join(dir, name+".cursor")}
	q.next = log.FirstIndex()
	raw, err := os.ReadFile(q.cursor)
	switch {
	case err == nil && len(raw) == 8:
		q.next = max(q.next, binary.LittleEndian.Uint64(raw))
	case err == nil:
		err = fmt.Errorf("%w: cursor file %s has %d bytes", ErrCorrupt, q.cursor, len(raw))
	case errors.Is(err, os.ErrNotExist):
		err = nil
	}
	if err != nil {
		log.Close()
		return nil, err
	}
	q.done = q.next
	return q, nil
}

func (q *queue) push(m Message) error {
	_, err := q.log.Append(appendMessage(nil, m))
	return err
}

// consume calls handle for each message from the cursor on, waiting for
// new ones, until ctx ends. A message is done once handle returns nil;
// an error from handle stops the consumer with the message not done.
func (q *queue) consume(ctx context.Context, handle func(Message) error) error {
	r := q.log.NewReader(q.next)
	for {
		i, rec, err := r.Next()
		if err == io.EOF {
			if err := q.commit(); err != nil {
				return err
			}
			i, rec, err = r.NextWait(ctx)
		}
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, wal.ErrClosed) {
				return nil
			}
			return err
		}
		m, err := decodeMessage(rec)
		if err != nil {
			return fmt.Errorf("notification: record %d: %w", i, err)
		}
		if err := handle(m); err != nil {
			if ctx.Err() != nil {
				return nil // stopping: the message stays to be done
			}
			return err
		}
		q.next = i + 1
		if q.next-q.done >= commitEvery {
			if err := q.commit(); err != nil {
				return err
			}
		}
	}
}

// commit stores the cursor durably and drops old committed records.
func (q *queue) commit() error {
	if q.next == q.done {
		return nil
	}
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], q.next)
	if err := atomicfile.WriteFile(q.cursor, buf[:]); err != nil {
		return err
	}
	q.done = q.next
	if q.done-q.log.FirstIndex() > truncateFrom {
		return q.log.TruncateFront(q.done - truncateFrom/2)
	}
	return nil
}

// all returns every message still in the log.
func (q *queue) all() ([]Message, error) {
	var out []Message
	r := q.log.NewReader(q.log.FirstIndex())
	for _, rec := range r.All() {
		m, err := decodeMessage(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, r.Err()
}

func (q *queue) close() error { return q.log.Close() }
