package autocomplete

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	err := Run(context.Background(), &out, []string{"-queries", "2000", "-searches", "20000", "-requests", "2000", "-clients", "2"})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"failed or unsorted: 0",
		"trending query served after the swap: yes",
		"typo corrected: yes",
		"world cup final tickets",
		"p99",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report misses %q:\n%s", want, out.String())
		}
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	var out bytes.Buffer
	for _, args := range [][]string{{"-queries", "5"}, {"-searches", "10"}, {"-nope"}} {
		if err := Run(context.Background(), &out, args); err == nil {
			t.Errorf("Run(%v): nil error", args)
		}
	}
}
