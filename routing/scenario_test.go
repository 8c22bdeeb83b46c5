package routing

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata/scenarios.txt with the computed answers")

// TestScenarios runs the scenarios of testdata/scenarios.txt: each graph's
// queries through every algorithm, which must all print the expected answer.
func TestScenarios(t *testing.T) {
	const file = "testdata/scenarios.txt"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(data))
	var (
		n      int
		arcs   []Arc
		inArcs bool
		algos  map[string]func(s, d int) string
	)
	build := func() {
		g, err := NewGraph(n, arcs, NoCoords, nil)
		if err != nil {
			t.Fatal(err)
		}
		h, err := Contract(g, ContractOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		h.WriteTo(&buf)
		h2, err := ReadHierarchy(&buf)
		if err != nil {
			t.Fatal(err)
		}
		lm, err := NewLandmarks(g, LandmarkOptions{Count: 1})
		if err != nil {
			t.Fatal(err)
		}
		s, q, q2 := NewSearch(g), h.NewQuery(), h2.NewQuery()
		format := func(r Result, err error) string {
			if err != nil {
				return "error: " + err.Error()
			}
			return fmt.Sprintf("%d %v", r.Dist, r.Path)
		}
		algos = map[string]func(a, b int) string{
			"Dijkstra":      func(a, b int) string { return format(s.Dijkstra(a, b)) },
			"Bidirectional": func(a, b int) string { return format(s.Bidirectional(a, b)) },
			"ALT":           func(a, b int) string { return format(s.ALT(lm, a, b)) },
			"CH":            func(a, b int) string { return format(q.Route(a, b)) },
			"CH loaded":     func(a, b int) string { return format(q2.Route(a, b)) },
			"Table": func(a, b int) string {
				tab, err := q.Table([]int{a}, []int{b}, nil)
				if err != nil {
					return "error: " + err.Error()
				}
				if tab[0] == Infinity {
					return "error: " + ErrNoPath.Error()
				}
				r, _ := s.Dijkstra(a, b) // the table has distances only
				return fmt.Sprintf("%d %v", tab[0], r.Path)
			},
		}
	}
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "graph":
			fmt.Sscan(f[1], &n)
			arcs, inArcs = nil, true
			out.WriteString(line + "\n")
		case len(f) == 3 && f[0] == "route":
			if inArcs {
				build()
				inArcs = false
			}
			var a, b int
			fmt.Sscan(f[1], &a)
			fmt.Sscan(f[2], &b)
			want := ""
			if i+2 < len(lines) && lines[i+1] == "----" {
				want = lines[i+2]
				i += 2
			}
			got := algos["Dijkstra"](a, b)
			for name, algo := range algos {
				if g := algo(a, b); g != got {
					t.Errorf("%s: %s gives %q, Dijkstra %q", line, name, g, got)
				}
			}
			if !*rewrite && got != want {
				t.Errorf("%s: got %q; want %q", line, got, want)
			}
			out.WriteString(line + "\n----\n" + got + "\n")
		case inArcs && len(f) == 3:
			var a Arc
			fmt.Sscan(f[0], &a.From)
			fmt.Sscan(f[1], &a.To)
			fmt.Sscan(f[2], &a.Weight)
			arcs = append(arcs, a)
			out.WriteString(line + "\n")
		default:
			out.WriteString(line + "\n")
		}
	}
	if *rewrite {
		if err := os.WriteFile(file, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
