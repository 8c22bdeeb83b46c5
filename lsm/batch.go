package lsm

import (
	"encoding/binary"
	"fmt"

	"github.com/sysdesign-go/sysdesign/lsm/internal/base"
)

const batchHeaderLen = 12 // seq u64 | count u32

// Batch is a group of writes applied atomically by [DB.Apply]: after a
// crash either all of them are present or none. The zero value is an empty
// batch ready to use. A Batch is not safe for concurrent use; it may be
// reused after Reset.
//
// Encoding (also the log record): seq u64 LE | count u32 LE, then per
// operation: kind byte | uvarint key length | key | (for a set) uvarint
// value length | value.
type Batch struct {
	data []byte
	n    uint32

	// Commit state, set by Apply while the batch waits in the commit
	// queue; guarded by DB.writeMu once queued.
	sync bool
	done bool
	err  error
}

func (b *Batch) init() {
	if len(b.data) < batchHeaderLen {
		if cap(b.data) < 64 {
			b.data = make([]byte, batchHeaderLen, 256)
		}
		b.data = b.data[:batchHeaderLen]
		clear(b.data)
	}
}

// Put adds key -> value to the batch. The slices are copied.
func (b *Batch) Put(key, value []byte) {
	b.init()
	b.data = append(b.data, byte(base.KindSet))
	b.data = binary.AppendUvarint(b.data, uint64(len(key)))
	b.data = append(b.data, key...)
	b.data = binary.AppendUvarint(b.data, uint64(len(value)))
	b.data = append(b.data, value...)
	b.n++
}

// Delete adds a deletion of key to the batch.
func (b *Batch) Delete(key []byte) {
	b.init()
	b.data = append(b.data, byte(base.KindDelete))
	b.data = binary.AppendUvarint(b.data, uint64(len(key)))
	b.data = append(b.data, key...)
	b.n++
}

// Len returns the number of operations in the batch.
func (b *Batch) Len() int { return int(b.n) }

// Reset empties the batch, keeping its memory.
func (b *Batch) Reset() { b.data = b.data[:0]; b.n = 0 }

// Size returns the encoded size in bytes.
func (b *Batch) Size() int { return len(b.data) }

func (b *Batch) setSeq(seq uint64) {
	b.init()
	binary.LittleEndian.PutUint64(b.data, seq)
	binary.LittleEndian.PutUint32(b.data[8:], b.n)
}

// forEach decodes an encoded batch. It returns ErrBatchCorrupt for bad
// input and never panics.
func decodeBatch(data []byte, fn func(seq uint64, kind base.Kind, key, value []byte) error) (seq uint64, count uint32, err error) {
	if len(data) < batchHeaderLen {
		return 0, 0, fmt.Errorf("%w: %d-byte header", ErrBatchCorrupt, len(data))
	}
	seq = binary.LittleEndian.Uint64(data)
	count = binary.LittleEndian.Uint32(data[8:])
	p := data[batchHeaderLen:]
	readBytes := func() ([]byte, bool) {
		n, k := binary.Uvarint(p)
		if k <= 0 || n > uint64(len(p)-k) {
			return nil, false
		}
		v := p[k : k+int(n)]
		p = p[k+int(n):]
		return v, true
	}
	for i := uint32(0); i < count; i++ {
		if len(p) == 0 {
			return 0, 0, fmt.Errorf("%w: %d of %d operations", ErrBatchCorrupt, i, count)
		}
		kind := base.Kind(p[0])
		p = p[1:]
		key, ok := readBytes()
		if !ok {
			return 0, 0, fmt.Errorf("%w: bad key in operation %d", ErrBatchCorrupt, i)
		}
		var value []byte
		switch kind {
		case base.KindSet:
			if value, ok = readBytes(); !ok {
				return 0, 0, fmt.Errorf("%w: bad value in operation %d", ErrBatchCorrupt, i)
			}
		case base.KindDelete:
		default:
			return 0, 0, fmt.Errorf("%w: unknown kind %d", ErrBatchCorrupt, kind)
		}
		if fn != nil {
			if err := fn(seq+uint64(i), kind, key, value); err != nil {
				return 0, 0, err
			}
		}
	}
	if len(p) != 0 {
		return 0, 0, fmt.Errorf("%w: %d trailing bytes", ErrBatchCorrupt, len(p))
	}
	return seq, count, nil
}
