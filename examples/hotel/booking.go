package hotel

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sysdesign-go/sysdesign/lsm"
)

var (
	// ErrSoldOut is returned when a night of the stay has no room left.
	ErrSoldOut = errors.New("hotel: no room left for a night of the stay")
	// ErrIDReused is returned for a reservation ID already used for another stay.
	ErrIDReused = errors.New("hotel: reservation ID reused for a different stay")
	// ErrNotFound is returned for an unknown reservation or room type.
	ErrNotFound = errors.New("hotel: not found")
	// ErrInvalid wraps every invalid argument.
	ErrInvalid = errors.New("hotel: invalid request")
	// ErrCorrupt is matched by errors about stored records that do not decode.
	ErrCorrupt = errors.New("hotel: corrupt record")
)

// Stay is what a reservation books.
type Stay struct {
	RoomType string
	CheckIn  time.Time // a date: midnight UTC
	Nights   int
	Rooms    int
	Guest    string
}

// Reservation is a booked stay.
type Reservation struct {
	ID string
	Stay
	Canceled bool
}

// Service is the reservation service of a hotel: room types with a number
// of rooms, inventory counted per room type and night, and reservations
// made with a client-chosen ID (generated when the booking form is shown),
// so a resubmitted form books once.
//
// Everything lives in one lsm.DB:
//
//	inv/<type>/<date>  -> total rooms and rooms reserved that night
//	res/<id>           -> the reservation
//
// A reservation updates every night's counter and stores itself in one
// synced batch, under a lock per room type (pessimistic locking: a booking
// holds the type for a few microseconds of memtable work and one fsync),
// so two bookings of the last room cannot both succeed, and a crash leaves
// all of a reservation or none of it.
//
// A Service is safe for concurrent use.
type Service struct {
	db        *lsm.DB
	overbook  int // percent of rooms that may be sold beyond the total
	mu        sync.Mutex
	typeLocks map[string]*sync.Mutex
}

// Open opens the service stored in dir; overbookPercent lets that share of
// extra rooms be sold (hotels overbook a little, counting on cancellations).
func Open(dir string, overbookPercent int) (*Service, error) {
	if overbookPercent < 0 || overbookPercent > 100 {
		return nil, fmt.Errorf("%w: overbooking %d%%", ErrInvalid, overbookPercent)
	}
	db, err := lsm.Open(dir, nil)
	if err != nil {
		return nil, err
	}
	return &Service{db: db, overbook: overbookPercent, typeLocks: map[string]*sync.Mutex{}}, nil
}

// Close closes the store.
func (s *Service) Close() error { return s.db.Close() }

var synced = &lsm.WriteOptions{Sync: true}

func (s *Service) lock(roomType string) func() {
	s.mu.Lock()
	l := s.typeLocks[roomType]
	if l == nil {
		l = new(sync.Mutex)
		s.typeLocks[roomType] = l
	}
	s.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// AddRooms sets how many rooms of a type exist on each night in
// [from, from+nights).
func (s *Service) AddRooms(roomType string, total int, from time.Time, nights int) error {
	if roomType == "" || len(roomType) > 255 || total < 0 || total > 1<<30 || nights < 1 || nights > 3660 {
		return fmt.Errorf("%w: %d rooms of %q for %d nights", ErrInvalid, total, roomType, nights)
	}
	defer s.lock(roomType)()
	var b lsm.Batch
	for n := range nights {
		key := invKey(roomType, from.AddDate(0, 0, n))
		_, reserved, _, err := s.night(key)
		if err != nil {
			return err
		}
		b.Put(key, encodeNight(total, reserved))
	}
	return s.db.Apply(&b, synced)
}

// Reserve books stay under id. Calling it again with the same id and stay
// returns the existing reservation without booking again.
func (s *Service) Reserve(id string, stay Stay) (Reservation, error) {
	if id == "" || len(id) > 64 || stay.RoomType == "" || len(stay.RoomType) > 255 || stay.Nights < 1 || stay.Nights > 30 || stay.Rooms < 1 || stay.Rooms > 100 ||
		stay.CheckIn != date(stay.CheckIn) {
		return Reservation{}, fmt.Errorf("%w: %q %+v", ErrInvalid, id, stay)
	}
	defer s.lock(stay.RoomType)()
	if r, found, err := s.reservation(id); err != nil || found {
		if err == nil && r.Stay != stay {
			err = ErrIDReused
		}
		return r, err
	}
	var b lsm.Batch
	for n := range stay.Nights {
		key := invKey(stay.RoomType, stay.CheckIn.AddDate(0, 0, n))
		total, reserved, ok, err := s.night(key)
		if err != nil {
			return Reservation{}, err
		}
		if !ok {
			return Reservation{}, fmt.Errorf("%w: no %s rooms on %s", ErrNotFound, stay.RoomType, key[len(key)-10:])
		}
		if reserved+stay.Rooms > total*(100+s.overbook)/100 {
			return Reservation{}, fmt.Errorf("%w: %s on %s", ErrSoldOut, stay.RoomType, key[len(key)-10:])
		}
		b.Put(key, encodeNight(total, reserved+stay.Rooms))
	}
	r := Reservation{ID: id, Stay: stay}
	b.Put([]byte("res/"+id), encodeReservation(r))
	return r, s.db.Apply(&b, synced)
}

// Cancel cancels a reservation and frees its rooms; canceling twice is
// harmless.
func (s *Service) Cancel(id string) error {
	r, found, err := s.reservation(id)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%w: reservation %q", ErrNotFound, id)
	}
	defer s.lock(r.RoomType)()
	if r, _, err = s.reservation(id); err != nil || r.Canceled {
		return err
	}
	var b lsm.Batch
	for n := range r.Nights {
		key := invKey(r.RoomType, r.CheckIn.AddDate(0, 0, n))
		total, reserved, _, err := s.night(key)
		if err != nil {
			return err
		}
		b.Put(key, encodeNight(total, reserved-r.Rooms))
	}
	r.Canceled = true
	b.Put([]byte("res/"+id), encodeReservation(r))
	return s.db.Apply(&b, synced)
}

// Night returns the total and reserved rooms of a type on a date.
func (s *Service) Night(roomType string, day time.Time) (total, reserved int, err error) {
	total, reserved, _, err = s.night(invKey(roomType, day))
	return total, reserved, err
}

func (s *Service) night(key []byte) (total, reserved int, ok bool, err error) {
	raw, err := s.db.Get(key)
	if errors.Is(err, lsm.ErrNotFound) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, err
	}
	if len(raw) != 8 {
		return 0, 0, false, fmt.Errorf("%w: inventory %s", ErrCorrupt, key)
	}
	return int(binary.LittleEndian.Uint32(raw)), int(binary.LittleEndian.Uint32(raw[4:])), true, nil
}

// Reservation returns a reservation by ID.
func (s *Service) Reservation(id string) (Reservation, bool, error) { return s.reservation(id) }

func (s *Service) reservation(id string) (Reservation, bool, error) {
	raw, err := s.db.Get([]byte("res/" + id))
	if errors.Is(err, lsm.ErrNotFound) {
		return Reservation{}, false, nil
	}
	if err != nil {
		return Reservation{}, false, err
	}
	r, err := decodeReservation(id, raw)
	return r, err == nil, err
}

// Reservations calls yield for every reservation, in ID order.
func (s *Service) Reservations(yield func(Reservation) bool) error {
	it := s.db.NewIter(&lsm.IterOptions{Prefix: []byte("res/")})
	for k, v := range it.All() {
		r, err := decodeReservation(string(k[4:]), v)
		if err != nil {
			it.Close()
			return err
		}
		if !yield(r) {
			break
		}
	}
	return errors.Join(it.Error(), it.Close())
}

func date(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func invKey(roomType string, day time.Time) []byte {
	return []byte("inv/" + roomType + "/" + day.Format(time.DateOnly))
}

func encodeNight(total, reserved int) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(total))
	return binary.LittleEndian.AppendUint32(b, uint32(reserved))
}

// Reservation record: check-in (Unix days, 4B) | nights (1B) | rooms (1B) |
// canceled (1B) | type length (1B) | type | guest.
func encodeReservation(r Reservation) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(r.CheckIn.Unix()/86400))
	canceled := byte(0)
	if r.Canceled {
		canceled = 1
	}
	b = append(b, byte(r.Nights), byte(r.Rooms), canceled, byte(len(r.RoomType)))
	return append(append(b, r.RoomType...), r.Guest...)
}

func decodeReservation(id string, b []byte) (Reservation, error) {
	if len(b) < 8 || b[6] > 1 || int(b[7]) > len(b)-8 {
		return Reservation{}, fmt.Errorf("%w: reservation %q", ErrCorrupt, id)
	}
	n := int(b[7])
	return Reservation{ID: id, Canceled: b[6] == 1, Stay: Stay{
		CheckIn:  time.Unix(int64(binary.LittleEndian.Uint32(b))*86400, 0).UTC(),
		Nights:   int(b[4]),
		Rooms:    int(b[5]),
		RoomType: string(b[8 : 8+n]),
		Guest:    string(b[8+n:]),
	}}, nil
}
