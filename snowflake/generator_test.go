package snowflake

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeClock is a manual clock; Sleep advances it, as if the sleeper waited.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps int
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps++
	c.t = c.t.Add(d)
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *fakeClock) Sleeps() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sleeps
}

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func mustNew(t *testing.T, cfg Config) *Generator {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return g
}

func mustNext(t *testing.T, g *Generator) ID {
	t.Helper()
	id, err := g.Next()
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return id
}

func TestConfigErrors(t *testing.T) {
	bad := Classic()
	bad.SequenceBits = 13
	tests := []struct {
		name string
		cfg  Config
		want error
	}{
		{"bits sum to 64", Config{Layout: bad}, ErrLayout},
		{"machine too big", Config{Machine: 32}, ErrConfig},
		{"negative datacenter", Config{Datacenter: -1}, ErrConfig},
		{"negative lead", Config{MaxLead: -time.Second}, ErrConfig},
		{"epoch in the future", Config{Layout: Layout{TimeBits: 41, MachineBits: 10, SequenceBits: 12, Unit: time.Millisecond, Epoch: time.Now().Add(time.Hour)}}, ErrConfig},
		{"layout ended", Config{Layout: Layout{ReservedBits: 20, TimeBits: 21, MachineBits: 10, SequenceBits: 12, Unit: time.Millisecond, Epoch: TwitterEpoch}}, ErrTimeOverflow},
	}
	for _, tt := range tests {
		if _, err := New(tt.cfg); !errors.Is(err, tt.want) {
			t.Errorf("%s: New error = %v; want %v", tt.name, err, tt.want)
		}
	}
}

func TestLayoutValidate(t *testing.T) {
	for _, l := range []Layout{Classic(), JSSafe()} {
		if err := l.Validate(); err != nil {
			t.Errorf("preset %+v: %v", l, err)
		}
	}
	bad := []Layout{
		{TimeBits: 41, MachineBits: 10, SequenceBits: 11, Unit: time.Millisecond, Epoch: TwitterEpoch},                     // 62 bits
		{TimeBits: 41, MachineBits: 10, SequenceBits: 0, Unit: time.Millisecond, Epoch: TwitterEpoch},                      // no sequence
		{TimeBits: 41, MachineBits: 10, SequenceBits: 12, Unit: time.Nanosecond, Epoch: TwitterEpoch},                      // unit too fine
		{TimeBits: 41, MachineBits: 10, SequenceBits: 12, Unit: time.Millisecond},                                          // no epoch
		{TimeBits: 42, MachineBits: -1, SequenceBits: 12, DatacenterBits: 10, Unit: time.Millisecond, Epoch: TwitterEpoch}, // negative
	}
	for _, l := range bad {
		if err := l.Validate(); !errors.Is(err, ErrLayout) {
			t.Errorf("Validate(%+v) = %v; want ErrLayout", l, err)
		}
	}
}

func TestDecodeComposeRoundTrip(t *testing.T) {
	clk := newFakeClock(t0)
	g := mustNew(t, Config{Datacenter: 3, Machine: 17, Clock: clk})
	id := mustNext(t, g)
	p := g.Decode(id)
	if !p.Time.Equal(t0) || p.Datacenter != 3 || p.Machine != 17 || p.Sequence != 0 {
		t.Fatalf("Decode(%d) = %+v; want time %v, datacenter 3, machine 17, sequence 0", id, p, t0)
	}
	if got := g.Layout().Compose(p); got != id {
		t.Fatalf("Compose(Decode(%d)) = %d", id, got)
	}
	if first := g.Layout().FirstAt(t0); first > id || g.Layout().FirstAt(t0.Add(time.Millisecond)) <= id {
		t.Fatalf("FirstAt does not bound id %d", id)
	}
	if !g.Layout().Valid(id) || JSSafe().Valid(id) || Classic().Valid(-1) {
		t.Fatal("Valid gives wrong answers")
	}
}

func TestSequenceExhaustionWaitsForNextTick(t *testing.T) {
	clk := newFakeClock(t0)
	g := mustNew(t, Config{Clock: clk})
	var last ID
	for i := 0; i < 4096; i++ {
		id := mustNext(t, g)
		if id <= last {
			t.Fatalf("id %d not above %d", id, last)
		}
		last = id
	}
	if clk.Sleeps() != 0 {
		t.Fatalf("slept %d times within one tick's 4,096 IDs", clk.Sleeps())
	}
	id := mustNext(t, g)
	p := g.Decode(id)
	if clk.Sleeps() != 1 || p.Sequence != 0 || !p.Time.Equal(t0.Add(time.Millisecond)) {
		t.Fatalf("4,097th id: sleeps %d, parts %+v; want one sleep, sequence 0 of the next millisecond", clk.Sleeps(), p)
	}
}

func TestClockBackwardsSmallStepWaits(t *testing.T) {
	clk := newFakeClock(t0)
	g := mustNew(t, Config{Clock: clk})
	first := mustNext(t, g)
	clk.Add(-5 * time.Millisecond)
	prev := first
	for i := 0; i < 5000; i++ { // more than one tick's worth: must wait out the step
		id := mustNext(t, g)
		if id <= prev {
			t.Fatalf("duplicate or decreasing id after clock step: %d after %d", id, prev)
		}
		prev = id
	}
	if clk.Sleeps() == 0 {
		t.Fatal("no wait after the clock moved back and the tick was used up")
	}
}

func TestClockBackwardsLargeStepErrors(t *testing.T) {
	clk := newFakeClock(t0)
	g := mustNew(t, Config{Clock: clk})
	seen := map[ID]bool{mustNext(t, g): true}
	clk.Add(-time.Second)
	var err error
	for i := 0; i < 5000 && err == nil; i++ {
		var id ID
		id, err = g.Next()
		if err == nil {
			if seen[id] {
				t.Fatalf("duplicate id %d", id)
			}
			seen[id] = true
		}
	}
	if !errors.Is(err, ErrClockMovedBackwards) {
		t.Fatalf("after a 1s step back: error %v; want ErrClockMovedBackwards", err)
	}
	if len(seen) != 4096 {
		t.Fatalf("issued %d ids before failing; want the rest of the last tick (4,096 in all)", len(seen))
	}
	clk.Add(time.Second) // the clock recovers: IDs resume
	if id := mustNext(t, g); seen[id] {
		t.Fatalf("duplicate id %d after recovery", id)
	}
}

func TestBorrowingStaysWithinLead(t *testing.T) {
	l := Layout{TimeBits: 41, MachineBits: 18, SequenceBits: 4, Unit: time.Millisecond, Epoch: TwitterEpoch}
	clk := newFakeClock(t0)
	g := mustNew(t, Config{Layout: l, Clock: clk, MaxLead: 10 * time.Millisecond})
	// 16 per tick, the current tick plus 10 borrowed: 176 IDs without waiting.
	var last ID
	for i := 0; i < 176; i++ {
		last = mustNext(t, g)
		if lead := g.Decode(last).Time.Sub(clk.Now()); lead > 10*time.Millisecond {
			t.Fatalf("id %d is %v ahead of the clock; MaxLead is 10ms", i, lead)
		}
	}
	if clk.Sleeps() != 0 {
		t.Fatalf("slept %d times within the lead", clk.Sleeps())
	}
	next := mustNext(t, g)
	if next <= last || clk.Sleeps() != 1 {
		t.Fatalf("177th id %d (last %d), sleeps %d; want one wait", next, last, clk.Sleeps())
	}
	if lead := g.Decode(next).Time.Sub(clk.Now()); lead > 10*time.Millisecond {
		t.Fatalf("after waiting, id is %v ahead", lead)
	}
}

func TestRandomStartSpreadsShards(t *testing.T) {
	clk := newFakeClock(t0)
	g := mustNew(t, Config{Clock: clk, RandomStart: true, Seed: 42})
	plain := mustNew(t, Config{Clock: clk})
	const shards, n = 8, 8000
	var counts, plainCounts [shards]int
	for i := 0; i < n; i++ { // low traffic: one ID per tick
		id := mustNext(t, g)
		if seq := g.Decode(id).Sequence; seq >= 2048 {
			t.Fatalf("first sequence %d of a tick is not in the lower half", seq)
		}
		counts[id%shards]++
		plainCounts[mustNext(t, plain)%shards]++
		clk.Add(time.Millisecond)
	}
	for s, c := range counts {
		if c < n/shards*8/10 || c > n/shards*12/10 {
			t.Errorf("shard %d got %d of %d ids; want within 20%% of %d", s, c, n, n/shards)
		}
	}
	if plainCounts[0] != n {
		t.Errorf("without RandomStart shard 0 got %d of %d (the problem RandomStart solves)", plainCounts[0], n)
	}
}

type countingHighWater struct {
	FileHighWater
	stores int
}

func (c *countingHighWater) Store(t time.Time) error { c.stores++; return c.FileHighWater.Store(t) }

func TestHighWaterSurvivesRestartWithClockBehind(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mark")
	hw := &countingHighWater{FileHighWater: FileHighWater{Path: path}}
	clk := newFakeClock(t0)
	g := mustNew(t, Config{Clock: clk, HighWater: hw})
	var issued []ID
	for i := 0; i < 3000; i++ {
		issued = append(issued, mustNext(t, g))
		clk.Add(time.Millisecond)
	}
	// 3s of IDs with a 1s window: a store at start and one per second.
	if hw.stores < 3 || hw.stores > 4 {
		t.Fatalf("%d stores for 3s of IDs with a 1s window; want 3 or 4", hw.stores)
	}
	maxIssued := slices.Max(issued)

	// Restart with the clock 4s behind the mark: refuse rather than risk a duplicate.
	behind := newFakeClock(t0)
	if _, err := New(Config{Clock: behind, HighWater: FileHighWater{Path: path}}); !errors.Is(err, ErrClockMovedBackwards) {
		t.Fatalf("restart 4s behind the mark: %v; want ErrClockMovedBackwards", err)
	}
	// Restart with the clock slightly behind the mark: wait, then continue above.
	slightly := newFakeClock(t0.Add(3*time.Second - 200*time.Millisecond))
	g2 := mustNew(t, Config{Clock: slightly, HighWater: FileHighWater{Path: path}})
	if id := mustNext(t, g2); id <= maxIssued {
		t.Fatalf("after restart: id %d not above %d issued before", id, maxIssued)
	}
	if slightly.Sleeps() != 1 {
		t.Fatalf("restart slept %d times; want 1", slightly.Sleeps())
	}
}

func TestHighWaterCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mark")
	if err := os.WriteFile(path, []byte("not a number"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{HighWater: FileHighWater{Path: path}}); !errors.Is(err, ErrHighWater) {
		t.Fatalf("corrupt mark: %v; want ErrHighWater", err)
	}
}

type flag struct{ ok bool }

func (f *flag) Valid() bool { return f.ok }

func TestGuard(t *testing.T) {
	f := &flag{ok: true}
	g := mustNew(t, Config{Guard: f})
	mustNext(t, g)
	f.ok = false
	if _, err := g.Next(); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("Next with an invalid guard: %v; want ErrLeaseLost", err)
	}
}

func TestConcurrentGeneratorsNeverDuplicate(t *testing.T) {
	const gens, workers, per = 3, 4, 5000
	var mu sync.Mutex
	seen := make(map[ID]bool, gens*workers*per)
	var wg sync.WaitGroup
	for m := 0; m < gens; m++ {
		g := mustNew(t, Config{Machine: int64(m)})
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ids := make([]ID, 0, per)
				for i := 0; i < per; i++ {
					id, err := g.Next()
					if err != nil {
						t.Error(err)
						return
					}
					if len(ids) > 0 && id <= ids[len(ids)-1] {
						t.Errorf("ids not increasing within a goroutine: %d after %d", id, ids[len(ids)-1])
						return
					}
					ids = append(ids, id)
				}
				mu.Lock()
				defer mu.Unlock()
				for _, id := range ids {
					if seen[id] {
						t.Errorf("duplicate id %d", id)
					}
					seen[id] = true
				}
			}()
		}
	}
	wg.Wait()
	if len(seen) != gens*workers*per {
		t.Fatalf("got %d distinct ids; want %d", len(seen), gens*workers*per)
	}
}

func TestNextDoesNotAllocate(t *testing.T) {
	g := mustNew(t, Config{MaxLead: time.Second})
	if a := testing.AllocsPerRun(1000, func() { _, _ = g.Next() }); a != 0 {
		t.Fatalf("Next allocates %v times; want 0", a)
	}
}

func TestAppendNMatchesNext(t *testing.T) {
	l := Layout{TimeBits: 41, MachineBits: 18, SequenceBits: 4, Unit: time.Millisecond, Epoch: TwitterEpoch}
	clkA, clkB := newFakeClock(t0), newFakeClock(t0)
	a := mustNew(t, Config{Layout: l, Clock: clkA, Machine: 9, MaxLead: 3 * time.Millisecond})
	b := mustNew(t, Config{Layout: l, Clock: clkB, Machine: 9, MaxLead: 3 * time.Millisecond})
	got, err := a.AppendN(nil, 100) // 16 per tick: spans borrowed ticks and waits
	if err != nil {
		t.Fatal(err)
	}
	var want []ID
	for range 100 {
		want = append(want, mustNext(t, b))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("AppendN(100) = %v\nwant the same as 100 Next calls: %v", got, want)
	}
	if a := testing.AllocsPerRun(100, func() { got, _ = a.AppendN(got[:0], 50) }); a != 0 {
		t.Fatalf("AppendN into a big enough slice allocates %v times", a)
	}
}

// TestSystemClockTimestamps checks the default clock's path, which reads
// elapsed time from the monotonic clock alone: an ID carries the wall time
// of its call, to the millisecond, and IDs taken after a pause carry a
// time at least that much later.
func TestSystemClockTimestamps(t *testing.T) {
	g := mustNew(t, Config{})
	before := time.Now()
	id, err := g.Next()
	after := time.Now()
	if err != nil {
		t.Fatal(err)
	}
	got := g.Decode(id).Time
	if got.Before(before.Add(-time.Millisecond)) || got.After(after.Add(time.Millisecond)) {
		t.Fatalf("ID time %v outside the call's [%v, %v]", got, before, after)
	}
	time.Sleep(20 * time.Millisecond)
	id2, err := g.Next()
	if err != nil {
		t.Fatal(err)
	}
	if d := g.Decode(id2).Time.Sub(got); d < 19*time.Millisecond {
		t.Fatalf("after a 20ms pause the next ID is only %v later", d)
	}
}
