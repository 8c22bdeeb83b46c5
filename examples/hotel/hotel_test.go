package hotel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := Run(context.Background(), &out, []string{"-requests", "200"}); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"3 succeed, 97 are told it is sold out", "each submitted twice at once: 30 reservations", "room-nights audited"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := Run(context.Background(), new(strings.Builder), []string{"-requests", "0"}); err == nil {
		t.Error("Run accepted 0 requests")
	}
}

var day = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func open(t *testing.T, overbook int) *Service {
	t.Helper()
	s, err := Open(t.TempDir(), overbook)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.AddRooms("twin", 2, day, 10); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLastRoomsSellOnce(t *testing.T) {
	s := open(t, 0)
	var ok atomic.Int64
	var wg sync.WaitGroup
	for g := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Reserve(fmt.Sprint("g", g), Stay{RoomType: "twin", CheckIn: day.AddDate(0, 0, 1), Nights: 3, Rooms: 1})
			if err == nil {
				ok.Add(1)
			} else if !errors.Is(err, ErrSoldOut) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 2 {
		t.Errorf("%d bookings of 2 rooms succeeded", ok.Load())
	}
	for n := 1; n <= 3; n++ {
		if total, reserved, _ := s.Night("twin", day.AddDate(0, 0, n)); total != 2 || reserved != 2 {
			t.Errorf("night %d: %d of %d reserved", n, reserved, total)
		}
	}
	if _, reserved, _ := s.Night("twin", day); reserved != 0 {
		t.Errorf("the night before the stays has %d reserved", reserved)
	}
}

func TestReserveIsIdempotentAndCancelFrees(t *testing.T) {
	s := open(t, 50) // 3 rooms may be sold
	stay := Stay{RoomType: "twin", CheckIn: day, Nights: 2, Rooms: 3, Guest: "ann"}
	r, err := s.Reserve("f1", stay)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := s.Reserve("f1", stay); err != nil || again != r {
		t.Errorf("resubmission = %+v, %v; want %+v", again, err, r)
	}
	other := stay
	other.Nights = 1
	if _, err := s.Reserve("f1", other); !errors.Is(err, ErrIDReused) {
		t.Errorf("ID reused for another stay: %v", err)
	}
	if _, err := s.Reserve("f2", Stay{RoomType: "twin", CheckIn: day, Nights: 1, Rooms: 1}); !errors.Is(err, ErrSoldOut) {
		t.Errorf("fourth room with 50%% overbooking of 2: %v", err)
	}
	for range 2 {
		if err := s.Cancel("f1"); err != nil {
			t.Fatal(err)
		}
	}
	if _, reserved, _ := s.Night("twin", day); reserved != 0 {
		t.Errorf("after canceling twice %d rooms reserved", reserved)
	}
	if r, _, _ := s.Reservation("f1"); !r.Canceled {
		t.Error("reservation not marked canceled")
	}
	if _, err := s.Reserve("f2", Stay{RoomType: "twin", CheckIn: day, Nights: 1, Rooms: 1}); err != nil {
		t.Errorf("booking after the cancel: %v", err)
	}
	if err := s.Cancel("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Cancel of an unknown ID: %v", err)
	}
}

func TestReserveRejectsBadRequests(t *testing.T) {
	s := open(t, 0)
	for _, tt := range []struct {
		stay Stay
		want error
	}{
		{Stay{RoomType: "twin", CheckIn: day.Add(time.Hour), Nights: 1, Rooms: 1}, ErrInvalid},
		{Stay{RoomType: "twin", CheckIn: day, Nights: 0, Rooms: 1}, ErrInvalid},
		{Stay{RoomType: "twin", CheckIn: day, Nights: 1, Rooms: 0}, ErrInvalid},
		{Stay{RoomType: "", CheckIn: day, Nights: 1, Rooms: 1}, ErrInvalid},
		{Stay{RoomType: "penthouse", CheckIn: day, Nights: 1, Rooms: 1}, ErrNotFound},
		{Stay{RoomType: "twin", CheckIn: day.AddDate(0, 0, 9), Nights: 2, Rooms: 1}, ErrNotFound}, // past the inventory
	} {
		if _, err := s.Reserve("x", tt.stay); !errors.Is(err, tt.want) {
			t.Errorf("Reserve(%+v) = %v; want %v", tt.stay, err, tt.want)
		}
	}
	if _, err := Open(t.TempDir(), -1); err == nil {
		t.Error("Open accepted negative overbooking")
	}
}

func FuzzDecodeReservation(f *testing.F) {
	f.Add(encodeReservation(Reservation{ID: "x", Stay: Stay{RoomType: "twin", CheckIn: day, Nights: 2, Rooms: 1, Guest: "ann"}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decodeReservation("x", data)
		if err != nil {
			return
		}
		if again := encodeReservation(r); !bytes.Equal(again, data) {
			t.Fatalf("decode(%x) re-encodes to %x", data, again)
		}
	})
}
