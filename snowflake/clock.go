package snowflake

import "time"

// Clock is the time source of a [Generator]. Tests inject a fake one to
// exercise clock steps and sequence exhaustion deterministically.
type Clock interface {
	// Now returns the current time. The default clock returns time.Now,
	// whose monotonic reading the generator uses, so a wall-clock step
	// (NTP, an operator) neither stalls nor repeats IDs while it runs.
	Now() time.Time
	// Sleep pauses the calling goroutine for at least d.
	Sleep(d time.Duration)
}

type systemClock struct{}

func (systemClock) Now() time.Time        { return time.Now() }
func (systemClock) Sleep(d time.Duration) { time.Sleep(d) }
