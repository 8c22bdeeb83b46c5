package datadriven

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const script = `# doubling
double 2
----
4

double 5
----
wrong
`

func double(cmd string) string {
	var n int
	if _, err := fmt.Sscanf(cmd, "double %d", &n); err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprint(2 * n)
}

// recorder is a testing.TB that records Errorf calls instead of failing.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func writeScript(t *testing.T) string {
	file := filepath.Join(t.TempDir(), "s.txt")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestMismatchIsReported(t *testing.T) {
	file := writeScript(t)
	r := &recorder{TB: t}
	RunFile(r, file, false, double)
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "double 5") || !strings.Contains(r.errors[0], "10") {
		t.Fatalf("errors = %q; want one naming the \"double 5\" case and its output", r.errors)
	}
}

func TestRewriteThenPass(t *testing.T) {
	file := writeScript(t)
	RunFile(t, file, true, double)
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Replace(script, "wrong", "10", 1); string(got) != want {
		t.Fatalf("rewritten file:\n%s\nwant:\n%s", got, want)
	}
	r := &recorder{TB: t}
	RunFile(r, file, false, double)
	if len(r.errors) != 0 {
		t.Fatalf("rewritten file still fails: %q", r.errors)
	}
}
