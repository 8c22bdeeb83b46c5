package vclock

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sysdesign-go/sysdesign/internal/datadriven"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output in testdata/*.txt")

// TestScenarios runs the scenario files in testdata. Each case is a command
// line, a "----" line and the expected output, ended by a blank line;
// errors are printed as output. Commands:
//
//	update replica=R ctx=CLOCK value=V   a client write through replica R
//	read replica=R                       values and the context a client gets
//	sync to=R from=S                     replica R pulls S's set
//	show replica=R                       R's versions: dot, past, value
//	compare a=CLOCK b=CLOCK              the Order of a to b
//	merge a=CLOCK b=CLOCK                the merged clock
//	encode clock=CLOCK                   binary encoding in hex
//	prune clock=CLOCK now=T [small= big= young= old=]   seconds
//
// Run with -rewrite to regenerate the expectations.
func TestScenarios(t *testing.T) {
	datadriven.RunDir(t, "testdata/*.txt", *rewrite, func(t *testing.T) func(string) string {
		replicas := map[string]Siblings[string]{}
		return func(cmd string) string { return runCommand(cmd, replicas) }
	})
}

func runCommand(line string, replicas map[string]Siblings[string]) string {
	fields := strings.Fields(line)
	args := map[string]string{}
	for _, f := range fields[1:] {
		k, v, _ := strings.Cut(f, "=")
		args[k] = v
	}
	clock := func(name string) (Clock, error) { return Parse(args[name]) }
	num := func(name string) int64 {
		n, _ := strconv.ParseInt(args[name], 10, 64)
		return n
	}
	switch fields[0] {
	case "update":
		ctx, err := clock("ctx")
		if err != nil {
			return "error: " + err.Error()
		}
		r, err := strconv.ParseUint(args["replica"], 10, 64)
		if err != nil {
			return "error: bad replica"
		}
		s, d := replicas[args["replica"]].Update(ctx, r, args["value"])
		replicas[args["replica"]] = s
		return "dot " + d.String() + "\n" + showSet(s)
	case "read":
		s := replicas[args["replica"]]
		return fmt.Sprintf("values %v context %v", s.Values(), s.Context())
	case "sync":
		to, from := args["to"], args["from"]
		replicas[to] = replicas[to].Sync(replicas[from])
		return showSet(replicas[to])
	case "show":
		return showSet(replicas[args["replica"]])
	case "compare", "merge":
		a, err := clock("a")
		if err != nil {
			return "error: " + err.Error()
		}
		b, err := clock("b")
		if err != nil {
			return "error: " + err.Error()
		}
		if fields[0] == "compare" {
			return a.Compare(b).String()
		}
		a.Merge(b)
		return a.String()
	case "encode":
		c, err := clock("clock")
		if err != nil {
			return "error: " + err.Error()
		}
		b, _ := c.MarshalBinary()
		return fmt.Sprintf("%x (%d bytes)", b, len(b))
	case "prune":
		c, err := clock("clock")
		if err != nil {
			return "error: " + err.Error()
		}
		p, err := NewPruner(PruneOptions{Small: int(num("small")), Big: int(num("big")),
			Young: time.Duration(num("young")) * time.Second, Old: time.Duration(num("old")) * time.Second})
		if err != nil {
			return "error: " + err.Error()
		}
		n := p.Prune(&c, time.Unix(num("now"), 0))
		return fmt.Sprintf("removed %d: %v", n, c)
	}
	return "error: unknown command " + fields[0]
}

func showSet(s Siblings[string]) string {
	if s.Len() == 0 {
		return "(no versions)"
	}
	var lines []string
	for v := range s.All() {
		lines = append(lines, fmt.Sprintf("%v past=%v %s", v.Dot, v.Past, v.Value))
	}
	return strings.Join(lines, "\n")
}
