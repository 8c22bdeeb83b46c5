// Package adclick is the ad click event aggregation system: a stream of
// click events, out of order, sometimes delivered twice, sometimes very
// late, is kept raw in a write-ahead log (wal) and counted per ad in
// one-minute tumbling windows of event time that close at a watermark;
// duplicates are dropped with a roaring bitmap of event IDs, each window
// keeps its top ads, and filtered counts (by country, by device) are
// intersections of roaring bitmaps. A recount from the raw log, as a
// nightly batch job would run, fixes what the late events missed.
//
//	go run ./examples/tour adclick [-clicks 50000]
package adclick

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/sysdesign-go/sysdesign/wal"
)

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("adclick", flag.ContinueOnError)
	fs.SetOutput(w)
	n := fs.Int("clicks", 50_000, "click events")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1000 || *n > 10_000_000 {
		return errors.New("adclick: -clicks must be 1000-10000000")
	}
	dir, err := os.MkdirTemp("", "adclick")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	log, err := wal.Open(dir, &wal.Options{Sync: wal.SyncNever})
	if err != nil {
		return err
	}
	defer log.Close()

	events := stream(*n)
	agg, err := NewAggregator(time.Minute, 15*time.Second, 3)
	if err != nil {
		return err
	}
	var windows []Window
	for _, c := range events {
		if _, err := log.Append(appendClick(nil, c)); err != nil {
			return err
		}
		windows = append(windows, agg.Add(c)...)
	}
	windows = append(windows, agg.Flush()...)
	unique := uniqueByID(events)
	fmt.Fprintf(w, "%d click deliveries over %d minutes: %d duplicates dropped (roaring bitmap of event IDs), %d too late for their window (watermark: newest event - 15s)\n",
		len(events), len(windows), agg.Duplicates, agg.Late)
	for _, win := range windows[:min(3, len(windows))] {
		fmt.Fprintf(w, "  window %s top 3 ads: %v\n", win.Start.Format("15:04"), win.Top)
	}
	var streamed uint64
	for _, win := range windows {
		for _, c := range win.Clicks {
			streamed += c
		}
	}
	if int(streamed)+agg.Late != len(unique) {
		return fmt.Errorf("adclick: %d counted + %d late != %d unique clicks", streamed, agg.Late, len(unique))
	}

	// A filtered count, checked by brute force.
	win := windows[len(windows)/2]
	ad := win.Top[0].AdID
	got := win.Count(ad, "DE", "mobile")
	var want uint64
	for _, c := range unique {
		if c.AdID == ad && c.Country == "DE" && c.Device == "mobile" && c.At.Truncate(time.Minute).Equal(win.Start) && !agg.WasLate(c.ID) {
			want++
		}
	}
	if got != want {
		return fmt.Errorf("adclick: filtered count %d; brute force %d", got, want)
	}
	fmt.Fprintf(w, "window %s, ad %d, country=DE and device=mobile: %d clicks (an intersection of three bitmaps; brute force agrees)\n",
		win.Start.Format("15:04"), ad, got)

	// The nightly recount replays the raw log with no lateness limit.
	batch, err := NewAggregator(time.Minute, 365*24*time.Hour, 3)
	if err != nil {
		return err
	}
	r := log.NewReader(log.FirstIndex())
	for _, rec := range r.All() {
		c, err := decodeClick(rec)
		if err != nil {
			return err
		}
		batch.Add(c)
	}
	if err := r.Err(); err != nil {
		return err
	}
	exact := batch.Flush()
	fixed := 0
	for i, win := range exact {
		truth := map[uint32]uint64{}
		for _, c := range unique {
			if c.At.Truncate(time.Minute).Equal(win.Start) {
				truth[c.AdID]++
			}
		}
		for ad, n := range truth {
			if win.Clicks[ad] != n {
				return fmt.Errorf("adclick: recount of window %s ad %d: %d, want %d", win.Start, ad, win.Clicks[ad], n)
			}
			if i < len(windows) && windows[i].Clicks[ad] != n {
				fixed++
			}
		}
	}
	fmt.Fprintf(w, "recount from the raw log: every window exact; %d (window, ad) counts corrected for late clicks\n", fixed)
	return nil
}

// stream makes n click deliveries: event times over about n/5000 minutes,
// delivered with up to 10 s of disorder, 2% held back 1-3 minutes, 3%
// delivered twice. Ad popularity is skewed (Zipf).
func stream(n int) []Click {
	r := rand.New(rand.NewPCG(11, 12))
	zipf := rand.NewZipf(r, 1.3, 1, 49)
	countries := []string{"US", "DE", "IN", "BR", "JP"}
	devices := []string{"mobile", "desktop", "tablet"}
	start := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	type delivery struct {
		at time.Time
		c  Click
	}
	var ds []delivery
	for i := range n {
		c := Click{ID: uint32(i), AdID: uint32(zipf.Uint64()), At: start.Add(time.Duration(i) * 12 * time.Millisecond),
			Country: countries[r.IntN(len(countries))], Device: devices[r.IntN(len(devices))]}
		at := c.At.Add(time.Duration(r.IntN(10_000)) * time.Millisecond)
		if r.IntN(50) == 0 {
			at = at.Add(time.Duration(60+r.IntN(120)) * time.Second)
		}
		ds = append(ds, delivery{at, c})
		if r.IntN(33) == 0 {
			ds = append(ds, delivery{at.Add(time.Duration(r.IntN(5000)) * time.Millisecond), c})
		}
	}
	slices.SortStableFunc(ds, func(a, b delivery) int { return a.at.Compare(b.at) })
	out := make([]Click, len(ds))
	for i, d := range ds {
		out[i] = d.c
	}
	return out
}

func uniqueByID(events []Click) []Click {
	seen := map[uint32]bool{}
	var out []Click
	for _, c := range events {
		if !seen[c.ID] {
			seen[c.ID] = true
			out = append(out, c)
		}
	}
	return out
}
