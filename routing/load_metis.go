package routing

import (
	"bytes"
	"fmt"
	"io"
	"math"
)

// ReadMETIS reads an undirected graph in the METIS adjacency format of the
// 10th DIMACS Implementation Challenge (graph: a "n m" header, then line i
// lists the 1-based neighbours of node i; '%' starts a comment) and its
// coordinates (xyz: one "x y z" line per node, planar). Each undirected
// edge becomes two arcs weighing max(1, round(euclidean length)), so for the
// DIMACS10 street graphs weights are metres. Node i of the file is node i-1
// of the graph. Header formats with vertex or edge weights (fmt != 0) are
// rejected. Errors are [*ParseError] values naming the line.
func ReadMETIS(graph, xyz io.Reader) (*Graph, error) {
	lr := newLineReader(graph, "metis")
	var n, m int64 = -1, 0
	var arcs []Arc
	node := 0
	for {
		line, ok := lr.next()
		if !ok {
			break
		}
		if len(line) > 0 && line[0] == '%' {
			continue
		}
		f := bytes.Fields(line)
		if n < 0 {
			if len(line) == 0 {
				continue
			}
			if len(f) < 2 {
				return nil, lr.err("header must be \"n m [fmt]\"")
			}
			var ok1, ok2 bool
			n, ok1 = parseInt(f[0])
			m, ok2 = parseInt(f[1])
			if !ok1 || !ok2 || n < 0 || m < 0 || n > maxTextNodes || m > maxTextNodes {
				return nil, lr.err("bad node or edge count")
			}
			if len(f) >= 3 && string(f[2]) != "0" && string(f[2]) != "000" {
				return nil, lr.err(fmt.Sprintf("weighted format %q not supported", f[2]))
			}
			arcs = make([]Arc, 0, min(2*m, 1<<20))
			continue
		}
		if int64(node) >= n {
			if len(f) == 0 {
				continue
			}
			return nil, lr.err(fmt.Sprintf("more than %d adjacency lines", n))
		}
		for _, tok := range f {
			v, ok := parseInt(tok)
			if !ok || v < 1 || v > n {
				return nil, lr.err(fmt.Sprintf("neighbour %q not in 1..%d", tok, n))
			}
			arcs = append(arcs, Arc{From: node, To: int(v - 1)})
		}
		node++
	}
	if err := lr.ioErr(); err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, lr.err("missing header")
	}
	if int64(node) != n {
		return nil, lr.err(fmt.Sprintf("%d adjacency lines, header says %d", node, n))
	}
	if int64(len(arcs)) != 2*m {
		return nil, lr.err(fmt.Sprintf("%d neighbour entries, header says %d edges (%d entries)", len(arcs), m, 2*m))
	}
	coords, err := readXYZ(xyz, int(n))
	if err != nil {
		return nil, err
	}
	for i := range arcs {
		a, b := coords[arcs[i].From], coords[arcs[i].To]
		arcs[i].Weight = max(1, int64(math.Round(math.Hypot(a.X-b.X, a.Y-b.Y))))
		if arcs[i].Weight > MaxWeight {
			return nil, &ParseError{Format: "xyz", Line: arcs[i].From + 1, Reason: "edge too long for a weight"}
		}
	}
	g, err := NewGraph(int(n), arcs, Planar, coords)
	if err != nil {
		return nil, err
	}
	g.numberFromOne()
	return g, nil
}

func readXYZ(r io.Reader, n int) ([]Point, error) {
	lr := newLineReader(r, "xyz")
	coords := make([]Point, 0, n)
	for {
		line, ok := lr.next()
		if !ok {
			break
		}
		if len(line) == 0 || line[0] == '%' {
			continue
		}
		f := bytes.Fields(line)
		if len(f) < 2 || len(f) > 3 {
			return nil, lr.err("want \"x y [z]\"")
		}
		x, ok1 := parseFloat(f[0])
		y, ok2 := parseFloat(f[1])
		if !ok1 || !ok2 || math.Abs(x) > 1e12 || math.Abs(y) > 1e12 {
			return nil, lr.err("bad coordinate")
		}
		if len(coords) == n {
			return nil, lr.err(fmt.Sprintf("more than %d coordinate lines", n))
		}
		coords = append(coords, Point{x, y})
	}
	if err := lr.ioErr(); err != nil {
		return nil, err
	}
	if len(coords) != n {
		return nil, lr.err(fmt.Sprintf("%d coordinate lines for %d nodes", len(coords), n))
	}
	return coords, nil
}
