package proximity

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/sysdesign-go/sysdesign/geohash"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := Run(context.Background(), &out, []string{"-businesses", "5000", "-readers", "4", "-duration", "300ms"}); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"seeded 5000 businesses", "deleted it (then 404)", "bad search -> 400", "duplicates: 0", "failures 0", "3 nearest"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report misses %q:\n%s", want, out.String())
		}
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	if err := Run(context.Background(), &bytes.Buffer{}, []string{"-businesses", "1"}); err == nil {
		t.Fatal("Run with 1 business: nil error")
	}
	if err := Run(context.Background(), &bytes.Buffer{}, []string{"-nope"}); err == nil {
		t.Fatal("unknown flag: nil error")
	}
}

func TestCursorRejectsGarbage(t *testing.T) {
	svc, _ := NewService(geohash.KindGeohash)
	if _, err := svc.Nearby(0, 0, 100, 10, "!!"); err == nil {
		t.Fatal("garbage cursor accepted")
	}
	c := encodeCursor(geohash.Cursor[int64]{Dist: 12.5, ID: 7})
	got, err := decodeCursor(c)
	if err != nil || got.Dist != 12.5 || got.ID != 7 {
		t.Fatalf("cursor round trip: %+v %v", got, err)
	}
}
