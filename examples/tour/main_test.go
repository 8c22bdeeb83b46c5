package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestEveryExampleIsInTheTour fails when a folder under examples/ is missing
// from the systems list (or the list names a folder that does not exist).
func TestEveryExampleIsInTheTour(t *testing.T) {
	entries, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	dirs := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() && e.Name() != "tour" {
			dirs[e.Name()] = true
		}
	}
	listed := map[string]bool{}
	for _, s := range systems {
		if listed[s.name] {
			t.Errorf("system %q listed twice", s.name)
		}
		listed[s.name] = true
		if !dirs[s.name] {
			t.Errorf("system %q has no folder examples/%s", s.name, s.name)
		}
	}
	for d := range dirs {
		if !listed[d] {
			t.Errorf("examples/%s is not in the tour's systems list", d)
		}
	}
}

func TestListAndUnknown(t *testing.T) {
	var buf bytes.Buffer
	if err := run(context.Background(), &buf, []string{"-list"}); err != nil {
		t.Fatal(err)
	}
	for _, s := range systems {
		if !strings.Contains(buf.String(), s.name) {
			t.Errorf("-list output misses %q:\n%s", s.name, buf.String())
		}
	}
	if err := run(context.Background(), &buf, []string{"no-such-system"}); err == nil {
		t.Error("unknown system: got nil error")
	}
}
