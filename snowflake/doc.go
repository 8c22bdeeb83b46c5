// Package snowflake issues 64-bit, time-ordered unique IDs without
// coordination, as Twitter's snowflake service did: each ID is a timestamp,
// the generator's datacenter and machine numbers, and a sequence number
// within one tick.
//
//	g, err := snowflake.New(snowflake.Config{Machine: 7})
//	id, err := g.Next() // 1541815603606036480-like, sorts by time
//
// # Layout
//
// A [Layout] gives the width of every field and the tick length; [Classic]
// is Twitter's 41/5/5/12 bits of milliseconds, datacenter, machine and
// sequence, and [JSSafe] keeps IDs below 2^53 for JavaScript clients. A
// generator issues at most 2^SequenceBits IDs per tick: 4,096 per millisecond
// with the classic layout. [Layout.Decode] recovers the fields and time of
// any ID.
//
// # Guarantees
//
// A [Generator] never issues the same ID twice and its IDs strictly increase.
//   - It reads time from the monotonic clock, so a wall-clock step while it
//     runs neither stalls it nor repeats IDs.
//   - When a tick's sequence is used up it waits for the next tick, or, with
//     [Config.MaxLead], borrows future ticks up to that lead, so a burst is
//     served at memory speed.
//   - When the clock is behind the last ID (an injected clock stepped back),
//     it keeps counting on the last tick, then waits up to
//     [Config.MaxBackwardWait] or fails with [ErrClockMovedBackwards].
//   - Across restarts, an optional [HighWater] mark (a file with
//     [FileHighWater], or Redis with package redisfleet) records reserved
//     time, so a process restarted on a clock that went back cannot reissue
//     an ID.
//   - Uniqueness across generators needs distinct (datacenter, machine)
//     pairs: assign them explicitly, or lease them from Redis with package
//     redisfleet, whose lease doubles as a [Guard] that stops the generator
//     when the lease is lost.
//
// # Cost and concurrency
//
// [Generator.Next] is one compare-and-swap on the last issued ID plus a clock
// read, lock-free and allocation-free; a Generator is safe for concurrent use.
// [ID], [Layout] and [Parts] are plain values.
//
// IDs marshal to JSON as strings, because JavaScript numbers lose precision
// above 2^53; [ID.Base62] gives the 11-character form a URL shortener uses.
//
// Systems: the unique ID generator (examples/uniqueid), the URL shortener,
// chat message IDs and notification IDs.
package snowflake
