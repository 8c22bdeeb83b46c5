package routing

import (
	"bytes"
	"fmt"
	"io"
)

// ReadDIMACS reads a directed graph in the format of the 9th DIMACS
// Implementation Challenge (shortest paths): gr has "c" comment lines, one
// "p sp n m" line and m "a u v w" arc lines with 1-based nodes and
// non-negative integer weights. co may be nil; otherwise it has a
// "p aux sp co n" line and "v id x y" lines with longitude and latitude in
// millionths of a degree, as in the USA road graphs, and the graph gets
// [LonLat] coordinates. Node i of the file is node i-1 of the graph.
// Errors are [*ParseError] values naming the line.
func ReadDIMACS(gr, co io.Reader) (*Graph, error) {
	lr := newLineReader(gr, "dimacs-gr")
	var n, m int64 = -1, -1
	var arcs []Arc
	for {
		line, ok := lr.next()
		if !ok {
			break
		}
		if len(line) == 0 || line[0] == 'c' {
			continue
		}
		f := bytes.Fields(line)
		switch string(f[0]) {
		case "p":
			if n >= 0 {
				return nil, lr.err("second problem line")
			}
			if len(f) != 4 || string(f[1]) != "sp" {
				return nil, lr.err("problem line must be \"p sp n m\"")
			}
			var ok1, ok2 bool
			n, ok1 = parseInt(f[2])
			m, ok2 = parseInt(f[3])
			if !ok1 || !ok2 || n < 0 || m < 0 || n > maxTextNodes || m > 4*maxTextNodes {
				return nil, lr.err("bad node or arc count")
			}
			arcs = make([]Arc, 0, min(m, 1<<20))
		case "a":
			if n < 0 {
				return nil, lr.err("arc before problem line")
			}
			if len(f) != 4 {
				return nil, lr.err("arc line must be \"a u v w\"")
			}
			u, ok1 := parseInt(f[1])
			v, ok2 := parseInt(f[2])
			w, ok3 := parseInt(f[3])
			if !ok1 || !ok2 || !ok3 {
				return nil, lr.err("arc fields must be integers")
			}
			if u < 1 || u > n || v < 1 || v > n {
				return nil, lr.err(fmt.Sprintf("arc node out of 1..%d", n))
			}
			if w < 0 {
				return nil, lr.err("negative weight")
			}
			if w > MaxWeight {
				return nil, lr.err("weight too large")
			}
			if int64(len(arcs)) == m {
				return nil, lr.err(fmt.Sprintf("more than %d arcs", m))
			}
			arcs = append(arcs, Arc{int(u - 1), int(v - 1), w})
		default:
			return nil, lr.err(fmt.Sprintf("unknown line type %q", f[0]))
		}
	}
	if err := lr.ioErr(); err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, lr.err("missing problem line")
	}
	if int64(len(arcs)) != m {
		return nil, lr.err(fmt.Sprintf("%d arcs, problem line says %d", len(arcs), m))
	}
	var coords []Point
	kind := NoCoords
	if co != nil {
		var err error
		if coords, err = readDIMACSCoords(co, int(n)); err != nil {
			return nil, err
		}
		kind = LonLat
	}
	g, err := NewGraph(int(n), arcs, kind, coords)
	if err != nil {
		return nil, err
	}
	g.numberFromOne()
	return g, nil
}

func readDIMACSCoords(r io.Reader, n int) ([]Point, error) {
	lr := newLineReader(r, "dimacs-co")
	var coords []Point
	var seen []bool
	count := 0
	for {
		line, ok := lr.next()
		if !ok {
			break
		}
		if len(line) == 0 || line[0] == 'c' {
			continue
		}
		f := bytes.Fields(line)
		switch string(f[0]) {
		case "p":
			if coords != nil {
				return nil, lr.err("second problem line")
			}
			if len(f) != 5 || string(f[1]) != "aux" || string(f[2]) != "sp" || string(f[3]) != "co" {
				return nil, lr.err("problem line must be \"p aux sp co n\"")
			}
			k, ok := parseInt(f[4])
			if !ok || k != int64(n) {
				return nil, lr.err(fmt.Sprintf("coordinate count %q, graph has %d nodes", f[4], n))
			}
			coords = make([]Point, n)
			seen = make([]bool, n)
		case "v":
			if coords == nil {
				return nil, lr.err("coordinate before problem line")
			}
			if len(f) != 4 {
				return nil, lr.err("coordinate line must be \"v id x y\"")
			}
			id, ok1 := parseInt(f[1])
			x, ok2 := parseInt(f[2])
			y, ok3 := parseInt(f[3])
			if !ok1 || !ok2 || !ok3 {
				return nil, lr.err("coordinate fields must be integers")
			}
			if id < 1 || id > int64(n) {
				return nil, lr.err(fmt.Sprintf("node %d out of 1..%d", id, n))
			}
			if seen[id-1] {
				return nil, lr.err(fmt.Sprintf("node %d given twice", id))
			}
			lon, lat := float64(x)/1e6, float64(y)/1e6
			if lon < -180 || lon > 180 || lat < -90 || lat > 90 {
				return nil, lr.err("coordinate outside lon/lat range")
			}
			seen[id-1] = true
			coords[id-1] = Point{lon, lat}
			count++
		default:
			return nil, lr.err(fmt.Sprintf("unknown line type %q", f[0]))
		}
	}
	if err := lr.ioErr(); err != nil {
		return nil, err
	}
	if coords == nil {
		return nil, lr.err("missing problem line")
	}
	if count != n {
		return nil, lr.err(fmt.Sprintf("%d coordinates for %d nodes", count, n))
	}
	return coords, nil
}

// numberFromOne gives nodes the 1-based external IDs the DIMACS and METIS
// formats use in their files, so errors and ExternalID speak the file's
// numbering.
func (g *Graph) numberFromOne() {
	g.ids = make([]int64, g.NumNodes())
	for i := range g.ids {
		g.ids[i] = int64(i + 1)
	}
}
