// Command tour runs the system examples of sysdesign end to end, in-process,
// and prints a short report for each.
//
//	go run ./examples/tour              # every system
//	go run ./examples/tour uniqueid     # one system, with its own flags after the name
//	go run ./examples/tour -list        # the systems and what each shows
//
// Each system lives in its own folder under examples/ as a package with a
// Run(ctx, w, args) function; this program is the single entry point that
// calls them, and each folder's tests call the same function.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "tour:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("tour", flag.ContinueOnError)
	fs.SetOutput(w)
	list := fs.Bool("list", false, "list the systems and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *list {
		for _, s := range systems {
			fmt.Fprintf(w, "%-14s %s\n", s.name, s.summary)
		}
		return nil
	}
	if name := fs.Arg(0); name != "" {
		s, ok := lookup(name)
		if !ok {
			return fmt.Errorf("unknown system %q (try -list)", name)
		}
		return s.run(ctx, w, fs.Args()[1:])
	}
	var failed []string
	for _, s := range systems {
		fmt.Fprintf(w, "== %s: %s\n", s.name, s.summary)
		start := time.Now()
		if err := s.run(ctx, w, nil); err != nil {
			fmt.Fprintf(w, "!! %s failed: %v\n\n", s.name, err)
			failed = append(failed, s.name)
			continue
		}
		fmt.Fprintf(w, "-- %s ok in %v\n\n", s.name, time.Since(start).Round(time.Millisecond))
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d systems failed: %s", len(failed), len(systems), strings.Join(failed, ", "))
	}
	fmt.Fprintf(w, "all %d systems ran\n", len(systems))
	return nil
}

func lookup(name string) (system, bool) {
	for _, s := range systems {
		if s.name == name {
			return s, true
		}
	}
	return system{}, false
}
