package routing

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/shareddata"
)

func FuzzReadMETIS(f *testing.F) {
	f.Add(metisSquare, xyzSquare)
	f.Add("3 3\n2 3\n1 3\n1 2\n", "0 0 0\n30 40 0\n0 80 0\n")
	f.Add("4 4 11\n", "")
	f.Add("2 1\n2\n1\n", "0 0\n1e300 0\n")
	f.Fuzz(func(t *testing.T, graph, xyz string) {
		g, err := ReadMETIS(strings.NewReader(graph), strings.NewReader(xyz))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) && !errors.Is(err, ErrWeightRange) && !errors.Is(err, ErrNegativeWeight) {
				t.Fatalf("error %v is not a ParseError", err)
			}
			return
		}
		checkGraphInvariants(t, g)
	})
}

func FuzzReadDIMACS(f *testing.F) {
	f.Add(grSmall, coSmall)
	f.Add("p sp 2 1\na 1 2 -4\n", "")
	f.Add("p sp 2 2\na 1 2 4\na 2 1 0\n", "p aux sp co 2\nv 1 0 0\nv 2 1 1\n")
	f.Fuzz(func(t *testing.T, gr, co string) {
		var g *Graph
		var err error
		if co == "" {
			g, err = ReadDIMACS(strings.NewReader(gr), nil)
		} else {
			g, err = ReadDIMACS(strings.NewReader(gr), strings.NewReader(co))
		}
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a ParseError", err)
			}
			return
		}
		checkGraphInvariants(t, g)
	})
}

// checkGraphInvariants runs every algorithm on a small parsed graph and
// compares them with Bellman-Ford.
func checkGraphInvariants(t *testing.T, g *Graph) {
	n := g.NumNodes()
	if n == 0 || n > 40 {
		return
	}
	h, err := Contract(g, ContractOptions{})
	if err != nil {
		if errors.Is(err, ErrWeightRange) {
			return
		}
		t.Fatal(err)
	}
	s, q := NewSearch(g), h.NewQuery()
	for src := range n {
		want := bellmanFord(g, src)
		for dst := range n {
			r, err := s.Dijkstra(src, dst)
			checkResult(t, g, "Dijkstra", src, dst, want[dst], r, err)
			r, err = s.Bidirectional(src, dst)
			checkResult(t, g, "Bidirectional", src, dst, want[dst], r, err)
			if g.CoordKind() != NoCoords && g.hscale > 0 {
				r, err = s.AStar(src, dst)
				checkResult(t, g, "AStar", src, dst, want[dst], r, err)
			}
			r, err = q.Route(src, dst)
			checkResult(t, g, "CH", src, dst, want[dst], r, err)
		}
	}
}

func FuzzReadHierarchy(f *testing.F) {
	for seed := range uint64(4) {
		g := randomGraph(newRand(seed), 3+int(seed)*5)
		h, err := Contract(g, ContractOptions{})
		if err != nil {
			f.Fatal(err)
		}
		var buf bytes.Buffer
		h.WriteTo(&buf)
		f.Add(buf.Bytes())
	}
	f.Add([]byte("RTCH\x01\x00\x00\x00\xff\xff\xff\x0f\x00\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := ReadHierarchy(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrVersion) {
				t.Fatalf("error %v wraps neither ErrCorrupt nor ErrVersion", err)
			}
			return
		}
		// A hierarchy that loads must answer queries without panicking and
		// re-encode to the same bytes.
		q := h.NewQuery()
		for s := 0; s < min(h.NumNodes(), 8); s++ {
			for d := 0; d < min(h.NumNodes(), 8); d++ {
				q.Route(s, d)
			}
		}
		var buf bytes.Buffer
		h.WriteTo(&buf)
		if !bytes.Equal(buf.Bytes(), data[:buf.Len()]) {
			t.Fatal("re-encoding changed the bytes")
		}
	})
}

// FuzzContract builds graphs from fuzz bytes (3 bytes per arc) and checks
// every algorithm against Bellman-Ford.
func FuzzContract(f *testing.F) {
	f.Add(uint8(5), []byte{0, 1, 3, 1, 2, 4, 2, 0, 1, 3, 4, 0, 4, 3, 9})
	f.Add(uint8(3), []byte{0, 1, 0, 1, 2, 0, 2, 0, 0})
	f.Fuzz(func(t *testing.T, n uint8, data []byte) {
		nn := int(n%24) + 1
		var arcs []Arc
		for i := 0; i+2 < len(data); i += 3 {
			arcs = append(arcs, Arc{int(data[i]) % nn, int(data[i+1]) % nn, int64(data[i+2])})
		}
		g, err := NewGraph(nn, arcs, NoCoords, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkGraphInvariants(t, g)
	})
}

func FuzzReadOSM(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x00\x00\x00\x0d\x0a\x09OSMHeader\x18\x10"))
	if dir, err := shareddata.Find("osm"); err == nil {
		if data, err := os.ReadFile(filepath.Join(dir, "andorra.osm.pbf")); err == nil {
			f.Add(data[:4096])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ReadOSM(context.Background(), bytes.NewReader(data), OSMOptions{})
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a ParseError", err)
			}
			return
		}
		if g.CoordKind() != LonLat && g.NumNodes() > 0 {
			t.Fatal("OSM graph without coordinates")
		}
	})
}
