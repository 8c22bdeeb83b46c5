package ratelimit

import (
	"math/bits"
	"math/rand/v2"
	"testing"
)

// The table behaves like a map under random puts, updates and sweeps, with
// hash 0 and colliding home slots included.
func TestTableAgainstMap(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, width := range []int{1, 2} {
		tb := newTable(width, 0)
		model := map[uint64]state{}
		for step := range 20000 {
			h := fixKey(r.Uint64N(3000)) // small key space: many updates
			if r.IntN(10) == 0 {
				h = fixKey(r.Uint64()) // and fresh random keys
			}
			s := state{a: r.Int64N(100)}
			if width == 2 {
				s.b = r.Int64N(100)
			}
			i, ok := tb.find(h)
			_, inModel := model[h]
			if ok != inModel {
				t.Fatalf("width %d step %d: find(%d) found=%v; model %v", width, step, h, ok, inModel)
			}
			if ok && tb.get(i) != model[h] {
				t.Fatalf("width %d step %d: get %v; model %v", width, step, tb.get(i), model[h])
			}
			tb.put(i, ok, h, s)
			model[h] = s
			if step%2500 == 0 {
				cut := r.Int64N(100)
				tb.sweep(func(s state) bool { return s.a < cut })
				for k, v := range model {
					if v.a < cut {
						delete(model, k)
					}
				}
			}
			if tb.n != len(model) {
				t.Fatalf("width %d step %d: n=%d; model %d", width, step, tb.n, len(model))
			}
			if tb.n*5 > len(tb.keys)*4 {
				t.Fatalf("load above 80%%: %d in %d", tb.n, len(tb.keys))
			}
		}
		for k, v := range model {
			if i, ok := tb.find(k); !ok || tb.get(i) != v {
				t.Fatalf("width %d: key %d lost or changed", width, k)
			}
		}
	}
	if fixKey(0) != 1 || fixKey(5) != 5 {
		t.Error("fixKey")
	}
}

// Keys of one shard share their low bits; the table must still spread
// them (it indexes by the high bits), so probes stay short.
func TestTableSpreadsShardKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	tb := newTable(1, 0)
	const n = 50000
	for range n {
		h := fixKey(r.Uint64()&^0xff | 0x2a) // same low 8 bits, as in shard 42 of 256
		i, ok := tb.find(h)
		tb.put(i, ok, h, state{a: 1})
	}
	// Average displacement from the home slot over all keys.
	c := uint64(len(tb.keys))
	total := 0
	for i, k := range tb.keys {
		if k == 0 {
			continue
		}
		home, _ := bits.Mul64(k, c)
		d := (uint64(i) + c - home) % c
		total += int(d)
	}
	if avg := float64(total) / float64(tb.n); avg > 4 {
		t.Errorf("average probe distance %.1f; want a few slots at most", avg)
	}
}
