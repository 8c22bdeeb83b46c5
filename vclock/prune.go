package vclock

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// PruneOptions are the limits of a [Pruner], named after Riak's bucket
// properties. The zero value means Riak's defaults.
type PruneOptions struct {
	// Small is the length at or below which a clock is never pruned
	// (small_vclock). Zero means 50.
	Small int
	// Big is the length above which the oldest entries are removed even if
	// they are not old (big_vclock). Zero means 50.
	Big int
	// Young is the age below which an entry is never removed
	// (young_vclock). Zero means 20 seconds.
	Young time.Duration
	// Old is the age above which an entry is removed from a clock longer
	// than Small (old_vclock). Zero means 24 hours.
	Old time.Duration
}

// Pruner trims vector clocks as Riak does, to keep clocks that many
// coordinators wrote from growing without bound. Create one with
// [NewPruner]; it holds only its options and is safe for concurrent use.
//
// # Risk
//
// Pruning forgets that a clock has seen some events. The pruned clock can
// then compare as concurrent with a clock it used to descend, which shows up
// as a false conflict: an extra sibling the application must resolve. It can
// also, more rarely, compare as Before a clock that was really concurrent
// with it, if the removed entry carried a write that the other clock never
// saw: a store would then let the other write replace it and that write is
// lost. The age limits make this unlikely (an entry must be older than
// Young, and older than Old unless the clock has more than Big entries,
// while replicas normally converge within seconds), but not impossible;
// this is the trade-off Riak documents, and why it prefers dotted version
// vectors ([Siblings]), whose clocks stay bounded by the number of replicas
// and need no pruning.
type Pruner struct {
	o PruneOptions
}

// NewPruner returns a pruner with the given limits; negative values return
// an error wrapping ErrInvalidOptions.
func NewPruner(o PruneOptions) (Pruner, error) {
	if o.Small < 0 || o.Big < 0 || o.Young < 0 || o.Old < 0 {
		return Pruner{}, fmt.Errorf("%w: negative limit in %+v", ErrInvalidOptions, o)
	}
	if o.Small == 0 {
		o.Small = 50
	}
	if o.Big == 0 {
		o.Big = 50
	}
	if o.Young == 0 {
		o.Young = 20 * time.Second
	}
	if o.Old == 0 {
		o.Old = 24 * time.Hour
	}
	return Pruner{o: o}, nil
}

// Options returns the pruner's limits with defaults filled in.
func (p Pruner) Options() PruneOptions { return p.o }

// Prune removes entries from c, oldest time first, as Riak's vclock:prune
// does: while c has more than Small entries and its oldest entry is at least
// Young old, that entry is removed if c has more than Big entries or the
// entry is more than Old old; otherwise pruning stops. It returns the number
// of entries removed. Entries with equal times go in node order.
func (p Pruner) Prune(c *Clock, now time.Time) int {
	if len(c.e) <= p.o.Small {
		return 0
	}
	byAge := slices.Clone(c.e)
	slices.SortStableFunc(byAge, func(a, b Entry) int { return cmp.Compare(a.Time, b.Time) })
	nowS := now.Unix()
	young, old := int64(p.o.Young/time.Second), int64(p.o.Old/time.Second)
	removed := 0
	for len(byAge)-removed > p.o.Small {
		age := nowS - byAge[removed].Time
		if age < young {
			break
		}
		if len(byAge)-removed > p.o.Big || age > old {
			removed++
			continue
		}
		break
	}
	if removed == 0 {
		return 0
	}
	drop := byAge[:removed]
	c.e = slices.DeleteFunc(c.e, func(e Entry) bool {
		return slices.ContainsFunc(drop, func(d Entry) bool { return d.Node == e.Node })
	})
	return removed
}
