package nearbyfriends

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := Run(context.Background(), &out, []string{"-users", "200", "-ticks", "50"}); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"wrong notifications: 0", "mismatches: 0", "expired users still shown: 0", "people within 1 km"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report misses %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), " 0 dropped after going silent") {
		t.Errorf("no friend was dropped after going silent:\n%s", out.String())
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	if err := Run(context.Background(), &bytes.Buffer{}, []string{"-users", "3"}); err == nil {
		t.Fatal("3 users: nil error")
	}
	if err := Run(context.Background(), &bytes.Buffer{}, []string{"-nope"}); err == nil {
		t.Fatal("unknown flag: nil error")
	}
}

func TestLocationCacheTTL(t *testing.T) {
	c := NewLocationCache(time.Minute)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.Put(1, Location{Lat: 1, Lon: 2, At: t0})
	c.Put(2, Location{Lat: 1, Lon: 2, At: t0.Add(30 * time.Second)})
	if _, ok := c.Get(1, t0.Add(time.Minute)); !ok {
		t.Fatal("expired at exactly the TTL")
	}
	if gone := c.Expire(t0.Add(61 * time.Second)); len(gone) != 1 || gone[0] != 1 {
		t.Fatalf("Expire = %v; want [1]", gone)
	}
	if _, ok := c.Get(1, t0.Add(61*time.Second)); ok {
		t.Fatal("expired entry returned")
	}
	if _, ok := c.Get(2, t0.Add(61*time.Second)); !ok {
		t.Fatal("fresh entry missing")
	}
}
