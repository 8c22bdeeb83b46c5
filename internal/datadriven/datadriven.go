// Package datadriven runs scenario files for tests, in the style of
// cockroachdb/datadriven: each case is one or more command lines, a "----"
// line, and the expected output up to the next blank line. Lines that are
// blank or start with "#" between cases are kept as they are. Errors are part of the
// output, so a scenario file reads as a specification of the component.
//
// A package's test owns its -rewrite flag and passes it in; with rewrite
// set, the file is written back with the output the code produced.
package datadriven

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// RunDir runs every file matching glob (for example "testdata/*.txt") as a
// subtest. setup is called once per file and returns the function that
// executes one command and returns its output; state lives in its closure.
func RunDir(t *testing.T, glob string, rewrite bool, setup func(t *testing.T) func(cmd string) string) {
	t.Helper()
	files, err := filepath.Glob(glob)
	if err != nil || len(files) == 0 {
		t.Fatalf("datadriven: no scenario files match %s", glob)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			RunFile(t, file, rewrite, setup(t))
		})
	}
}

// RunFile runs the cases of one file through do (which gets a case's
// command lines joined by newlines), reporting every case
// whose output differs from the expectation; with rewrite it writes the
// produced outputs back instead.
func RunFile(t testing.TB, file string, rewrite bool, do func(cmd string) string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var out strings.Builder
	for k := 0; k < len(lines); k++ {
		line := lines[k]
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			out.WriteString(line + "\n")
			continue
		}
		// A case is every line up to "----"; the runner gets them joined.
		first := k
		for k < len(lines) && lines[k] != "----" && lines[k] != "" {
			k++
		}
		if k >= len(lines) || lines[k] != "----" {
			t.Fatalf("%s:%d: command %q not followed by ----", file, first+1, line)
		}
		cmd := strings.Join(lines[first:k], "\n")
		k++
		var want []string
		for ; k < len(lines) && lines[k] != ""; k++ {
			want = append(want, lines[k])
		}
		got := strings.TrimRight(do(cmd), "\n")
		out.WriteString(cmd + "\n----\n")
		if got != "" {
			out.WriteString(got + "\n")
		}
		if k < len(lines) {
			out.WriteString("\n")
		}
		if !rewrite && got != strings.Join(want, "\n") {
			t.Errorf("%s:%d: %s\ngot:\n%s\nwant:\n%s", file, k, cmd, got, strings.Join(want, "\n"))
		}
	}
	if rewrite {
		res := strings.TrimRight(out.String(), "\n") + "\n"
		if err := os.WriteFile(file, []byte(res), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
