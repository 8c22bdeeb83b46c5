package lsm

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/datadriven"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output in testdata/*.txt")

// TestScenarios runs the scripts in testdata/*.txt. Each case is a block
// of commands, a "----" line and the expected output, separated from the
// next case by a blank line:
//
//	put k v | delete k | batch put:k=v delete:k ... | get k
//	scan [lower upper] | rscan [lower upper] | prefix p
//	snapshot name | snapget name k | snapscan name | release name
//	flush | compact | reopen | levels
//
// Errors are printed as output. go test -run TestScenarios -rewrite
// regenerates the expectations.
func TestScenarios(t *testing.T) {
	datadriven.RunDir(t, "testdata/*.txt", *rewrite, func(t *testing.T) func(string) string {
		s := &scenario{t: t, dir: t.TempDir(), snaps: map[string]*Snapshot{}}
		var err error
		if s.db, err = Open(s.dir, smallOptions()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.db.Close() })
		return func(block string) string {
			var got strings.Builder
			for _, line := range strings.Split(block, "\n") {
				if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
					s.run(&got, strings.Fields(line))
				}
			}
			return got.String()
		}
	})
}

type scenario struct {
	t     *testing.T
	dir   string
	db    *DB
	snaps map[string]*Snapshot
}

func (s *scenario) run(w *strings.Builder, f []string) {
	ctx := context.Background()
	printErr := func(err error) {
		if err != nil {
			fmt.Fprintf(w, "error: %v\n", err)
		}
	}
	scan := func(it *Iterator, reverse bool) {
		var parts []string
		seq := it.All()
		if reverse {
			seq = it.Backward()
		}
		for k, v := range seq {
			parts = append(parts, string(k)+"="+string(v))
		}
		if err := it.Close(); err != nil {
			printErr(err)
			return
		}
		if len(parts) == 0 {
			fmt.Fprintln(w, "(empty)")
			return
		}
		fmt.Fprintln(w, strings.Join(parts, " "))
	}
	bounds := func(args []string) *IterOptions {
		if len(args) == 2 {
			return &IterOptions{LowerBound: []byte(args[0]), UpperBound: []byte(args[1])}
		}
		return nil
	}
	get := func(v []byte, err error) {
		switch {
		case errors.Is(err, ErrNotFound):
			fmt.Fprintln(w, "not found")
		case err != nil:
			printErr(err)
		default:
			fmt.Fprintln(w, string(v))
		}
	}
	switch f[0] {
	case "put":
		printErr(s.db.Put([]byte(f[1]), []byte(f[2]), nil))
	case "delete":
		printErr(s.db.Delete([]byte(f[1]), nil))
	case "batch":
		var b Batch
		for _, op := range f[1:] {
			kind, kv, _ := strings.Cut(op, ":")
			k, v, _ := strings.Cut(kv, "=")
			if kind == "put" {
				b.Put([]byte(k), []byte(v))
			} else {
				b.Delete([]byte(k))
			}
		}
		printErr(s.db.Apply(&b, nil))
	case "get":
		get(s.db.Get([]byte(f[1])))
	case "scan", "rscan":
		scan(s.db.NewIter(bounds(f[1:])), f[0] == "rscan")
	case "prefix":
		scan(s.db.NewIter(&IterOptions{Prefix: []byte(f[1])}), false)
	case "snapshot":
		s.snaps[f[1]] = s.db.NewSnapshot()
	case "snapget":
		get(s.snaps[f[1]].Get([]byte(f[2])))
	case "snapscan":
		scan(s.snaps[f[1]].NewIter(nil), false)
	case "release":
		s.snaps[f[1]].Close()
		delete(s.snaps, f[1])
	case "flush":
		printErr(s.db.Flush(ctx))
	case "compact":
		printErr(s.db.Compact(ctx))
	case "reopen":
		for name, sn := range s.snaps {
			sn.Close()
			delete(s.snaps, name)
		}
		printErr(s.db.Close())
		var err error
		if s.db, err = Open(s.dir, smallOptions()); err != nil {
			s.t.Fatal(err)
		}
	case "levels":
		st := s.db.Stats()
		var parts []string
		for l, ls := range st.Levels {
			if ls.Tables > 0 {
				parts = append(parts, fmt.Sprintf("L%d:%d", l, ls.Tables))
			}
		}
		if len(parts) == 0 {
			parts = append(parts, "(no tables)")
		}
		fmt.Fprintln(w, strings.Join(parts, " "))
	default:
		s.t.Fatalf("unknown command %q", f[0])
	}
}
