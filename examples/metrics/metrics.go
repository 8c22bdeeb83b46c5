// Package metrics is the metrics monitoring and alerting system: samples
// written through a write-ahead log (wal) into a time-series store that
// keeps each series in Gorilla-compressed chunks, range queries with
// aggregations and counter rates, downsampling of old data into rollups,
// and alert rules that go pending, fire once and resolve.
//
// The run scrapes three hosts every 10 seconds for three hours of simulated
// time (one host's CPU spikes), evaluates an alert rule as it goes,
// queries request rates, downsamples, and reopens the store to show the
// same answers come back from the logs.
//
//	go run ./examples/tour metrics [-hours 3]
package metrics

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"time"
)

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("metrics", flag.ContinueOnError)
	fs.SetOutput(w)
	hours := fs.Int("hours", 3, "hours of simulated scrapes (at least 2)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *hours < 2 || *hours > 48 {
		return errors.New("metrics: -hours must be 2-48")
	}
	dir, err := os.MkdirTemp("", "metrics")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	opts := Options{RawRetention: time.Hour, RollupStep: time.Minute}
	db, err := Open(dir, opts)
	if err != nil {
		return err
	}
	defer func() { db.Close() }()
	rule := Rule{Name: "HighCPU", Metric: "cpu_percent", Agg: "avg", Window: time.Minute, Threshold: 90, For: 2 * time.Minute}
	alerter, err := NewAlerter(db, []Rule{rule})
	if err != nil {
		return err
	}

	start := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	end := start.Add(time.Duration(*hours) * time.Hour)
	spike := end.Add(-70 * time.Minute) // web-2 at 95% CPU for 10 minutes
	reset := end.Add(-30 * time.Minute) // web-3's counter restarts from 0
	hosts := []string{"web-1", "web-2", "web-3"}
	requests := map[string]float64{}
	var fired []Notification
	scrapes := 0
	for t := start; t.Before(end); t = t.Add(10 * time.Second) {
		var batch []Sample
		for i, h := range hosts {
			cpu := 30 + 10*math.Sin(float64(t.Unix())/600+float64(i))
			if h == "web-2" && !t.Before(spike) && t.Before(spike.Add(10*time.Minute)) {
				cpu = 95
			}
			requests[h] += float64(100 * (i + 1) * 10) // 100, 200, 300 requests a second
			if h == "web-3" && t.Equal(reset) {
				requests[h] = 0 // the process restarted: the counter reset
			}
			lbl := Labels{"host": h}
			batch = append(batch, Sample{"cpu_percent", lbl, t.UnixMilli(), math.Round(cpu*10) / 10},
				Sample{"requests_total", lbl, t.UnixMilli(), requests[h]})
		}
		if err := db.Write(batch); err != nil {
			return err
		}
		scrapes++
		if t.Unix()%30 == 0 { // rules are evaluated every 30 seconds
			n, err := alerter.Eval(t)
			if err != nil {
				return err
			}
			fired = append(fired, n...)
		}
	}
	series, samples, bytes, _ := db.Stats()
	fmt.Fprintf(w, "%d scrapes of %d series: %d samples in Gorilla chunks, %.2f bytes a sample (16 uncompressed)\n",
		scrapes, series, samples, float64(bytes)/float64(samples))
	for _, n := range fired {
		state := "FIRING"
		if !n.Firing {
			state = "resolved"
		}
		fmt.Fprintf(w, "alert %s %s %s at %s (1m avg %.1f; spike began %s)\n", n.Rule, state, n.Series, n.At.Format("15:04:05"), n.Value, spike.Format("15:04:05"))
	}
	if len(fired) != 2 || fired[0].Series != `cpu_percent{host="web-2"}` || !fired[0].Firing || fired[1].Firing {
		return fmt.Errorf("metrics: notifications %+v; want web-2 firing once, then resolved", fired)
	}

	rates, err := db.Query("requests_total", nil, end.Add(-time.Hour), end, 20*time.Minute, "rate")
	if err != nil {
		return err
	}
	for _, s := range rates {
		fmt.Fprintf(w, "rate(%s) over the last hour, per 20m: %v\n", s.Key, values(s.Points))
	}
	fmt.Fprintf(w, "(web-3's counter reset at %s counts as a restart from zero, not a drop)\n", reset.Format("15:04"))

	before, err := db.Query("cpu_percent", Labels{"host": "web-1"}, start, start.Add(time.Hour), 15*time.Minute, "avg")
	if err != nil {
		return err
	}
	folded, err := db.Downsample(end)
	if err != nil {
		return err
	}
	after, err := db.Query("cpu_percent", Labels{"host": "web-1"}, start, start.Add(time.Hour), 15*time.Minute, "avg")
	if err != nil {
		return err
	}
	_, samples2, bytes2, rollups := db.Stats()
	fmt.Fprintf(w, "downsampled %d samples older than 1h into %d one-minute rollups; raw data now %d samples, %d bytes\n", folded, rollups, samples2, bytes2)
	if !sameValues(before, after) {
		return fmt.Errorf("metrics: averages changed by downsampling: %v vs %v", before, after)
	}
	fmt.Fprintf(w, "web-1 cpu 15m averages of the first hour, from raw then from rollups: %v = %v\n", values(before[0].Points), values(after[0].Points))

	if err := db.Close(); err != nil {
		return err
	}
	if db, err = Open(dir, opts); err != nil {
		return err
	}
	again, err := db.Query("cpu_percent", Labels{"host": "web-1"}, start, start.Add(time.Hour), 15*time.Minute, "avg")
	if err != nil {
		return err
	}
	rates2, err := db.Query("requests_total", nil, end.Add(-time.Hour), end, 20*time.Minute, "rate")
	if err != nil {
		return err
	}
	if !sameValues(after, again) || !sameValues(rates, rates2) {
		return errors.New("metrics: answers changed across a reopen")
	}
	fmt.Fprintln(w, "reopened from the sample and rollup logs: the same answers")
	return nil
}

func values(ps []Point) []float64 {
	out := make([]float64, len(ps))
	for i, p := range ps {
		out[i] = math.Round(p.V*100) / 100
	}
	return out
}

func sameValues(a, b []Series) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || len(a[i].Points) != len(b[i].Points) {
			return false
		}
		for j, p := range a[i].Points {
			if q := b[i].Points[j]; p.T != q.T || math.Abs(p.V-q.V) > 1e-9*math.Max(1, math.Abs(p.V)) {
				return false
			}
		}
	}
	return true
}
