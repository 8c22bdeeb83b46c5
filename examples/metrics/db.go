package metrics

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sysdesign-go/sysdesign/internal/varint"
	"github.com/sysdesign-go/sysdesign/wal"
)

// Labels identify a series within a metric, e.g. {host="web-1"}.
type Labels map[string]string

// Sample is one measurement.
type Sample struct {
	Metric string
	Labels Labels
	T      int64 // Unix milliseconds
	V      float64
}

// Options configure a DB.
type Options struct {
	// RawRetention is how long raw samples are kept; Downsample folds older
	// ones into rollups. Default 1h.
	RawRetention time.Duration
	// RollupStep is the width of a rollup bucket. Default 1m.
	RollupStep time.Duration
	// RollupRetention is how long rollups are kept. Default 30 days.
	RollupRetention time.Duration
}

// ErrCorrupt is matched by errors about log records that do not decode.
var ErrCorrupt = errors.New("metrics: corrupt record")

// DB is a small time-series database: writes go to a write-ahead log (wal)
// before memory, samples are kept per series in Gorilla-compressed chunks
// of up to 120 samples, and Downsample replaces raw samples past their
// retention with per-step rollups (min, max, sum, count), themselves
// logged, so a restart rebuilds the same state from the two logs.
//
// A DB is safe for concurrent use.
type DB struct {
	opts    Options
	samples *wal.Log // batches of raw samples
	rollups *wal.Log // rollup buckets as Downsample makes them

	mu     sync.RWMutex
	series map[string]*series

	Rejected int // out-of-order samples refused (guarded by mu)
}

type series struct {
	metric string
	labels Labels
	sealed []sealed // full raw chunks, oldest first
	head   chunk
	headT0 int64
	rolled []rollup // ascending start
	folded int64    // samples before this time are in rollups, the rest raw
	seen   bool     // any sample yet; last is the newest time
	last   int64
}

type sealed struct {
	t0, t1 int64 // first and last timestamps
	n      int
	b      []byte
}

type rollup struct {
	start         int64
	min, max, sum float64
	count         int64
}

const chunkSamples = 120

// Open opens the database in dir and replays its logs.
func Open(dir string, opts Options) (*DB, error) {
	if opts.RawRetention == 0 {
		opts.RawRetention = time.Hour
	}
	if opts.RollupStep == 0 {
		opts.RollupStep = time.Minute
	}
	if opts.RollupRetention == 0 {
		opts.RollupRetention = 30 * 24 * time.Hour
	}
	if opts.RollupStep < time.Second || opts.RawRetention < opts.RollupStep || opts.RollupRetention < opts.RawRetention {
		return nil, fmt.Errorf("metrics: invalid options %+v", opts)
	}
	db := &DB{opts: opts, series: map[string]*series{}}
	var err error
	if db.rollups, err = wal.Open(filepath.Join(dir, "rollups"), nil); err != nil {
		return nil, err
	}
	if db.samples, err = wal.Open(filepath.Join(dir, "samples"), nil); err != nil {
		db.rollups.Close()
		return nil, err
	}
	if err := db.replay(); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the logs.
func (db *DB) Close() error { return errors.Join(db.samples.Close(), db.rollups.Close()) }

func (db *DB) replay() error {
	r := db.rollups.NewReader(db.rollups.FirstIndex())
	for i, rec := range r.All() {
		key, ro, folded, err := decodeRollup(rec)
		if err != nil {
			return fmt.Errorf("metrics: rollup record %d: %w", i, err)
		}
		s := db.get(key)
		if n := len(s.rolled); n == 0 || s.rolled[n-1].start < ro.start {
			s.rolled = append(s.rolled, ro)
		}
		s.folded = max(s.folded, folded)
	}
	if err := r.Err(); err != nil {
		return err
	}
	r = db.samples.NewReader(db.samples.FirstIndex())
	for i, rec := range r.All() {
		batch, err := decodeBatch(rec)
		if err != nil {
			return fmt.Errorf("metrics: sample record %d: %w", i, err)
		}
		db.apply(batch, true)
	}
	return r.Err()
}

// key is the canonical name of a series: metric{k1="v1",k2="v2"}.
func key(metric string, labels Labels) string {
	names := make([]string, 0, len(labels))
	for k := range labels {
		names = append(names, k)
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString(metric)
	b.WriteByte('{')
	for i, k := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", k, labels[k])
	}
	b.WriteByte('}')
	return b.String()
}

// get returns the series for key, creating it; the caller holds mu (or is
// replaying).
func (db *DB) get(k string) *series {
	s := db.series[k]
	if s == nil {
		metric, labels := parseKey(k)
		s = &series{metric: metric, labels: labels}
		db.series[k] = s
	}
	return s
}

func parseKey(k string) (string, Labels) {
	metric, rest, _ := strings.Cut(k, "{")
	labels := Labels{}
	rest = strings.TrimSuffix(rest, "}")
	for rest != "" {
		name, after, _ := strings.Cut(rest, "=")
		q, err := strconv.QuotedPrefix(after)
		if err != nil {
			break // validKey rejects such keys
		}
		labels[name], _ = strconv.Unquote(q)
		rest = strings.TrimPrefix(after[len(q):], ",")
	}
	return metric, labels
}

// validKey reports whether k is the canonical key of some series.
func validKey(k string) bool {
	metric, labels := parseKey(k)
	return metric != "" && key(metric, labels) == k
}

// Write logs samples durably, then adds them. A sample older than its
// series' newest is refused (counted in Rejected), as in Prometheus.
func (db *DB) Write(samples []Sample) error {
	for _, s := range samples {
		if s.Metric == "" || strings.ContainsAny(s.Metric, "{}\"=,") {
			return fmt.Errorf("metrics: invalid metric name %q", s.Metric)
		}
	}
	rec := encodeBatch(samples)
	db.mu.Lock()
	defer db.mu.Unlock()
	// Logging under the lock keeps the log in the order samples were
	// applied, so replay refuses exactly what was refused.
	if _, err := db.samples.Append(rec); err != nil {
		return err
	}
	db.apply(samples, false)
	return nil
}

// apply adds samples to memory. On replay, samples that were downsampled
// since they were logged are skipped silently.
func (db *DB) apply(samples []Sample, replay bool) {
	for _, smp := range samples {
		s := db.get(key(smp.Metric, smp.Labels))
		if smp.T < s.folded {
			if !replay {
				db.Rejected++ // in a downsampled range
			}
			continue
		}
		if s.seen && smp.T < s.last {
			db.Rejected++ // out of order
			continue
		}
		s.seen, s.last = true, smp.T
		s.add(smp.T, smp.V)
	}
}

func (s *series) add(t int64, v float64) {
	if s.head.n == 0 {
		s.headT0 = t
	}
	s.head.append(t, v)
	if s.head.n == chunkSamples {
		s.sealed = append(s.sealed, sealed{t0: s.headT0, t1: s.head.t, n: s.head.n, b: s.head.bytes()})
		s.head = chunk{}
	}
}

// raw returns the raw samples of s in [from, to].
func (s *series) raw(from, to int64) (ts []int64, vs []float64) {
	add := func(t []int64, v []float64) {
		for i := range t {
			if t[i] >= from && t[i] <= to {
				ts, vs = append(ts, t[i]), append(vs, v[i])
			}
		}
	}
	for _, c := range s.sealed {
		if c.t1 < from || c.t0 > to {
			continue
		}
		t, v, _ := decodeChunk(c.b, c.n) // written by us: cannot fail
		add(t, v)
	}
	if s.head.n > 0 && s.head.t >= from && s.headT0 <= to {
		t, v, _ := decodeChunk(s.head.bytes(), s.head.n)
		add(t, v)
	}
	return ts, vs
}

// Downsample folds the raw samples before the rollup step boundary at or
// before now - RawRetention into rollups (whole steps only, so a bucket is
// never split), re-chunks the raw samples left, and drops rollups older
// than now - RollupRetention. It logs the new rollups before changing
// memory, then drops sample batches that hold only downsampled samples.
// It returns how many raw samples it folded.
func (db *DB) Downsample(now time.Time) (int, error) {
	step := db.opts.RollupStep.Milliseconds()
	cutoff := now.Add(-db.opts.RawRetention).UnixMilli() / step * step
	db.mu.Lock()
	defer db.mu.Unlock()
	type change struct {
		s      *series
		rolled []rollup
		keepT  []int64
		keepV  []float64
	}
	var changes []change
	var recs [][]byte
	folded := 0
	for k, s := range db.series {
		if s.folded >= cutoff || !s.seen || s.firstRaw() >= cutoff {
			continue
		}
		ts, vs := s.raw(math.MinInt64, math.MaxInt64)
		c := change{s: s, rolled: slices.Clone(s.rolled)}
		for i, t := range ts {
			if t >= cutoff {
				c.keepT, c.keepV = ts[i:], vs[i:]
				break
			}
			start := t / step * step
			if n := len(c.rolled); n == 0 || c.rolled[n-1].start != start {
				c.rolled = append(c.rolled, rollup{start: start, min: vs[i], max: vs[i]})
			}
			r := &c.rolled[len(c.rolled)-1]
			r.min, r.max, r.sum, r.count = math.Min(r.min, vs[i]), math.Max(r.max, vs[i]), r.sum+vs[i], r.count+1
			folded++
		}
		// Log every new bucket with the series' new fold bound.
		for _, r := range c.rolled[len(s.rolled):] {
			recs = append(recs, encodeRollup(k, r, cutoff))
		}
		changes = append(changes, c)
	}
	if len(recs) > 0 {
		if _, err := db.rollups.AppendBatch(recs); err != nil {
			return 0, err
		}
	}
	keep := now.Add(-db.opts.RollupRetention).UnixMilli()
	for _, c := range changes {
		s := c.s
		s.rolled = slices.DeleteFunc(c.rolled, func(r rollup) bool { return r.start < keep })
		s.folded = cutoff
		s.sealed, s.head = nil, chunk{}
		for i, t := range c.keepT {
			s.add(t, c.keepV[i])
		}
	}
	return folded, db.truncateSamples()
}

// firstRaw returns the time of the oldest raw sample (MaxInt64 if none).
func (s *series) firstRaw() int64 {
	switch {
	case len(s.sealed) > 0:
		return s.sealed[0].t0
	case s.head.n > 0:
		return s.headT0
	}
	return math.MaxInt64
}

// truncateSamples drops the oldest sample batches whose every sample is
// already in a rollup.
func (db *DB) truncateSamples() error {
	first, last := db.samples.FirstIndex(), db.samples.LastIndex()
	i := first
	for ; i <= last; i++ {
		rec, err := db.samples.Read(i)
		if err != nil {
			return err
		}
		batch, err := decodeBatch(rec)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(batch, func(smp Sample) bool { return smp.T >= db.series[key(smp.Metric, smp.Labels)].folded }) {
			break
		}
	}
	if i == first {
		return nil
	}
	return db.samples.TruncateFront(i)
}

// Stats reports sizes: series, raw samples held, the bytes of their
// compressed chunks, and rollup buckets.
func (db *DB) Stats() (series, samples, bytes, rollups int) {
	db.mu.RLock()
	defer db.mu.RUnlock()
	for _, s := range db.series {
		series++
		for _, c := range s.sealed {
			samples += c.n
			bytes += len(c.b)
		}
		samples += s.head.n
		bytes += len(s.head.bytes())
		rollups += len(s.rolled)
	}
	return
}

// Point is one value of a query result.
type Point struct {
	T int64
	V float64
}

// Series is one series of a query result.
type Series struct {
	Key    string
	Points []Point
}

// Query evaluates agg ("avg", "min", "max", "sum", "count", or "rate" for
// counters, per second) over windows of step ending at from+step, ...,
// up to to, for every series of metric whose labels include match. Windows
// older than the raw retention are answered from rollups (rate needs raw
// samples and gives no points there).
func (db *DB) Query(metric string, match Labels, from, to time.Time, step time.Duration, agg string) ([]Series, error) {
	if !slices.Contains([]string{"avg", "min", "max", "sum", "count", "rate"}, agg) {
		return nil, fmt.Errorf("metrics: unknown aggregation %q", agg)
	}
	if step <= 0 || to.Before(from) {
		return nil, fmt.Errorf("metrics: invalid range %v..%v step %v", from, to, step)
	}
	db.mu.RLock()
	defer db.mu.RUnlock()
	var out []Series
	for k, s := range db.series {
		if s.metric != metric || !matches(s.labels, match) {
			continue
		}
		res := Series{Key: k}
		for end := from.Add(step); !end.After(to); end = end.Add(step) {
			lo, hi := end.Add(-step).UnixMilli(), end.UnixMilli()-1
			if v, ok := s.window(lo, hi, agg, db.opts.RollupStep.Milliseconds()); ok {
				res.Points = append(res.Points, Point{hi + 1, v})
			}
		}
		out = append(out, res)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func matches(labels, want Labels) bool {
	for k, v := range want {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// window aggregates [lo, hi] from rollups where they cover it and raw
// samples otherwise.
func (s *series) window(lo, hi int64, agg string, step int64) (float64, bool) {
	var mn, mx, sum float64 = math.Inf(1), math.Inf(-1), 0
	var count int64
	add := func(a, b, c float64, n int64) {
		mn, mx, sum, count = math.Min(mn, a), math.Max(mx, b), sum+c, count+n
	}
	for _, r := range s.rolled {
		if r.start >= lo && r.start+step-1 <= hi {
			add(r.min, r.max, r.sum, r.count)
		}
	}
	ts, vs := s.raw(lo, hi)
	for _, v := range vs {
		add(v, v, v, 1)
	}
	if count == 0 {
		return 0, false
	}
	switch agg {
	case "avg":
		return sum / float64(count), true
	case "min":
		return mn, true
	case "max":
		return mx, true
	case "sum":
		return sum, true
	case "count":
		return float64(count), true
	}
	// rate: the counter's increase per second, counting resets as restarts
	// from zero.
	if len(ts) < 2 {
		return 0, false
	}
	var inc float64
	for i := 1; i < len(vs); i++ {
		if d := vs[i] - vs[i-1]; d >= 0 {
			inc += d
		} else {
			inc += vs[i]
		}
	}
	return inc / (float64(ts[len(ts)-1]-ts[0]) / 1000), true
}

// Log records. A batch: count (uvarint), then per sample: series key
// (uvarint length + bytes), time (varint), value (8B). A rollup: series key,
// start (varint), min, max, sum (8B each), count (uvarint).
func encodeBatch(samples []Sample) []byte {
	b := binary.AppendUvarint(nil, uint64(len(samples)))
	for _, s := range samples {
		k := key(s.Metric, s.Labels)
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendVarint(b, s.T)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(s.V))
	}
	return b
}

func decodeBatch(b []byte) ([]Sample, error) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)) {
		return nil, ErrCorrupt
	}
	b = b[w:]
	out := make([]Sample, 0, n)
	for range n {
		kb, rest, ok := varint.Bytes(b)
		k := string(kb)
		if !ok || !validKey(k) {
			return nil, ErrCorrupt
		}
		t, w := binary.Varint(rest)
		if w <= 0 || len(rest) < w+8 {
			return nil, ErrCorrupt
		}
		metric, labels := parseKey(k)
		out = append(out, Sample{Metric: metric, Labels: labels, T: t, V: math.Float64frombits(binary.LittleEndian.Uint64(rest[w:]))})
		b = rest[w+8:]
	}
	if len(b) != 0 {
		return nil, ErrCorrupt
	}
	return out, nil
}

func encodeRollup(k string, r rollup, folded int64) []byte {
	b := binary.AppendUvarint(nil, uint64(len(k)))
	b = append(b, k...)
	b = binary.AppendVarint(b, folded)
	b = binary.AppendVarint(b, r.start)
	for _, f := range []float64{r.min, r.max, r.sum} {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
	}
	return binary.AppendUvarint(b, uint64(r.count))
}

func decodeRollup(b []byte) (string, rollup, int64, error) {
	kb, rest, ok := varint.Bytes(b)
	k := string(kb)
	if !ok || !validKey(k) {
		return "", rollup{}, 0, ErrCorrupt
	}
	folded, w := binary.Varint(rest)
	if w <= 0 {
		return "", rollup{}, 0, ErrCorrupt
	}
	rest = rest[w:]
	var r rollup
	r.start, w = binary.Varint(rest)
	if w <= 0 || len(rest) < w+24 {
		return "", rollup{}, 0, ErrCorrupt
	}
	rest = rest[w:]
	r.min = math.Float64frombits(binary.LittleEndian.Uint64(rest))
	r.max = math.Float64frombits(binary.LittleEndian.Uint64(rest[8:]))
	r.sum = math.Float64frombits(binary.LittleEndian.Uint64(rest[16:]))
	c, w := binary.Uvarint(rest[24:])
	if w <= 0 || len(rest) != 24+w || c == 0 || c > math.MaxInt64 {
		return "", rollup{}, 0, ErrCorrupt
	}
	r.count = int64(c)
	return k, r, folded, nil
}
