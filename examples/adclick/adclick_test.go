package adclick

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := Run(context.Background(), &out, []string{"-clicks", "6000"}); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"duplicates dropped", "too late", "brute force agrees", "every window exact"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := Run(context.Background(), new(strings.Builder), []string{"-clicks", "5"}); err == nil {
		t.Error("Run accepted 5 clicks")
	}
}

var t0 = time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)

func click(id, ad uint32, sec int, country, device string) Click {
	return Click{ID: id, AdID: ad, At: t0.Add(time.Duration(sec) * time.Second), Country: country, Device: device}
}

func TestWindowsCloseAtTheWatermark(t *testing.T) {
	a, err := NewAggregator(time.Minute, 10*time.Second, 2)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		c      Click
		closes int
	}{
		{click(1, 7, 5, "US", "mobile"), 0},
		{click(2, 7, 50, "DE", "mobile"), 0},
		{click(2, 7, 50, "DE", "mobile"), 0},  // duplicate delivery
		{click(3, 8, 65, "DE", "desktop"), 0}, // watermark 55s: window 0 still open
		{click(4, 9, 30, "US", "mobile"), 0},  // out of order but in time
		{click(5, 7, 75, "DE", "mobile"), 1},  // watermark 65s: window 0 closes
		{click(6, 7, 20, "US", "mobile"), 0},  // late: window 0 is closed
	}
	var closed []Window
	for i, s := range steps {
		got := a.Add(s.c)
		if len(got) != s.closes {
			t.Fatalf("step %d closed %d windows; want %d", i, len(got), s.closes)
		}
		closed = append(closed, got...)
	}
	if a.Duplicates != 1 || a.Late != 1 {
		t.Errorf("duplicates %d, late %d; want 1, 1", a.Duplicates, a.Late)
	}
	w := closed[0]
	if !w.Start.Equal(t0) || w.Clicks[7] != 2 || w.Clicks[9] != 1 || len(w.Top) != 2 || w.Top[0] != (AdCount{7, 2}) {
		t.Errorf("window 0 = %+v", w)
	}
	if w.Count(7, "DE", "") != 1 || w.Count(7, "", "mobile") != 2 || w.Count(7, "FR", "") != 0 || w.Count(8, "", "") != 0 {
		t.Error("filtered counts of window 0 are wrong")
	}
	rest := a.Flush()
	if len(rest) != 1 || rest[0].Clicks[7] != 1 || rest[0].Clicks[8] != 1 {
		t.Errorf("Flush = %+v", rest)
	}
	if _, err := NewAggregator(0, 0, 1); err == nil {
		t.Error("a zero window was accepted")
	}
}

func TestTopBreaksTiesByAdID(t *testing.T) {
	a, _ := NewAggregator(time.Minute, 0, 2)
	for i, ad := range []uint32{5, 3, 9, 3, 5, 9} {
		a.Add(click(uint32(i), ad, i, "US", "m"))
	}
	w := a.Flush()[0]
	if len(w.Top) != 2 || w.Top[0] != (AdCount{3, 2}) || w.Top[1] != (AdCount{5, 2}) {
		t.Errorf("Top = %v; want ads 3 and 5 (ties: lower ID first)", w.Top)
	}
}

func FuzzDecodeClick(f *testing.F) {
	f.Add(appendClick(nil, click(1, 2, 3, "US", "mobile")))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeClick(b)
		if err == nil && !bytes.Equal(appendClick(nil, c), b) {
			t.Fatalf("decodeClick(%x) = %+v re-encodes differently", b, c)
		}
	})
}
