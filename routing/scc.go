package routing

// LargestSCC returns the subgraph induced by the largest strongly connected
// component of g, in which every node can reach every other, and the map
// from new node IDs to g's node IDs. Coordinates and external IDs carry
// over. O(n + m), iterative (no recursion depth limit).
func LargestSCC(g *Graph) (*Graph, []int) {
	n := g.NumNodes()
	// Kosaraju: finishing order on g, then components on the reverse.
	order := make([]uint32, 0, n)
	seen := make([]bool, n)
	type frame struct{ v, i uint32 }
	var stack []frame
	for r := 0; r < n; r++ {
		if seen[r] {
			continue
		}
		seen[r] = true
		stack = append(stack, frame{uint32(r), g.first[r]})
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.i < g.first[top.v+1] {
				w := g.head[top.i]
				top.i++
				if !seen[w] {
					seen[w] = true
					stack = append(stack, frame{w, g.first[w]})
				}
				continue
			}
			order = append(order, top.v)
			stack = stack[:len(stack)-1]
		}
	}
	comp := make([]int32, n)
	for i := range comp {
		comp[i] = -1
	}
	var sizes []int
	var vs []uint32
	for k := n - 1; k >= 0; k-- {
		r := order[k]
		if comp[r] >= 0 {
			continue
		}
		c := int32(len(sizes))
		size := 0
		comp[r] = c
		vs = append(vs[:0], r)
		for len(vs) > 0 {
			v := vs[len(vs)-1]
			vs = vs[:len(vs)-1]
			size++
			for i := g.rfirst[v]; i < g.rfirst[v+1]; i++ {
				u := g.rtail[i]
				if comp[u] < 0 {
					comp[u] = c
					vs = append(vs, u)
				}
			}
		}
		sizes = append(sizes, size)
	}
	best := int32(0)
	for c, s := range sizes {
		if s > sizes[best] {
			best = int32(c)
		}
	}
	keep := make([]bool, n)
	for v := range keep {
		keep[v] = n > 0 && comp[v] == best
	}
	return g.Subgraph(keep)
}

// Subgraph returns the subgraph induced by the nodes v with keep[v], renumbered
// in increasing order, and the map from new IDs to g's IDs. keep must have
// NumNodes entries.
func (g *Graph) Subgraph(keep []bool) (*Graph, []int) {
	n := g.NumNodes()
	newID := make([]int, n)
	var old []int
	for v := 0; v < n; v++ {
		newID[v] = -1
		if keep[v] {
			newID[v] = len(old)
			old = append(old, v)
		}
	}
	var arcs []Arc
	for _, u := range old {
		for i := g.first[u]; i < g.first[u+1]; i++ {
			if w := newID[g.head[i]]; w >= 0 {
				arcs = append(arcs, Arc{newID[u], w, int64(g.weight[i])})
			}
		}
	}
	var coords []Point
	if g.kind != NoCoords {
		coords = make([]Point, len(old))
		for i, v := range old {
			coords[i] = g.coords[v]
		}
	}
	sub, err := NewGraph(len(old), arcs, g.kind, coords)
	if err != nil {
		panic("routing: subgraph of a valid graph failed: " + err.Error()) // cannot happen
	}
	if g.ids != nil {
		sub.ids = make([]int64, len(old))
		for i, v := range old {
			sub.ids[i] = g.ids[v]
		}
	}
	return sub, old
}
