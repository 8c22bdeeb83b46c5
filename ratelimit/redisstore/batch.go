package redisstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/redis/go-redis/v9"
)

// The batch script (for clients that are not Cluster or Ring clients)
// takes the whole batch in two MessagePack blobs, which Redis's Lua decodes
// with cmsgpack: ARGV[1], built once per Limiter, is the array
// [L, rate, period, T, tau, ...] (four numbers per limit); ARGV[2], built
// by the sender into a reused buffer, is the flat array
// [n₁, key₁₁ … key₁L, n₂, …]. The reply is one MessagePack array of five
// integers per limit per decision. Compared with one EVALSHA argument per
// key and a RESP array of integers, this costs no allocation per decision
// on the client and less argument handling in Redis.

// errBadReply reports a batch reply that is not what the script returns.
var errBadReply = errors.New("redisstore: malformed batch reply")

func appendArrayHeader(b []byte, n int) []byte {
	switch {
	case n < 16:
		return append(b, 0x90|byte(n))
	case n < 1<<16:
		return binary.BigEndian.AppendUint16(append(b, 0xdc), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, 0xdd), uint32(n))
}

// appendStrHeader uses only the str types of the original MessagePack
// (fixstr, str16, str32), which every cmsgpack decodes.
func appendStrHeader(b []byte, n int) []byte {
	switch {
	case n < 32:
		return append(b, 0xa0|byte(n))
	case n < 1<<16:
		return binary.BigEndian.AppendUint16(append(b, 0xda), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, 0xdb), uint32(n))
}

func appendInt(b []byte, v int64) []byte {
	switch {
	case v >= 0 && v < 128:
		return append(b, byte(v))
	case v >= 0:
		return binary.BigEndian.AppendUint64(append(b, 0xcf), uint64(v))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(v))
}

// decodeInts decodes a MessagePack array of numbers (integers of any
// width, or floats with integral values as Lua may produce) into dst,
// which it returns extended. Malformed input is an error, never a panic.
func decodeInts(dst []int64, p []byte) ([]int64, error) {
	if len(p) == 0 {
		return dst, errBadReply
	}
	var n int
	switch h := p[0]; {
	case h&0xf0 == 0x90:
		n, p = int(h&0x0f), p[1:]
	case h == 0xdc && len(p) >= 3:
		n, p = int(binary.BigEndian.Uint16(p[1:])), p[3:]
	case h == 0xdd && len(p) >= 5:
		n, p = int(binary.BigEndian.Uint32(p[1:])), p[5:]
	default:
		return dst, errBadReply
	}
	if n > len(p) { // every element takes at least one byte
		return dst, errBadReply
	}
	for range n {
		if len(p) == 0 {
			return dst, errBadReply
		}
		h := p[0]
		size := 0
		var v int64
		switch {
		case h < 0x80:
			v, size = int64(h), 1
		case h >= 0xe0:
			v, size = int64(int8(h)), 1
		default:
			switch h {
			case 0xcc, 0xd0:
				size = 2
			case 0xcd, 0xd1:
				size = 3
			case 0xce, 0xd2, 0xca:
				size = 5
			case 0xcf, 0xd3, 0xcb:
				size = 9
			default:
				return dst, errBadReply
			}
			if len(p) < size {
				return dst, errBadReply
			}
			q := p[1:size]
			switch h {
			case 0xcc:
				v = int64(q[0])
			case 0xd0:
				v = int64(int8(q[0]))
			case 0xcd:
				v = int64(binary.BigEndian.Uint16(q))
			case 0xd1:
				v = int64(int16(binary.BigEndian.Uint16(q)))
			case 0xce:
				v = int64(binary.BigEndian.Uint32(q))
			case 0xd2:
				v = int64(int32(binary.BigEndian.Uint32(q)))
			case 0xcf:
				u := binary.BigEndian.Uint64(q)
				if u > math.MaxInt64 {
					return dst, errBadReply
				}
				v = int64(u)
			case 0xd3:
				v = int64(binary.BigEndian.Uint64(q))
			case 0xca, 0xcb:
				f := float64(math.Float32frombits(binary.BigEndian.Uint32(q)))
				if h == 0xcb {
					f = math.Float64frombits(binary.BigEndian.Uint64(q))
				}
				if f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
					return dst, errBadReply
				}
				v = int64(f)
			}
		}
		dst = append(dst, v)
		p = p[size:]
	}
	if len(p) != 0 {
		return dst, errBadReply
	}
	return dst, nil
}

// batcher is the per-sender state of the batch-script path: buffers reused
// from batch to batch.
type batcher struct {
	blob []byte
	vals []int64
	args [5]any
}

// execMulti decides batch with one call of the batch script.
func (l *Limiter) execMulti(ctx context.Context, bt *batcher, batch []*call) {
	L := len(l.limits)
	b := appendArrayHeader(bt.blob[:0], len(batch)*(1+L))
	for _, c := range batch {
		b = appendInt(b, int64(c.n))
		for _, s := range l.suffixes {
			b = appendStrHeader(b, len(l.keyHead)+len(c.key)+len(s))
			b = append(append(append(b, l.keyHead...), c.key...), s...)
		}
	}
	bt.blob = b
	bt.args = [5]any{"evalsha", l.batch.sha, "0", l.params, b}
	cmd := redis.NewCmd(ctx, bt.args[:]...)
	_ = l.client.Process(ctx, cmd)
	err := cmd.Err()
	if isNoScript(err) {
		if err = l.client.ScriptLoad(ctx, l.batch.src).Err(); err == nil {
			cmd = redis.NewCmd(ctx, bt.args[:]...)
			_ = l.client.Process(ctx, cmd)
			err = cmd.Err()
		}
	}
	var reply string
	if err == nil {
		reply, err = cmd.Text()
	}
	bt.args = [5]any{}
	if err == nil {
		bt.vals, err = decodeInts(bt.vals[:0], []byte(reply))
		if err == nil && len(bt.vals) != 5*L*len(batch) {
			err = fmt.Errorf("%w: %d values, want %d", errBadReply, len(bt.vals), 5*L*len(batch))
		}
	}
	for i, c := range batch {
		if c.err = err; err == nil {
			c.res = l.result(bt.vals[5*L*i : 5*L*(i+1)])
		}
	}
}
