package geohash

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalidHash is returned (wrapped in a [SyntaxError]) when a string
	// geohash contains a byte outside the geohash base32 alphabet, or is empty.
	ErrInvalidHash = errors.New("geohash: invalid geohash")
	// ErrInvalidPoint is returned when a latitude is outside [-90, 90], a
	// longitude outside [-180, 180], or either is NaN or infinite.
	ErrInvalidPoint = errors.New("geohash: invalid point")
	// ErrInvalidBits is returned when an integer geohash precision is outside
	// 1..64 bits.
	ErrInvalidBits = errors.New("geohash: invalid bit precision")
	// ErrInvalidRadius is returned when a search radius is negative, NaN or
	// infinite.
	ErrInvalidRadius = errors.New("geohash: invalid radius")
	// ErrOutOfRedisRange is returned by [RedisScore] for points Redis GEOADD
	// rejects: latitude beyond ±85.05112878 (the Web Mercator limit).
	ErrOutOfRedisRange = errors.New("geohash: point outside the Redis GEOADD range")
	// ErrInvalidCursor is returned by an [Index] when a pagination cursor was
	// not produced by a query with the same centre and radius.
	ErrInvalidCursor = errors.New("geohash: invalid cursor")
)

// SyntaxError reports the offset and byte of the first invalid character in
// a string geohash. It wraps [ErrInvalidHash].
type SyntaxError struct {
	Offset int  // byte offset of the bad character; 0 for an empty string
	Char   byte // the bad byte (0 for an empty string)
}

func (e *SyntaxError) Error() string {
	if e.Char == 0 && e.Offset == 0 {
		return "geohash: invalid geohash: empty string"
	}
	return fmt.Sprintf("geohash: invalid geohash: byte %q at offset %d", e.Char, e.Offset)
}

// Unwrap returns [ErrInvalidHash].
func (e *SyntaxError) Unwrap() error { return ErrInvalidHash }

// CheckPoint returns an error wrapping [ErrInvalidPoint] unless lat is in
// [-90, 90] and lon in [-180, 180].
func CheckPoint(lat, lon float64) error {
	if !(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180) {
		return fmt.Errorf("%w: lat %v lon %v", ErrInvalidPoint, lat, lon)
	}
	return nil
}

func checkRadius(r float64) error {
	if !(r >= 0) || r > 1e300 {
		return fmt.Errorf("%w: %v", ErrInvalidRadius, r)
	}
	return nil
}
