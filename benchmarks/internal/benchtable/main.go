// Command benchtable reads `go test -bench` output on stdin and prints a
// markdown table: for every benchmark named Benchmark<Pkg>_<Op>/.../impl=<name>,
// the median of each metric per implementation and the ratio of ours
// (impl=sysdesign) to each peer.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

func main() {
	rows, env, err := parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
	render(os.Stdout, rows, env)
}

// result is every sample of one benchmark (one op, one impl).
type result struct {
	pkg, op, impl string
	samples       map[string][]float64 // unit -> values
	order         []string             // units in first-seen order
}

var gomaxprocsSuffix = regexp.MustCompile(`-\d+$`)

// parse reads benchmark lines, grouping samples by name. It returns the
// results in first-seen order and the goos/goarch/cpu header lines.
func parse(r io.Reader) ([]*result, []string, error) {
	byName := map[string]*result{}
	var out []*result
	var env []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		for _, h := range []string{"goos:", "goarch:", "cpu:"} {
			if strings.HasPrefix(line, h) && !slices.Contains(env, line) {
				env = append(env, line)
			}
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := gomaxprocsSuffix.ReplaceAllString(f[0], "")
		pkg, op, impl, ok := split(name)
		if !ok {
			continue
		}
		res := byName[name]
		if res == nil {
			res = &result{pkg: pkg, op: op, impl: impl, samples: map[string][]float64{}}
			byName[name] = res
			out = append(out, res)
		}
		// f[1] is the iteration count; then value/unit pairs.
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, nil, fmt.Errorf("%q: bad value %q", line, f[i])
			}
			unit := f[i+1]
			if _, seen := res.samples[unit]; !seen {
				res.order = append(res.order, unit)
			}
			res.samples[unit] = append(res.samples[unit], v)
		}
	}
	return out, env, sc.Err()
}

// split turns "BenchmarkSnowflake_Next/impl=bwmarrin/parallel" into package
// "snowflake", op "Next/parallel" and impl "bwmarrin".
func split(name string) (pkg, op, impl string, ok bool) {
	parts := strings.Split(strings.TrimPrefix(name, "Benchmark"), "/")
	head := parts[0]
	i := strings.IndexByte(head, '_')
	if i <= 0 {
		return "", "", "", false
	}
	pkg, op = strings.ToLower(head[:i]), head[i+1:]
	for _, p := range parts[1:] {
		if v, found := strings.CutPrefix(p, "impl="); found {
			impl = v
			continue
		}
		op += "/" + p
	}
	return pkg, op, impl, impl != ""
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func format(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', 2, 64) + "M"
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
}

// render prints one table row per (package, op, impl). The ratio column
// compares ns/op (or the first metric when there is no ns/op) of sysdesign to
// that peer: below 1 means ours is faster.
func render(w io.Writer, rows []*result, env []string) {
	for _, e := range env {
		fmt.Fprintf(w, "<!-- %s -->\n", e)
	}
	fmt.Fprintln(w, "| package | op | impl | ns/op | B/op | allocs/op | other | ours/peer (ns/op) |")
	fmt.Fprintln(w, "|---|---|---|---:|---:|---:|---|---:|")
	ours := map[string]*result{}
	for _, r := range rows {
		if r.impl == "sysdesign" {
			ours[r.pkg+"\x00"+r.op] = r
		}
	}
	for _, r := range rows {
		cell := func(unit string) string {
			if v, ok := r.samples[unit]; ok {
				return format(median(v))
			}
			return ""
		}
		var other []string
		for _, u := range r.order {
			if u != "ns/op" && u != "B/op" && u != "allocs/op" {
				other = append(other, format(median(r.samples[u]))+" "+u)
			}
		}
		ratio := ""
		if o := ours[r.pkg+"\x00"+r.op]; o != nil && r.impl != "sysdesign" {
			if a, b := o.samples["ns/op"], r.samples["ns/op"]; len(a) > 0 && len(b) > 0 && median(b) > 0 {
				ratio = strconv.FormatFloat(median(a)/median(b), 'f', 2, 64)
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n",
			r.pkg, r.op, r.impl, cell("ns/op"), cell("B/op"), cell("allocs/op"), strings.Join(other, ", "), ratio)
	}
}
