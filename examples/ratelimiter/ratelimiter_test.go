package ratelimiter

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/redistest"
)

func check(t *testing.T, args []string, wants ...string) string {
	t.Helper()
	var out bytes.Buffer
	if err := Run(context.Background(), &out, args); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range wants {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report misses %q:\n%s", want, out.String())
		}
	}
	return out.String()
}

func TestRunShared(t *testing.T) {
	backend := "backend: in-memory"
	var outage []string
	if redistest.Available() {
		backend = "backend: redis-server"
		outage = []string{
			"redis-server stopped; carol: 200 200 200 200 200 200 200 200",
			"circuit breaker: open after 5 failed Redis calls; 3 decisions skipped Redis",
		}
	}
	out := check(t, nil, backend,
		"alice: 10 × 200, 5 × 429 across both servers",
		`RateLimit-Policy: "api";q=10;w=60`,
		"Retry-After: 6",
		`"status":429`,
		"bob right after: 200",
		"no API key: 400",
		"200 200 200 429 429")
	for _, want := range outage {
		if !strings.Contains(out, want) {
			t.Errorf("report misses %q:\n%s", want, out)
		}
	}
}

func TestRunMemory(t *testing.T) {
	check(t, []string{"-memory", "-requests", "8", "-limit", "5"},
		"backend: in-memory ratelimit.Store shared in-process by both servers (-memory)",
		"alice: 5 × 200, 3 × 429")
}

func TestRunRejectsBadFlags(t *testing.T) {
	var out bytes.Buffer
	if err := Run(context.Background(), &out, []string{"-limit", "0"}); err == nil {
		t.Fatal("Run with -limit 0: nil error")
	}
	if err := Run(context.Background(), &out, []string{"-nope"}); err == nil {
		t.Fatal("Run with an unknown flag: nil error")
	}
}
