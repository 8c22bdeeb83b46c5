package vclock

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/raceflag"
)

func TestSiblingsScenario(t *testing.T) {
	var s Siblings[string]
	// Two clients write blindly through replica 1: two siblings.
	s, d1 := s.Update(Clock{}, 1, "a")
	s, d2 := s.Update(Clock{}, 1, "b")
	if d1 != (Dot{1, 1}) || d2 != (Dot{1, 2}) {
		t.Fatalf("dots %v %v; want 1:1 1:2", d1, d2)
	}
	if got := s.Values(); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("values %v; want [a b]", got)
	}
	ctx := s.Context()
	if ctx.String() != "{1:2}" {
		t.Fatalf("context %v; want {1:2}", ctx)
	}
	// A client that read both resolves them.
	s, _ = s.Update(ctx, 1, "ab")
	if got := s.Values(); !slices.Equal(got, []string{"ab"}) {
		t.Fatalf("values %v; want [ab]", got)
	}
	// A writer that had only seen "a" (context {1:1}) keeps "ab" as a sibling.
	s2, d := s.Update(Of(Entry{Node: 1, Counter: 1}), 1, "a2")
	if got := s2.Values(); !slices.Equal(got, []string{"ab", "a2"}) || d != (Dot{1, 4}) {
		t.Fatalf("values %v dot %v; want [ab a2] 1:4", got, d)
	}
	if s.Len() != 1 {
		t.Fatal("Update modified its receiver")
	}
	// Another replica that saw "ab" writes "c"; syncing drops "ab".
	other, _ := s.Update(s.Context(), 2, "c")
	merged := s2.Sync(other)
	if got := merged.Values(); !slices.Equal(got, []string{"a2", "c"}) {
		t.Fatalf("synced values %v; want [a2 c]", got)
	}
	if back := other.Sync(s2); !sameSet(back, merged) {
		t.Fatal("Sync is not commutative")
	}
	if again := merged.Sync(merged); !sameSet(again, merged) {
		t.Fatal("Sync is not idempotent")
	}
}

func sameSet[V comparable](a, b Siblings[V]) bool {
	if a.Len() != b.Len() {
		return false
	}
	for i := range a.vs {
		x, y := a.vs[i], b.vs[i]
		if x.Dot != y.Dot || x.Value != y.Value || !sameEntries(x.Past, y.Past) {
			return false
		}
	}
	return true
}

// bitset is a set of write ids for the model.
type bitset []uint64

func (b bitset) has(i int) bool { return i/64 < len(b) && b[i/64]&(1<<(i%64)) != 0 }
func (b *bitset) add(i int) {
	for i/64 >= len(*b) {
		*b = append(*b, 0)
	}
	(*b)[i/64] |= 1 << (i % 64)
}
func (b *bitset) or(o bitset) {
	for i := range o {
		if i >= len(*b) {
			*b = append(*b, 0)
		}
		(*b)[i] |= o[i]
	}
}

// TestSiblingsModel replays random interleavings of clients reading and
// writing through replicas and of replicas syncing, against the true
// causality of the writes. After every step every replica must hold exactly
// the writes it has received that no other write it has received has seen
// (nothing lost, no false sibling), and every read's context must cover
// exactly the writes the client has seen.
func TestSiblingsModel(t *testing.T) {
	trials := 300
	if raceflag.Enabled {
		trials = 60
	}
	if s := os.Getenv("VCLOCK_MODEL_TRIALS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("VCLOCK_MODEL_TRIALS=%q", s)
		}
		trials = n
	}
	for trial := range trials {
		rng := rand.New(rand.NewPCG(uint64(trial), 77))
		runModel(t, rng, 2+rng.IntN(3), 1+rng.IntN(4), 150)
		if t.Failed() {
			t.Fatalf("trial %d failed", trial)
		}
	}
}

type modelClient struct {
	ctx  Clock
	seen bitset // writes in the client's causal past
}

func runModel(t *testing.T, rng *rand.Rand, nReplicas, nClients, steps int) {
	replicas := make([]Siblings[int], nReplicas)
	known := make([]bitset, nReplicas) // writes each replica has received
	clients := make([]modelClient, nClients)
	var past []bitset // past[w]: writes that write w had seen (transitively)
	var dots []Dot
	for step := range steps {
		c := &clients[rng.IntN(nClients)]
		r := rng.IntN(nReplicas)
		switch op := rng.IntN(10); {
		case op < 3: // read
			c.ctx = replicas[r].Context()
			c.seen = nil
			for _, w := range replicas[r].Values() {
				c.seen.add(w)
				c.seen.or(past[w])
			}
			for w, d := range dots {
				if c.ctx.Covers(d) != c.seen.has(w) {
					t.Errorf("step %d: context %v covers write %d (%v) = %v, client saw it = %v", step, c.ctx, w, d, c.ctx.Covers(d), c.seen.has(w))
					return
				}
			}
		case op < 7: // write with the client's context (stale or fresh)
			w := len(past)
			past = append(past, slices.Clone(c.seen))
			var d Dot
			replicas[r], d = replicas[r].Update(c.ctx, uint64(r), w)
			dots = append(dots, d)
			known[r].add(w)
			if rng.IntN(3) == 0 { // the client forgets: its next write is blind
				c.ctx, c.seen = Clock{}, nil
			}
		default: // replica r pulls from another replica
			o := rng.IntN(nReplicas)
			replicas[r] = replicas[r].Sync(replicas[o])
			known[r].or(known[o])
		}
		for i := range replicas {
			var want []int
			for w := range past {
				if !known[i].has(w) {
					continue
				}
				seenByLater := false
				for v := range past {
					if known[i].has(v) && past[v].has(w) {
						seenByLater = true
						break
					}
				}
				if !seenByLater {
					want = append(want, w)
				}
			}
			got := slices.Sorted(slices.Values(replicas[i].Values()))
			if !slices.Equal(got, want) {
				t.Errorf("step %d: replica %d holds %v; want %v", step, i, got, want)
				return
			}
		}
	}
	// Dots are unique.
	seen := map[Dot]bool{}
	for _, d := range dots {
		if seen[d] {
			t.Errorf("dot %v issued twice", d)
		}
		seen[d] = true
	}
}

// vvStore is the baseline the DVV paper improves on: one version vector per
// key with server (replica) ids, as Riak kept before DVV. A write whose
// context does not descend the key's clock must keep every existing value,
// since the store cannot tell which of them the client saw.
type vvStore struct {
	clock  Clock
	values []int
}

func (s *vvStore) put(ctx Clock, replica uint64, v int) Clock {
	if ctx.Descends(s.clock) {
		s.values = []int{v}
	} else {
		s.values = append(s.values, v)
	}
	s.clock.Merge(ctx)
	s.clock.Increment(replica)
	return s.clock.Clone()
}

// TestSiblingExplosion measures Riak's sibling-explosion scenario: clients
// write the same key in turn through one replica, each with the context
// returned by its own previous write and never reading in between.
func TestSiblingExplosion(t *testing.T) {
	for _, clients := range []int{2, 3, 5} {
		const writes = 100
		var dvv Siblings[int]
		var vv vvStore
		dvvCtx := make([]Clock, clients)
		vvCtx := make([]Clock, clients)
		maxDVV := 0
		for w := range writes {
			c := w % clients
			var d Dot
			dvv, d = dvv.Update(dvvCtx[c], 1, w)
			dvvCtx[c] = dvvCtx[c].Clone()
			dvvCtx[c].mergeEntry(Entry{Node: d.Node, Counter: d.Counter})
			vvCtx[c] = vv.put(vvCtx[c], 1, w)
			maxDVV = max(maxDVV, dvv.Len())
		}
		t.Logf("%d clients, %d writes: DVV keeps at most %d siblings, one version vector per key keeps %d", clients, writes, maxDVV, len(vv.values))
		if maxDVV > clients {
			t.Errorf("%d clients: DVV kept %d siblings; want at most %d", clients, maxDVV, clients)
		}
		// The last write of each client survives, nothing else.
		want := make([]int, 0, clients)
		for w := writes - clients; w < writes; w++ {
			want = append(want, w)
		}
		if got := dvv.Values(); !slices.Equal(got, want) {
			t.Errorf("%d clients: DVV siblings %v; want %v", clients, got, want)
		}
		if len(vv.values) != writes {
			t.Errorf("%d clients: version-vector store kept %d values; expected one per write (%d)", clients, len(vv.values), writes)
		}
	}
}

func appendInt(b []byte, v int) []byte { return binary.AppendVarint(b, int64(v)) }

func decodeInt(b []byte) (int, error) {
	v, n := binary.Varint(b)
	if n <= 0 || n != len(b) {
		return 0, fmt.Errorf("bad int %x", b)
	}
	return int(v), nil
}

func TestSiblingsEncoding(t *testing.T) {
	var s Siblings[int]
	s, _ = s.Update(Clock{}, 1, 10)
	s, _ = s.Update(Of(Entry{Node: 2, Counter: 3}), 1, -20)
	s, _ = s.Update(Clock{}, 2, 30)
	data := s.AppendBinary(nil, appendInt)
	back, err := DecodeSiblings(data, decodeInt)
	if err != nil {
		t.Fatal(err)
	}
	if !sameSet(back, s) {
		t.Fatalf("round trip %v -> %v", s.vs, back.vs)
	}
	if again := back.AppendBinary(nil, appendInt); string(again) != string(data) {
		t.Fatal("re-encoding differs")
	}
	for i := range data {
		if _, err := DecodeSiblings(data[:i], decodeInt); err == nil {
			t.Fatalf("truncated at %d decodes", i)
		}
	}
	// A version that another version has seen is rejected.
	var seen Siblings[int]
	seen.vs = []Version[int]{{Dot: Dot{1, 1}, Value: 1}, {Dot: Dot{1, 2}, Past: Of(Entry{Node: 1, Counter: 1}), Value: 2}}
	if _, err := DecodeSiblings(seen.AppendBinary(nil, appendInt), decodeInt); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("dominated version: %v; want ErrCorrupt", err)
	}
	self := Siblings[int]{vs: []Version[int]{{Dot: Dot{1, 1}, Past: Of(Entry{Node: 1, Counter: 1})}}}
	if _, err := DecodeSiblings(self.AppendBinary(nil, appendInt), decodeInt); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("self-covering version: %v; want ErrCorrupt", err)
	}
	boom := errors.New("boom")
	if _, err := DecodeSiblings(data, func([]byte) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("value decoder error not wrapped: %v", err)
	}
}
