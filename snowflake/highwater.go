package snowflake

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sysdesign-go/sysdesign/internal/atomicfile"
)

// HighWater persists a time that no ID issued so far has reached, so that a
// restarted generator whose clock went backwards cannot issue an ID again.
//
// The generator reserves time ahead in windows ([Config.HighWaterWindow]):
// before it issues an ID at or past the stored mark it stores a new mark one
// window later, and on start it waits until its clock passes the stored mark.
// Implementations must make Store durable before returning and must never
// let the stored mark go backwards.
type HighWater interface {
	// Load returns the stored mark, or the zero time if none was stored.
	Load() (time.Time, error)
	// Store durably records t as the new mark.
	Store(t time.Time) error
}

// ErrHighWater reports a high-water mark that cannot be read or written.
var ErrHighWater = errors.New("snowflake: high-water mark")

// FileHighWater keeps the high-water mark in a file, replaced atomically
// (write to a temporary file, fsync, rename, fsync the directory) so a crash
// leaves either the old or the new mark. It is safe for concurrent use by one
// generator; two generators must not share a file.
type FileHighWater struct {
	// Path is the file holding the mark as decimal Unix nanoseconds.
	Path string
}

// Load implements [HighWater]. A missing file is the zero time; a file that
// does not hold a mark is an error wrapping [ErrHighWater].
func (f FileHighWater) Load() (time.Time, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %w", ErrHighWater, err)
	}
	ns, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || ns < 0 {
		return time.Time{}, fmt.Errorf("%w: %s does not hold Unix nanoseconds: %q", ErrHighWater, f.Path, b)
	}
	return time.Unix(0, ns).UTC(), nil
}

// Store implements [HighWater].
func (f FileHighWater) Store(t time.Time) error {
	if err := atomicfile.WriteFile(f.Path, strconv.AppendInt(nil, t.UnixNano(), 10)); err != nil {
		return fmt.Errorf("%w: %w", ErrHighWater, err)
	}
	return nil
}
