package hashring

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/raceflag"
)

// keyHashes returns the hashes of n test keys "key-<i>".
func keyHashes(n int) []uint64 {
	hs := make([]uint64, n)
	for i := range hs {
		hs[i] = HashString(fmt.Sprint("key-", i))
	}
	return hs
}

func nodeList(n int, prefix string) []Node {
	ns := make([]Node, n)
	for i := range ns {
		ns[i] = Node{ID: fmt.Sprintf("%s-%03d", prefix, i)}
	}
	return ns
}

// stats returns the mean and the standard deviation relative to it.
func stats(loads map[string]int, n int) (mean, relSD float64) {
	mean = 0
	for _, l := range loads {
		mean += float64(l)
	}
	mean /= float64(n)
	v := 0.0
	for _, l := range loads {
		v += (float64(l) - mean) * (float64(l) - mean)
	}
	v += float64(n-len(loads)) * mean * mean // nodes with no keys
	return mean, math.Sqrt(v/float64(n)) / mean
}

func loadsOf(l Locator, hs []uint64) (map[string]int, []string) {
	loads := map[string]int{}
	owners := make([]string, len(hs))
	for i, h := range hs {
		o, _ := l.GetHash(h)
		owners[i] = o
		loads[o]++
	}
	return loads, owners
}

func TestMeasuredRingBalance(t *testing.T) {
	const nodes = 100
	hs := keyHashes(1_000_000)
	r, err := New(Options{}, nodeList(nodes, "node")...)
	if err != nil {
		t.Fatal(err)
	}
	loads, _ := loadsOf(r, hs)
	mean, sd := stats(loads, nodes)
	maxL := 0
	for _, l := range loads {
		maxL = max(maxL, l)
	}
	t.Logf("ring, %d nodes x %d vnodes, %d keys: load sd %.2f%% of mean, max %.3fx mean", nodes, defaultVNodes, len(hs), sd*100, float64(maxL)/mean)
	if sd > 0.05 {
		t.Errorf("load standard deviation %.2f%% of the mean; want at most 5%%", sd*100)
	}
}

// ownersByMerge returns the owner index of every key in sorted (keys
// sorted by their 48-bit ring position), by one merge pass over the sorted
// points: the same answer as locate, in O(keys + points) sequential steps.
func ownersByMerge(st *ringState, sorted []uint64) []string {
	out := make([]string, len(sorted))
	j := 0
	for i, t := range sorted {
		for j < len(st.points) && st.points[j] < t {
			j++
		}
		p := j
		if p == len(st.points) {
			p = 0
		}
		out[i] = st.nodes[st.points[p]&ownerMask].ID
	}
	return out
}

func TestMeasuredRingMovement(t *testing.T) {
	const nodes = 100
	nkeys, trials := 1_000_000, 100
	if raceflag.Enabled {
		nkeys, trials = 100_000, 10
	}
	hs := keyHashes(nkeys)
	for i := range hs {
		hs[i] &^= ownerMask
	}
	slices.Sort(hs)
	r, _ := New(Options{}, nodeList(nodes, "node")...)
	st := r.state.Load()
	owners := ownersByMerge(st, hs)
	for i := 0; i < len(hs); i += 1000 { // the merge agrees with Get
		if o, _ := r.GetHash(hs[i]); o != owners[i] {
			t.Fatalf("merge owner %s, GetHash %s", owners[i], o)
		}
	}

	check := func(name string, next *ringState, node string, ideal float64) float64 {
		moved := 0
		for i, got := range ownersByMerge(next, hs) {
			if got == owners[i] {
				continue
			}
			moved++
			if got != node && owners[i] != node {
				t.Fatalf("%s %s: key %d moved from %s to %s, neither is %s", name, node, i, owners[i], got, node)
			}
		}
		return float64(moved) / ideal
	}
	for _, tc := range []struct {
		name  string
		ideal float64
		next  func(i int) (*ringState, string)
	}{
		{"remove", float64(nkeys) / nodes, func(i int) (*ringState, string) {
			id := st.nodes[i*nodes/trials].ID
			s, err := r.build(st, nil, []string{id})
			if err != nil {
				t.Fatal(err)
			}
			return s, id
		}},
		{"add", float64(nkeys) / (nodes + 1), func(i int) (*ringState, string) {
			id := fmt.Sprintf("new-%03d", i)
			s, err := r.build(st, []Node{{ID: id}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			return s, id
		}},
	} {
		sum, worst := 0.0, 0.0
		for i := range trials {
			next, id := tc.next(i)
			ratio := check(tc.name, next, id, tc.ideal)
			sum += ratio
			worst = max(worst, ratio)
		}
		avg := sum / float64(trials)
		t.Logf("ring %s one of %d nodes, %d keys, %d trials: moved %.3fx the ideal share on average, %.3fx at worst", tc.name, nodes, nkeys, trials, avg, worst)
		if avg > 1.05 || worst > 1.25 {
			t.Errorf("%s: moved %.3fx on average (want <= 1.05) and %.3fx at worst (want <= 1.25)", tc.name, avg, worst)
		}
	}
}

func TestMeasuredAlternatives(t *testing.T) {
	const nodes = 100
	nkeys := 1_000_000
	if raceflag.Enabled {
		nkeys = 200_000
	}
	all := keyHashes(nkeys)
	ids := make([]string, nodes)
	for i := range ids {
		ids[i] = fmt.Sprintf("node-%03d", i)
	}
	an, _ := NewAnchor(2*nodes, ids...)
	j, _ := NewJump(ids...)
	rv, _ := NewRendezvous(nodeList(nodes, "node")...)
	// Key sampling alone gives sd sqrt(mean)/mean (1% at 1M keys); allow 3x.
	for _, tc := range []struct {
		name   string
		l      Locator
		remove func(id string) error
		add    func(id string) error
		victim string
	}{
		{"anchor", an, func(id string) error { return an.Remove(id) }, func(id string) error { return an.Add(id) }, "node-042"},
		{"jump", j, j.Remove, func(id string) error { return j.Add(id) }, "node-099"},
		{"rendezvous", rv, func(id string) error { return rv.Remove(id) }, func(id string) error { return rv.Add(Node{ID: id}) }, "node-042"},
	} {
		hs := all
		if tc.name == "rendezvous" {
			hs = all[:nkeys/5] // O(nodes) per lookup
		}
		loads, before := loadsOf(tc.l, hs)
		_, sd := stats(loads, nodes)
		t.Logf("%s: %d nodes, %d keys: load sd %.2f%% of mean", tc.name, nodes, len(hs), sd*100)
		if limit := 3 / math.Sqrt(float64(len(hs))/nodes); sd > limit {
			t.Errorf("%s: load sd %.2f%%; want at most %.2f%%", tc.name, sd*100, limit*100)
		}
		if err := tc.remove(tc.victim); err != nil {
			t.Fatal(err)
		}
		_, after := loadsOf(tc.l, hs)
		for i := range hs {
			if after[i] == tc.victim {
				t.Fatalf("%s: key still on removed node", tc.name)
			}
			if before[i] != tc.victim && after[i] != before[i] {
				t.Fatalf("%s: key %d moved from %s to %s though %s was removed", tc.name, i, before[i], after[i], tc.victim)
			}
		}
		if err := tc.add(tc.victim); err != nil {
			t.Fatal(err)
		}
		_, again := loadsOf(tc.l, hs)
		for i := range hs {
			if again[i] != before[i] {
				t.Fatalf("%s: re-adding %s did not restore key %d (%s, was %s)", tc.name, tc.victim, i, again[i], before[i])
			}
		}
	}
}

func TestMeasuredZones(t *testing.T) {
	var ns []Node
	for i := range 100 {
		ns = append(ns, Node{ID: fmt.Sprintf("n%03d", i), Zone: fmt.Sprintf("zone-%d", i%5)})
	}
	r, _ := New(Options{}, ns...)
	zoneOf := map[string]string{}
	for _, n := range ns {
		zoneOf[n.ID] = n.Zone
	}
	var dst []string
	hs := keyHashes(20_000)
	for i, h := range hs {
		key := fmt.Sprint("key-", i)
		owner, _ := r.GetHash(h)
		dst = r.AppendNZones(dst[:0], key, 3)
		if len(dst) != 3 || dst[0] != owner {
			t.Fatalf("AppendNZones(%q) = %v; owner %s", key, dst, owner)
		}
		if zoneOf[dst[0]] == zoneOf[dst[1]] || zoneOf[dst[1]] == zoneOf[dst[2]] || zoneOf[dst[0]] == zoneOf[dst[2]] {
			t.Fatalf("AppendNZones(%q) = %v: zones repeat", key, dst)
		}
		plain := r.AppendN(nil, key, 3)
		if plain[0] != owner || plain[0] == plain[1] || plain[1] == plain[2] || plain[0] == plain[2] {
			t.Fatalf("AppendN(%q) = %v", key, plain)
		}
	}
}
