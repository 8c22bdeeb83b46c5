package vclock

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

const flagTimes = 1

// AppendBinary appends the canonical binary encoding of c to b:
//
//	flags  byte: 1 if entry times follow each counter, else 0
//	count  uvarint
//	count × (node delta uvarint, counter uvarint[, time zigzag varint])
//
// Nodes are ascending and delta-coded (the first node as is, then
// node - previous - 1), so a clock over nodes 1..16 with counters below 128
// and no times takes 34 bytes. Times are included only when some entry has
// a nonzero time. Equal clocks with equal times encode to equal bytes.
func (c Clock) AppendBinary(b []byte) ([]byte, error) { return c.appendBinary(b), nil }

func (c Clock) appendBinary(b []byte) []byte {
	var flags byte
	for _, e := range c.e {
		if e.Time != 0 {
			flags = flagTimes
			break
		}
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(len(c.e)))
	prev := uint64(0)
	for i, e := range c.e {
		d := e.Node
		if i > 0 {
			d = e.Node - prev - 1
		}
		prev = e.Node
		b = binary.AppendUvarint(b, d)
		b = binary.AppendUvarint(b, e.Counter)
		if flags&flagTimes != 0 {
			b = binary.AppendVarint(b, e.Time)
		}
	}
	return b
}

// MarshalBinary implements [encoding.BinaryMarshaler]; see
// [Clock.AppendBinary].
func (c Clock) MarshalBinary() ([]byte, error) { return c.appendBinary(nil), nil }

// UnmarshalBinary implements [encoding.BinaryUnmarshaler]. It accepts only
// the canonical encoding (ascending nodes, nonzero counters, minimal
// varints, a times flag only when some time is nonzero, no trailing bytes)
// and returns an error wrapping ErrCorrupt otherwise, leaving c unchanged.
func (c *Clock) UnmarshalBinary(data []byte) error {
	d := decoder{b: data}
	out, err := d.clock()
	if err != nil {
		return err
	}
	if len(d.b) != 0 {
		return fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(d.b))
	}
	*c = out
	return nil
}

// decoder reads canonical varints from b.
type decoder struct{ b []byte }

func (d *decoder) uvarint() (uint64, error) {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		return 0, fmt.Errorf("%w: bad varint", ErrCorrupt)
	}
	if n > 1 && d.b[n-1] == 0 {
		return 0, fmt.Errorf("%w: non-minimal varint", ErrCorrupt)
	}
	d.b = d.b[n:]
	return v, nil
}

func (d *decoder) varint() (int64, error) {
	u, err := d.uvarint()
	x := int64(u >> 1)
	if u&1 != 0 {
		x = ^x
	}
	return x, err
}

func (d *decoder) clock() (Clock, error) {
	if len(d.b) == 0 {
		return Clock{}, fmt.Errorf("%w: empty input", ErrCorrupt)
	}
	flags := d.b[0]
	d.b = d.b[1:]
	if flags&^flagTimes != 0 {
		return Clock{}, fmt.Errorf("%w: unknown flags %#x", ErrCorrupt, flags)
	}
	n, err := d.uvarint()
	if err != nil {
		return Clock{}, err
	}
	if n > uint64(len(d.b)/2) {
		return Clock{}, fmt.Errorf("%w: %d entries in %d bytes", ErrCorrupt, n, len(d.b))
	}
	if flags != 0 && n == 0 {
		return Clock{}, fmt.Errorf("%w: times flag on an empty clock", ErrCorrupt)
	}
	var c Clock
	if n > 0 {
		c.e = make([]Entry, 0, n)
	}
	anyTime := false
	for i := range n {
		delta, err := d.uvarint()
		if err != nil {
			return Clock{}, err
		}
		node := delta
		if i > 0 {
			prev := c.e[i-1].Node
			node = prev + delta + 1
			if node <= prev {
				return Clock{}, fmt.Errorf("%w: node overflow", ErrCorrupt)
			}
		}
		ctr, err := d.uvarint()
		if err != nil {
			return Clock{}, err
		}
		if ctr == 0 {
			return Clock{}, fmt.Errorf("%w: zero counter for node %d", ErrCorrupt, node)
		}
		e := Entry{Node: node, Counter: ctr}
		if flags&flagTimes != 0 {
			if e.Time, err = d.varint(); err != nil {
				return Clock{}, err
			}
			anyTime = anyTime || e.Time != 0
		}
		c.e = append(c.e, e)
	}
	if flags&flagTimes != 0 && !anyTime {
		return Clock{}, fmt.Errorf("%w: times flag with all times zero", ErrCorrupt)
	}
	return c, nil
}

// String returns the text form of c: "{node:counter,...}" in ascending node
// order, e.g. "{1:3,7:1}", with "@time" after every counter when some entry
// has a nonzero time, e.g. "{1:3@1700000000,7:1@0}". [Parse] reads it back.
func (c Clock) String() string {
	b, _ := c.AppendText(nil)
	return string(b)
}

// AppendText implements [encoding.TextAppender]; see [Clock.String].
func (c Clock) AppendText(b []byte) ([]byte, error) {
	times := false
	for _, e := range c.e {
		times = times || e.Time != 0
	}
	b = append(b, '{')
	for i, e := range c.e {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, e.Node, 10)
		b = append(b, ':')
		b = strconv.AppendUint(b, e.Counter, 10)
		if times {
			b = append(b, '@')
			b = strconv.AppendInt(b, e.Time, 10)
		}
	}
	return append(b, '}'), nil
}

// MarshalText implements [encoding.TextMarshaler]; see [Clock.String].
func (c Clock) MarshalText() ([]byte, error) { return c.AppendText(nil) }

// UnmarshalText implements [encoding.TextUnmarshaler] with [Parse].
func (c *Clock) UnmarshalText(text []byte) error {
	p, err := Parse(string(text))
	if err != nil {
		return err
	}
	*c = p
	return nil
}

// Parse parses the text form produced by [Clock.String]. Nodes must be
// ascending and counters nonzero; either every entry has an "@time" or none
// does. Errors wrap ErrSyntax. For every clock c, Parse(c.String()) returns
// a clock equal to c, times included.
func Parse(s string) (Clock, error) {
	body, ok := strings.CutPrefix(s, "{")
	if ok {
		body, ok = strings.CutSuffix(body, "}")
	}
	if !ok {
		return Clock{}, fmt.Errorf("%w: %q is not in braces", ErrSyntax, s)
	}
	var c Clock
	if body == "" {
		return c, nil
	}
	parts := strings.Split(body, ",")
	c.e = make([]Entry, 0, len(parts))
	withTime := strings.Contains(parts[0], "@")
	for _, p := range parts {
		ns, rest, ok := strings.Cut(p, ":")
		if !ok {
			return Clock{}, fmt.Errorf("%w: entry %q has no ':'", ErrSyntax, p)
		}
		cs, ts, hasTime := strings.Cut(rest, "@")
		if hasTime != withTime {
			return Clock{}, fmt.Errorf("%w: entry %q: times on some entries only", ErrSyntax, p)
		}
		var e Entry
		var err error
		if e.Node, err = parseUint(ns); err != nil {
			return Clock{}, err
		}
		if e.Counter, err = parseUint(cs); err != nil {
			return Clock{}, err
		}
		if e.Counter == 0 {
			return Clock{}, fmt.Errorf("%w: zero counter in %q", ErrSyntax, p)
		}
		if hasTime {
			if e.Time, err = strconv.ParseInt(ts, 10, 64); err != nil {
				return Clock{}, fmt.Errorf("%w: time %q", ErrSyntax, ts)
			}
		}
		if n := len(c.e); n > 0 && c.e[n-1].Node >= e.Node {
			return Clock{}, fmt.Errorf("%w: node %d after %d", ErrSyntax, e.Node, c.e[n-1].Node)
		}
		c.e = append(c.e, e)
	}
	return c, nil
}

func parseUint(s string) (uint64, error) {
	if s == "" || s[0] == '+' || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("%w: number %q", ErrSyntax, s)
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: number %q", ErrSyntax, s)
	}
	return v, nil
}
