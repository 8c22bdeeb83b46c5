// Package hotel is the hotel reservation system: inventory counted per
// room type and night in an LSM tree (lsm), reservations made under a
// client-chosen ID so a resubmitted form books once, a lock per room type
// so the last room cannot be sold twice, a little overbooking, and
// cancellations that free rooms.
//
// The run sends a crowd after the last suites, resubmits forms, books and
// cancels at random from many goroutines, reopens the store, and checks
// that every night's count equals the reservations holding it and never
// exceeds the rooms plus overbooking.
//
//	go run ./examples/tour hotel [-requests 1000]
package hotel

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("hotel", flag.ContinueOnError)
	fs.SetOutput(w)
	requests := fs.Int("requests", 1000, "random booking requests")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *requests < 10 || *requests > 1_000_000 {
		return errors.New("hotel: -requests must be 10-1000000")
	}
	dir, err := os.MkdirTemp("", "hotel")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	svc, err := Open(dir, 10)
	if err != nil {
		return err
	}
	defer func() { svc.Close() }()
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	rooms := map[string]int{"standard": 40, "deluxe": 10, "suite": 3}
	for t, n := range rooms {
		if err := svc.AddRooms(t, n, start, 60); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "rooms: %v for 60 nights from %s, 10%% overbooking\n", rooms, start.Format(time.DateOnly))

	// 100 guests race for the suites on New Year's Eve.
	nye := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	var won, lost atomic.Int64
	var wg sync.WaitGroup
	for g := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := svc.Reserve(fmt.Sprintf("nye-%d", g), Stay{RoomType: "suite", CheckIn: nye, Nights: 1, Rooms: 1, Guest: fmt.Sprint("guest ", g)})
			switch {
			case err == nil:
				won.Add(1)
			case errors.Is(err, ErrSoldOut):
				lost.Add(1)
			}
		}()
	}
	wg.Wait()
	_, sold, err := svc.Night("suite", nye)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "100 guests book a suite for New Year's Eve at once: %d succeed, %d are told it is sold out; the night counts %d of 3 suites\n", won.Load(), lost.Load(), sold)

	// Forms submitted twice (a double click, a retry after a timeout).
	for g := range 30 {
		stay := Stay{RoomType: "standard", CheckIn: start.AddDate(0, 0, 3), Nights: 2, Rooms: 1, Guest: fmt.Sprint("guest ", g)}
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				svc.Reserve(fmt.Sprintf("form-%d", g), stay)
			}()
		}
	}
	wg.Wait()
	count := 0
	if err := svc.Reservations(func(r Reservation) bool {
		if r.RoomType == "standard" && r.CheckIn.Equal(start.AddDate(0, 0, 3)) {
			count++
		}
		return true
	}); err != nil {
		return err
	}
	fmt.Fprintf(w, "30 booking forms for standard rooms, each submitted twice at once: %d reservations\n", count)
	if count != 30 {
		return fmt.Errorf("hotel: %d reservations from 30 forms", count)
	}

	// Random load: bookings and cancellations from 8 goroutines.
	var booked, soldOut, canceled atomic.Int64
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 7))
			var mine []string
			for i := g; i < *requests; i += 8 {
				if len(mine) > 0 && r.IntN(5) == 0 {
					if svc.Cancel(mine[0]) == nil {
						canceled.Add(1)
					}
					mine = mine[1:]
					continue
				}
				types := []string{"standard", "deluxe", "suite"}
				id := fmt.Sprintf("r-%d", i)
				_, err := svc.Reserve(id, Stay{RoomType: types[r.IntN(3)], CheckIn: start.AddDate(0, 0, r.IntN(50)),
					Nights: 1 + r.IntN(5), Rooms: 1 + r.IntN(2), Guest: "g"})
				switch {
				case err == nil:
					booked.Add(1)
					mine = append(mine, id)
				case errors.Is(err, ErrSoldOut):
					soldOut.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	fmt.Fprintf(w, "%d random requests from 8 goroutines: %d booked, %d sold out, %d canceled\n", *requests, booked.Load(), soldOut.Load(), canceled.Load())

	if err := svc.Close(); err != nil {
		return err
	}
	if svc, err = Open(dir, 10); err != nil {
		return err
	}
	nights, err := audit(svc, rooms, start, 60)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "after reopening: %d room-nights audited, each count equals its reservations and stays within rooms + 10%%\n", nights)
	return nil
}

// audit recomputes every night's reserved rooms from the reservations and
// compares it with the stored counters and the limit.
func audit(svc *Service, rooms map[string]int, start time.Time, nights int) (int, error) {
	want := map[string]int{}
	if err := svc.Reservations(func(r Reservation) bool {
		if !r.Canceled {
			for n := range r.Nights {
				want[r.RoomType+" "+r.CheckIn.AddDate(0, 0, n).Format(time.DateOnly)] += r.Rooms
			}
		}
		return true
	}); err != nil {
		return 0, err
	}
	checked := 0
	for t, total := range rooms {
		for n := range nights {
			day := start.AddDate(0, 0, n)
			got, reserved, err := svc.Night(t, day)
			if err != nil {
				return 0, err
			}
			if got != total || reserved != want[t+" "+day.Format(time.DateOnly)] || reserved > total*110/100 {
				return 0, fmt.Errorf("hotel: %s on %s: %d of %d reserved, reservations hold %d", t, day.Format(time.DateOnly), reserved, got, want[t+" "+day.Format(time.DateOnly)])
			}
			checked++
		}
	}
	return checked, nil
}
