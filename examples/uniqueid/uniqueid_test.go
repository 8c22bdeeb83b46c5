package uniqueid

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRunReportsNoDuplicates(t *testing.T) {
	var out bytes.Buffer
	if err := Run(context.Background(), &out, []string{"-generators", "3", "-workers", "4", "-ids", "20000"}); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"issued 60000 ids", "duplicates: 0", "restart of machine 0"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report misses %q:\n%s", want, out.String())
		}
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	var out bytes.Buffer
	if err := Run(context.Background(), &out, []string{"-generators", "0"}); err == nil {
		t.Fatal("Run with 0 generators: nil error")
	}
	if err := Run(context.Background(), &out, []string{"-nope"}); err == nil {
		t.Fatal("Run with an unknown flag: nil error")
	}
}
