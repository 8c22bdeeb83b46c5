// Package uniqueid is the unique ID generator system: several snowflake
// generators, each with its own machine ID, issue IDs from many goroutines
// at once. The run checks that no ID repeats, that each goroutine's IDs
// increase, that ID order is time order, decodes a few IDs, reports the rate
// achieved against the layout's ceiling, and restarts a generator from its
// high-water mark to show it continues above everything issued before.
//
//	go run ./examples/tour uniqueid [-generators 3] [-workers 4] [-ids 100000]
package uniqueid

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/sysdesign-go/sysdesign/snowflake"
)

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("uniqueid", flag.ContinueOnError)
	fs.SetOutput(w)
	gens := fs.Int("generators", 3, "generators, each with its own machine id")
	workers := fs.Int("workers", 4, "goroutines per generator")
	perGen := fs.Int("ids", 100_000, "ids per generator")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *gens < 1 || *gens > 32 || *workers < 1 || *perGen < *workers {
		return errors.New("uniqueid: need 1-32 generators, at least one worker and at least one id per worker")
	}
	dir, err := os.MkdirTemp("", "uniqueid")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	layout := snowflake.Classic()
	generators := make([]*snowflake.Generator, *gens)
	for i := range generators {
		generators[i], err = snowflake.New(snowflake.Config{
			Datacenter:      1,
			Machine:         int64(i),
			HighWater:       snowflake.FileHighWater{Path: filepath.Join(dir, fmt.Sprintf("machine-%d.hw", i))},
			HighWaterWindow: 250 * time.Millisecond,
		})
		if err != nil {
			return err
		}
	}

	// Every goroutine keeps its IDs in issue order.
	per := *perGen / *workers
	batches := make([][]snowflake.ID, *gens**workers)
	errs := make(chan error, len(batches))
	start := time.Now()
	var wg sync.WaitGroup
	for gi, g := range generators {
		for wi := 0; wi < *workers; wi++ {
			wg.Add(1)
			go func(slot int) {
				defer wg.Done()
				ids := make([]snowflake.ID, 0, per)
				for len(ids) < per {
					if ctx.Err() != nil {
						errs <- ctx.Err()
						return
					}
					id, err := g.Next()
					if err != nil {
						errs <- err
						return
					}
					ids = append(ids, id)
				}
				batches[slot] = ids
			}(gi**workers + wi)
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return err
	}

	// Check: no duplicates, per-goroutine increase, ID order is time order.
	var all []snowflake.ID
	for _, ids := range batches {
		for i := 1; i < len(ids); i++ {
			if ids[i] <= ids[i-1] {
				return fmt.Errorf("uniqueid: ids not increasing within a goroutine: %d after %d", ids[i], ids[i-1])
			}
		}
		all = append(all, ids...)
	}
	slices.Sort(all)
	dups := 0
	for i := 1; i < len(all); i++ {
		if all[i] == all[i-1] {
			dups++
		}
		if layout.Decode(all[i]).Time.Before(layout.Decode(all[i-1]).Time) {
			return fmt.Errorf("uniqueid: id %d sorts after %d but is older", all[i], all[i-1])
		}
	}
	rate := float64(len(all)) / elapsed.Seconds()
	fmt.Fprintf(w, "%d generators x %d goroutines issued %d ids in %v: %.2fM ids/s (layout ceiling %.2fM/s per generator, %.2fM/s in all)\n",
		*gens, *workers, len(all), elapsed.Round(time.Millisecond), rate/1e6, layout.Capacity()/1e6, layout.Capacity()*float64(*gens)/1e6)
	fmt.Fprintf(w, "duplicates: %d; every goroutine's ids strictly increasing; id order is time order\n", dups)
	if dups > 0 {
		return fmt.Errorf("uniqueid: %d duplicate ids", dups)
	}

	fmt.Fprintf(w, "%-20s %-24s %3s %7s %5s %s\n", "id", "time (UTC)", "dc", "machine", "seq", "base62")
	for _, i := range []int{0, len(all) / 2, len(all) - 1} {
		id := all[i]
		p := layout.Decode(id)
		fmt.Fprintf(w, "%-20d %-24s %3d %7d %5d %s\n", id, p.Time.Format("2006-01-02T15:04:05.000Z"), p.Datacenter, p.Machine, p.Sequence, id.Base62())
	}

	// Restart generator 0 from its high-water mark: it must continue above
	// every id it issued, even though its clock may be behind the mark.
	before := slices.Max(batches[0])
	restarted, err := snowflake.New(snowflake.Config{
		Datacenter: 1, Machine: 0,
		HighWater:       snowflake.FileHighWater{Path: filepath.Join(dir, "machine-0.hw")},
		HighWaterWindow: 250 * time.Millisecond,
	})
	if err != nil {
		return err
	}
	after, err := restarted.Next()
	if err != nil {
		return err
	}
	if after <= before {
		return fmt.Errorf("uniqueid: restarted generator issued %d, not above %d", after, before)
	}
	fmt.Fprintf(w, "restart of machine 0 from its high-water mark: first id %d > last before restart %d\n", after, before)
	return nil
}
