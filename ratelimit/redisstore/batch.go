package redisstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/redis/go-redis/v9"

	"github.com/sysdesign-go/sysdesign/ratelimit"
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
	dst, rest, err := splitInts(dst, p)
	if err == nil && len(rest) != 0 {
		err = errBadReply
	}
	return dst, err
}

// splitInts is decodeInts for an array followed by more MessagePack
// values, which it returns as rest.
func splitInts(dst []int64, p []byte) (_ []int64, rest []byte, err error) {
	if len(p) == 0 {
		return dst, nil, errBadReply
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
		return dst, nil, errBadReply
	}
	if n > len(p) { // every element takes at least one byte
		return dst, nil, errBadReply
	}
	for range n {
		if len(p) == 0 {
			return dst, nil, errBadReply
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
				return dst, nil, errBadReply
			}
			if len(p) < size {
				return dst, nil, errBadReply
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
					return dst, nil, errBadReply
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
					return dst, nil, errBadReply
				}
				v = int64(f)
			}
		}
		dst = append(dst, v)
		p = p[size:]
	}
	return dst, p, nil
}

// decodeStrings decodes a MessagePack array of strings (str or bin types)
// that must fill p exactly. Malformed input is an error, never a panic.
func decodeStrings(p []byte) ([]string, error) {
	if len(p) == 0 {
		return nil, errBadReply
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
		return nil, errBadReply
	}
	if n > len(p) {
		return nil, errBadReply
	}
	out := make([]string, 0, n)
	for range n {
		if len(p) == 0 {
			return nil, errBadReply
		}
		var size, skip int
		switch h := p[0]; {
		case h&0xe0 == 0xa0:
			size, skip = int(h&0x1f), 1
		case (h == 0xd9 || h == 0xc4) && len(p) >= 2:
			size, skip = int(p[1]), 2
		case (h == 0xda || h == 0xc5) && len(p) >= 3:
			size, skip = int(binary.BigEndian.Uint16(p[1:])), 3
		case (h == 0xdb || h == 0xc6) && len(p) >= 5:
			size, skip = int(binary.BigEndian.Uint32(p[1:])), 5
		default:
			return nil, errBadReply
		}
		if size > len(p)-skip {
			return nil, errBadReply
		}
		out = append(out, string(p[skip:skip+size]))
		p = p[skip+size:]
	}
	if len(p) != 0 {
		return nil, errBadReply
	}
	return out, nil
}

// batcher is the per-sender state of the batch-script path: buffers reused
// from batch to batch.
type batcher struct {
	blob []byte
	vals []int64
	args [5]any
}

// appendBatch appends the MessagePack array [n, key₁ … key_L, …] of batch,
// the batch script's ARGV[2].
func (l *Limiter) appendBatch(b []byte, batch []*call) []byte {
	b = appendArrayHeader(b, len(batch)*(1+len(l.limits)))
	for _, c := range batch {
		b = appendInt(b, int64(c.n))
		for _, s := range l.suffixes {
			b = appendStrHeader(b, len(l.keyHead)+len(c.key)+len(s))
			b = append(append(append(b, l.keyHead...), c.key...), s...)
		}
	}
	return b
}

// execMulti decides batch with one call of the batch script.
func (l *Limiter) execMulti(ctx context.Context, bt *batcher, batch []*call) {
	bt.blob = l.appendBatch(bt.blob[:0], batch)
	bt.args = [5]any{"evalsha", l.batch.sha, "0", l.params, bt.blob}
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
	bt.args = [5]any{}
	l.applyBatchReply(bt, batch, cmd, err)
}

// applyBatchReply sets the result or error of every call of batch from
// the reply of one batch script call (err, else cmd's reply).
func (l *Limiter) applyBatchReply(bt *batcher, batch []*call, cmd *redis.Cmd, err error) {
	L := len(l.limits)
	var reply string
	if err == nil {
		reply, err = cmd.Text()
	}
	per := 5 * L // values per decision
	if compactReply(l.alg) {
		per = L
	}
	var errs []string // the failed decisions' errors
	if err == nil {
		var rest []byte
		bt.vals, rest, err = splitInts(bt.vals[:0], []byte(reply))
		if err == nil && len(rest) > 0 {
			errs, err = decodeStrings(rest)
		}
		if err == nil && len(bt.vals) != per*len(batch) {
			err = fmt.Errorf("%w: %d values, want %d", errBadReply, len(bt.vals), per*len(batch))
		}
	}
	for i, c := range batch {
		if c.err = err; err != nil {
			continue
		}
		v := bt.vals[per*i : per*(i+1)]
		if v[0] == -1 && per != L { // this decision failed in Redis
			if k := v[1] - 1; k >= 0 && k < int64(len(errs)) {
				c.err = decisionError(errs[k])
			} else {
				c.err = fmt.Errorf("%w: failed decision without an error", errBadReply)
			}
			continue
		}
		if per == L {
			var full [5 * ratelimit.MaxLimits]int64
			for j, ahead := range v {
				l.gcraVerdict(full[5*j:5*j+5], j, int64(c.n), ahead)
			}
			v = full[:5*L]
		}
		c.res = l.result(v)
	}
}

// decisionError is the error of one decision of a batch that Redis
// rejected (for example a key holding another type), as the same command
// would have returned it to a single EVALSHA. It is a redis.Error: the
// server answered, so it does not count against the circuit breaker.
type decisionError string

func (e decisionError) Error() string { return string(e) }

// RedisError marks decisionError as an error reply (redis.Error).
func (decisionError) RedisError() {}

// gcraVerdict fills v with the five numbers the single-request GCRA script
// returns for limit j (allowed, remaining, retry, reset, delay, in
// microseconds), given n and ahead = tat' - now from the batch script,
// where tat' = max(tat, now) + n·T: admitted when ahead ≤ tau, with
// remaining ⌊(tau - ahead)/T⌋, reset ahead and (LeakyQueue) delay
// ahead - n·T; denied with remaining ⌊(tau - (ahead - n·T))/T⌋, retry
// ahead - tau and reset ahead - n·T.
func (l *Limiter) gcraVerdict(v []int64, j int, n, ahead int64) {
	t, tau := l.args[4*j+2].(int64), l.args[4*j+3].(int64)
	wait := ahead - n*t // max(tat, now) - now
	if ahead <= tau {
		v[0], v[1], v[2], v[3], v[4] = 1, floorDiv(tau-ahead, t), 0, ahead, 0
		if l.alg == ratelimit.LeakyQueue {
			v[4] = wait
		}
		return
	}
	v[0], v[1], v[2], v[3], v[4] = 0, floorDiv(tau-wait, t), ahead-tau, wait, 0
}

// floorDiv returns ⌊a/b⌋ for b > 0, as Lua's math.floor(a / b) does.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
