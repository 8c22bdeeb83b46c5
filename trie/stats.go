package trie

import "unsafe"

// Stats describes a trie's size. Bytes is an estimate of heap use from the
// sizes of the structures (nodes, child and list arrays, entries and the
// bytes of queries and labels), not a measurement; BenchmarkTrie_Memory
// measures the real heap.
type Stats struct {
	Queries int
	Nodes   int
	Bytes   int
}

// BytesPerQuery returns Bytes / Queries (0 when empty).
func (s Stats) BytesPerQuery() float64 {
	if s.Queries == 0 {
		return 0
	}
	return float64(s.Bytes) / float64(s.Queries)
}

// Stats walks the trie and returns its size. O(nodes).
func (t *Trie) Stats() Stats {
	s := Stats{Queries: t.n}
	var walk func(v *node)
	walk = func(v *node) {
		s.Nodes++
		if v == t.root {
			s.Bytes += int(unsafe.Sizeof(*v))
		}
		if v.in != nil {
			s.Bytes += int(unsafe.Sizeof(*v.in)) + cap(v.in.children)*int(unsafe.Sizeof(node{})) + cap(v.in.top)*4
		}
		for i := range v.kids() {
			walk(&v.in.children[i])
		}
	}
	walk(t.root)
	s.Bytes += cap(t.entries)*int(unsafe.Sizeof(entry{})) + cap(t.free)*4
	for _, e := range t.entries {
		s.Bytes += len(e.key)
	}
	return s
}
