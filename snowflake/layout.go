package snowflake

import (
	"errors"
	"fmt"
	"time"
)

// ErrLayout reports an invalid [Layout].
var ErrLayout = errors.New("snowflake: invalid layout")

// Layout says how the 63 usable bits of an ID are split. From the most
// significant end: ReservedBits zero bits, then the timestamp (TimeBits of
// Unit since Epoch), the datacenter, the machine and the sequence within one
// tick. The sign bit is always 0, so IDs are positive int64s that sort by
// time.
//
// A Layout is a plain value; [Classic] and [JSSafe] return the presets.
type Layout struct {
	// ReservedBits high bits are always zero. 10 of them keep IDs below
	// 2^53, where JavaScript numbers are exact.
	ReservedBits int
	// TimeBits is the width of the timestamp. 41 bits of milliseconds last
	// 69.7 years from Epoch.
	TimeBits int
	// DatacenterBits and MachineBits identify the generator; together they
	// must be unique across every generator running at the same time.
	DatacenterBits, MachineBits int
	// SequenceBits counts IDs within one tick: a generator issues at most
	// 2^SequenceBits IDs per Unit (4,096 per millisecond with 12).
	SequenceBits int
	// Unit is the length of one tick (at least a microsecond).
	Unit time.Duration
	// Epoch is tick zero; it must be before the first ID is issued.
	Epoch time.Time
}

// TwitterEpoch is the epoch of Twitter's original snowflake (and of
// bwmarrin/snowflake): 2010-11-04T01:42:54.657Z.
var TwitterEpoch = time.UnixMilli(1288834974657).UTC()

// Classic returns the original Twitter layout: 41 bits of milliseconds since
// [TwitterEpoch], 5 bits of datacenter, 5 of machine, 12 of sequence (4,096
// IDs per millisecond per generator, until 2080).
func Classic() Layout {
	return Layout{TimeBits: 41, DatacenterBits: 5, MachineBits: 5, SequenceBits: 12, Unit: time.Millisecond, Epoch: TwitterEpoch}
}

// JSSafe returns a 53-bit layout whose IDs are exact JavaScript numbers: 10
// reserved zero bits, 41 bits of milliseconds since 2024-01-01 (until 2093),
// no datacenter, 5 bits of machine (32 generators) and 7 of sequence (128
// IDs per millisecond per generator).
func JSSafe() Layout {
	return Layout{ReservedBits: 10, TimeBits: 41, MachineBits: 5, SequenceBits: 7, Unit: time.Millisecond,
		Epoch: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// Validate reports whether l is usable: widths not negative, at least one
// bit of time and of sequence, all widths summing to 63, a Unit of at least
// a microsecond and a non-zero Epoch.
func (l Layout) Validate() error {
	if l.ReservedBits < 0 || l.TimeBits < 1 || l.DatacenterBits < 0 || l.MachineBits < 0 || l.SequenceBits < 1 {
		return fmt.Errorf("%w: widths must be >= 0, time and sequence >= 1 (got reserved %d, time %d, datacenter %d, machine %d, sequence %d)",
			ErrLayout, l.ReservedBits, l.TimeBits, l.DatacenterBits, l.MachineBits, l.SequenceBits)
	}
	if sum := l.ReservedBits + l.TimeBits + l.DatacenterBits + l.MachineBits + l.SequenceBits; sum != 63 {
		return fmt.Errorf("%w: bits sum to %d, want 63 (reserved %d + time %d + datacenter %d + machine %d + sequence %d)",
			ErrLayout, sum, l.ReservedBits, l.TimeBits, l.DatacenterBits, l.MachineBits, l.SequenceBits)
	}
	if l.Unit < time.Microsecond {
		return fmt.Errorf("%w: unit %v is below 1µs", ErrLayout, l.Unit)
	}
	if l.Epoch.IsZero() {
		return fmt.Errorf("%w: zero epoch", ErrLayout)
	}
	return nil
}

// MaxTime returns the last instant the layout can represent.
func (l Layout) MaxTime() time.Time {
	return l.Epoch.Add(time.Duration(int64(1)<<l.TimeBits-1) * l.Unit)
}

// Capacity returns the most IDs one generator can issue per second when the
// clock is the limit.
func (l Layout) Capacity() float64 {
	return float64(int64(1)<<l.SequenceBits) * float64(time.Second) / float64(l.Unit)
}

// Parts are the fields of an ID.
type Parts struct {
	Time       time.Time // start of the tick, in UTC
	Tick       int64     // units since the epoch
	Datacenter int64
	Machine    int64
	Sequence   int64
}

// Decode splits id into its fields under layout l. It does not validate id;
// use [Layout.Valid] for input from outside.
func (l Layout) Decode(id ID) Parts {
	v := uint64(id)
	seq := v & mask(l.SequenceBits)
	v >>= l.SequenceBits
	machine := v & mask(l.MachineBits)
	v >>= l.MachineBits
	dc := v & mask(l.DatacenterBits)
	v >>= l.DatacenterBits
	tick := int64(v & mask(l.TimeBits))
	return Parts{
		Time:       l.Epoch.Add(time.Duration(tick) * l.Unit).UTC(),
		Tick:       tick,
		Datacenter: int64(dc),
		Machine:    int64(machine),
		Sequence:   int64(seq),
	}
}

// Valid reports whether id can be an ID of layout l: positive and with its
// reserved bits zero.
func (l Layout) Valid(id ID) bool {
	return id >= 0 && uint64(id)>>(63-l.ReservedBits) == 0
}

// Compose builds the ID with the given fields; values wider than their
// fields are truncated. Use it for range scans ("all IDs of a minute").
func (l Layout) Compose(p Parts) ID {
	v := uint64(p.Tick) & mask(l.TimeBits)
	v = v<<l.DatacenterBits | uint64(p.Datacenter)&mask(l.DatacenterBits)
	v = v<<l.MachineBits | uint64(p.Machine)&mask(l.MachineBits)
	v = v<<l.SequenceBits | uint64(p.Sequence)&mask(l.SequenceBits)
	return ID(v)
}

// FirstAt returns the smallest ID of any generator whose time is at or after
// t, the lower bound of a time range scan.
func (l Layout) FirstAt(t time.Time) ID {
	d := t.Sub(l.Epoch)
	tick := int64(d / l.Unit)
	if d%l.Unit != 0 && d > 0 {
		tick++
	}
	return l.Compose(Parts{Tick: max(tick, 0)})
}

func mask(bits int) uint64 { return uint64(1)<<bits - 1 }
