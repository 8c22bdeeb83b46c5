package metrics

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := Run(context.Background(), &out, []string{"-hours", "2"}); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"bytes a sample", "FIRING", "resolved", "counts as a restart", "the same answers"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := Run(context.Background(), new(strings.Builder), []string{"-hours", "1"}); err == nil {
		t.Error("Run accepted 1 hour")
	}
}

func TestChunkRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		var c chunk
		var ts []int64
		var vs []float64
		tm := r.Int64N(1 << 40)
		v := r.NormFloat64()
		for range 1 + r.IntN(150) {
			switch r.IntN(6) {
			case 0:
				tm += r.Int64N(1 << 30) // big gaps
			case 1:
			default:
				tm += 10_000 + r.Int64N(3) - 1 // jittered scrapes
			}
			switch r.IntN(8) {
			case 0:
				v = math.NaN()
			case 1:
				v = math.Inf(1 - 2*r.IntN(2))
			case 2:
				v = r.NormFloat64() * 1e300
			case 3, 4:
			default:
				v += 0.5
			}
			c.append(tm, v)
			ts, vs = append(ts, tm), append(vs, v)
		}
		gt, gv, err := decodeChunk(c.bytes(), c.n)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		for i := range ts {
			if gt[i] != ts[i] || math.Float64bits(gv[i]) != math.Float64bits(vs[i]) {
				t.Fatalf("trial %d sample %d: got %d %v, want %d %v", trial, i, gt[i], gv[i], ts[i], vs[i])
			}
		}
	}
}

func FuzzDecodeChunk(f *testing.F) {
	var c chunk
	for i := range 10 {
		c.append(int64(i*10000), float64(i))
	}
	f.Add(c.bytes(), 10)
	f.Fuzz(func(t *testing.T, b []byte, n int) {
		if n < 0 || n > 1000 {
			return
		}
		ts, vs, err := decodeChunk(b, n)
		if err == nil && (len(ts) != n || len(vs) != n) {
			t.Fatalf("decoded %d samples; asked %d", len(ts), n)
		}
	})
}

func FuzzDecodeRecords(f *testing.F) {
	f.Add(encodeBatch([]Sample{{"m", Labels{"a": "b"}, 5, 1.5}}))
	f.Add(encodeRollup(`m{a="b"}`, rollup{start: 60000, min: 1, max: 2, sum: 3, count: 2}, 120000))
	f.Fuzz(func(t *testing.T, b []byte) {
		if batch, err := decodeBatch(b); err == nil {
			for _, s := range batch {
				if !validKey(key(s.Metric, s.Labels)) {
					t.Fatalf("decoded an invalid series %+v", s)
				}
			}
		}
		decodeRollup(b)
	})
}

func open(t *testing.T, dir string) *DB {
	t.Helper()
	db, err := Open(dir, Options{RawRetention: 10 * time.Minute, RollupStep: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestQueryAggregatesAndRejectsOutOfOrder(t *testing.T) {
	db := open(t, t.TempDir())
	for i := range 12 { // one sample every 10s for 2 minutes: 1..12
		if err := db.Write([]Sample{{"x", Labels{"k": "v"}, t0.Add(time.Duration(i) * 10 * time.Second).UnixMilli(), float64(i + 1)}}); err != nil {
			t.Fatal(err)
		}
	}
	db.Write([]Sample{{"x", Labels{"k": "v"}, t0.UnixMilli(), 99}}) // out of order
	if db.Rejected != 1 {
		t.Errorf("Rejected = %d; want 1", db.Rejected)
	}
	for agg, want := range map[string][]float64{
		"avg": {3.5, 9.5}, "min": {1, 7}, "max": {6, 12}, "sum": {21, 57}, "count": {6, 6}, "rate": {0.1, 0.1},
	} {
		res, err := db.Query("x", Labels{"k": "v"}, t0, t0.Add(2*time.Minute), time.Minute, agg)
		if err != nil || len(res) != 1 {
			t.Fatalf("%s: %v, %v", agg, res, err)
		}
		if got := values(res[0].Points); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("%s = %v; want %v", agg, got, want)
		}
	}
	if res, _ := db.Query("x", Labels{"k": "other"}, t0, t0.Add(time.Minute), time.Minute, "avg"); len(res) != 0 {
		t.Errorf("label mismatch matched %v", res)
	}
	if _, err := db.Query("x", nil, t0, t0.Add(time.Minute), time.Minute, "median"); err == nil {
		t.Error("unknown aggregation accepted")
	}
	if err := db.Write([]Sample{{"bad{name", nil, 1, 1}}); err == nil {
		t.Error("metric name with a brace accepted")
	}
}

func TestDownsampleKeepsAnswersAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	r := rand.New(rand.NewPCG(3, 3))
	for i := range 360 { // one hour at 10s
		tm := t0.Add(time.Duration(i) * 10 * time.Second).UnixMilli()
		if err := db.Write([]Sample{
			{"cpu", Labels{"h": "a"}, tm, math.Round(r.Float64() * 100)},
			{"cpu", Labels{"h": "b\"q"}, tm, float64(i % 7)},
		}); err != nil {
			t.Fatal(err)
		}
	}
	end := t0.Add(time.Hour)
	query := func(db *DB) []Series {
		res, err := db.Query("cpu", nil, t0, end, 5*time.Minute, "avg")
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	before := query(db)
	folded, err := db.Downsample(end)
	if err != nil || folded != 2*300 {
		t.Fatalf("Downsample = %d, %v; want the 600 samples older than 10 minutes", folded, err)
	}
	if _, err := db.Downsample(end); err != nil {
		t.Fatal(err)
	}
	if !sameValues(before, query(db)) {
		t.Error("downsampling changed 5-minute averages")
	}
	if db.samples.FirstIndex() == 1 {
		t.Error("no sample batch was truncated")
	}
	db.Write([]Sample{{"cpu", Labels{"h": "a"}, t0.UnixMilli(), 1}}) // in the downsampled range
	if db.Rejected != 1 {
		t.Errorf("a sample in a downsampled range: Rejected = %d", db.Rejected)
	}
	db.Close()
	db2 := open(t, dir)
	if !sameValues(before, query(db2)) {
		t.Error("answers changed across a reopen")
	}
}

func TestAlertGoesPendingFiresOnceAndResolves(t *testing.T) {
	db := open(t, t.TempDir())
	a, err := NewAlerter(db, []Rule{{Name: "Low", Metric: "disk_free", Agg: "min", Window: time.Minute, Threshold: 10, Below: true, For: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	var log []string
	for i := range 40 {
		now := t0.Add(time.Duration(i) * 10 * time.Second)
		v := 50.0
		if i >= 10 && i < 25 {
			v = 5
		}
		db.Write([]Sample{{"disk_free", Labels{"host": "x"}, now.UnixMilli(), v}})
		ns, err := a.Eval(now.Add(time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns {
			log = append(log, n.At.Sub(t0).String()+map[bool]string{true: " firing", false: " resolved"}[n.Firing])
		}
	}
	// Low from 100s: pending at 100s, firing once that has held a minute
	// (160s); resolved when the last low sample (240s) leaves the 1-minute
	// window.
	if len(log) != 2 || !strings.HasSuffix(log[0], "firing") || !strings.HasSuffix(log[1], "resolved") || log[0] != "2m40.001s firing" {
		t.Errorf("notifications %v", log)
	}
	if _, err := NewAlerter(db, []Rule{{Name: "x", Metric: "m", Agg: "p99", Window: time.Minute}}); err == nil {
		t.Error("a rule with an unknown aggregation was accepted")
	}
}
