// Package vclockbench compares sysdesign/vclock with the map-based vector
// clock most Go code uses (GoVector's representation: map[string]uint64,
// gob-encoded; GoVector itself is not served by the module proxy here, so
// mapClock below reimplements that representation), and measures Riak's
// sibling-explosion scenario for dotted version vectors against one
// version vector per key.
package vclockbench

import (
	"bytes"
	"encoding/gob"
	"strconv"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/cputime"
	"github.com/sysdesign-go/sysdesign/vclock"
)

// mapClock is a vector clock as GoVector keeps it.
type mapClock map[string]uint64

func (m mapClock) tick(id string) { m[id]++ }

func (m mapClock) merge(o mapClock) {
	for id, t := range o {
		if m[id] < t {
			m[id] = t
		}
	}
}

// compare returns -1 before, 1 after, 0 equal, 2 concurrent.
func (m mapClock) compare(o mapClock) int {
	less, greater := false, false
	for id, t := range m {
		if u := o[id]; t > u {
			greater = true
		} else if t < u {
			less = true
		}
	}
	for id, u := range o {
		if _, ok := m[id]; !ok && u > 0 {
			less = true
		}
	}
	switch {
	case less && greater:
		return 2
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}

func (m mapClock) bytes() []byte {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(map[string]uint64(m)); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// pair16 returns two concurrent 16-entry clocks in both representations:
// nodes 1..16 (named "node-1".. for the map clock) with counters 1..16,
// then a different node bumped in each.
func pair16() (a, b vclock.Clock, ma, mb mapClock) {
	ma, mb = mapClock{}, mapClock{}
	for n := uint64(1); n <= 16; n++ {
		for range n {
			a.Increment(n)
			b.Increment(n)
			ma.tick("node-" + strconv.FormatUint(n, 10))
			mb.tick("node-" + strconv.FormatUint(n, 10))
		}
	}
	a.Increment(3)
	b.Increment(5)
	ma.tick("node-3")
	mb.tick("node-5")
	return a, b, ma, mb
}

func BenchmarkVclock_Compare(b *testing.B) {
	x, y, mx, my := pair16()
	b.Run("entries=16/impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		done := cputime.Start(b)
		for b.Loop() {
			if x.Compare(y) != vclock.Concurrent {
				b.Fatal("want concurrent")
			}
		}
		done()
	})
	b.Run("entries=16/impl=mapclock", func(b *testing.B) {
		b.ReportAllocs()
		done := cputime.Start(b)
		for b.Loop() {
			if mx.compare(my) != 2 {
				b.Fatal("want concurrent")
			}
		}
		done()
	})
}

func BenchmarkVclock_Merge(b *testing.B) {
	x, y, mx, my := pair16()
	b.Run("entries=16/impl=sysdesign", func(b *testing.B) {
		b.ReportAllocs()
		done := cputime.Start(b)
		for b.Loop() {
			x.Merge(y)
		}
		done()
	})
	b.Run("entries=16/impl=mapclock", func(b *testing.B) {
		b.ReportAllocs()
		done := cputime.Start(b)
		for b.Loop() {
			mx.merge(my)
		}
		done()
	})
}

func BenchmarkVclock_Encode(b *testing.B) {
	x, _, mx, _ := pair16()
	b.Run("entries=16/impl=sysdesign", func(b *testing.B) {
		buf := make([]byte, 0, 64)
		b.ReportAllocs()
		done := cputime.Start(b)
		for b.Loop() {
			buf, _ = x.AppendBinary(buf[:0])
		}
		done()
		b.ReportMetric(float64(len(buf)), "bytes")
	})
	b.Run("entries=16/impl=mapclock", func(b *testing.B) {
		var out []byte
		b.ReportAllocs()
		done := cputime.Start(b)
		for b.Loop() {
			out = mx.bytes()
		}
		done()
		b.ReportMetric(float64(len(out)), "bytes")
	})
}

// vvKey is one version vector per key with replica ids (Riak before DVV):
// a write whose context does not descend the key's clock must keep every
// value, since the store cannot tell which ones the client saw.
type vvKey struct {
	clock  vclock.Clock
	values []int
}

func (k *vvKey) put(ctx vclock.Clock, replica uint64, v int) vclock.Clock {
	if ctx.Descends(k.clock) {
		k.values = k.values[:0]
	}
	k.values = append(k.values, v)
	k.clock.Merge(ctx)
	k.clock.Increment(replica)
	return k.clock.Clone()
}

const explosionWrites = 100

// BenchmarkVclock_SiblingExplosion replays Riak's sibling-explosion
// scenario: clients write one key in turn through one replica, each with
// the context of its own previous write, never reading. The siblings
// metric is the number of values the key holds after 100 writes.
func BenchmarkVclock_SiblingExplosion(b *testing.B) {
	for _, clients := range []int{2, 10} {
		name := "clients=" + strconv.Itoa(clients) + "/writes=100"
		b.Run(name+"/impl=sysdesign", func(b *testing.B) {
			var siblings int
			b.ReportAllocs()
			done := cputime.Start(b)
			for b.Loop() {
				var s vclock.Siblings[int]
				ctx := make([]vclock.Clock, clients)
				for w := range explosionWrites {
					c := w % clients
					var d vclock.Dot
					s, d = s.Update(ctx[c], 1, w)
					ctx[c] = vclock.Merged(ctx[c], vclock.Of(vclock.Entry{Node: d.Node, Counter: d.Counter}))
					siblings = max(siblings, s.Len())
				}
			}
			done()
			b.ReportMetric(float64(siblings), "siblings")
		})
		b.Run(name+"/impl=versionvector", func(b *testing.B) {
			var siblings int
			b.ReportAllocs()
			done := cputime.Start(b)
			for b.Loop() {
				var k vvKey
				ctx := make([]vclock.Clock, clients)
				for w := range explosionWrites {
					c := w % clients
					ctx[c] = k.put(ctx[c], 1, w)
				}
				siblings = len(k.values)
			}
			done()
			b.ReportMetric(float64(siblings), "siblings")
		})
	}
}
