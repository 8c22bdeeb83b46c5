package leaderboard

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/redistest"
)

func TestRunInMemory(t *testing.T) {
	var out bytes.Buffer
	if err := Run(context.Background(), &out, []string{"-players", "2000", "-matches", "20000", "-redis", "off"}); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"checked against a full sort of", ": ok", "top 10:", "4 above and below", "redis: skipped"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report misses %q:\n%s", want, out.String())
		}
	}
}

func TestRunOnRedis(t *testing.T) {
	redistest.Start(t) // skips (or fails under SYSDESIGN_REQUIRE_REDIS=1) without redis-server
	var out bytes.Buffer
	if err := Run(context.Background(), &out, []string{"-players", "1000", "-matches", "5000", "-redis", "on"}); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "same answers in memory and on Redis: yes") {
		t.Errorf("report misses the comparison:\n%s", out.String())
	}
	if strings.Count(out.String(), ": ok") != 2 {
		t.Errorf("want both boards checked ok:\n%s", out.String())
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	var out bytes.Buffer
	for _, args := range [][]string{{"-players", "1"}, {"-redis", "maybe"}, {"-nope"}} {
		if err := Run(context.Background(), &out, args); err == nil {
			t.Errorf("Run(%v): nil error", args)
		}
	}
}
