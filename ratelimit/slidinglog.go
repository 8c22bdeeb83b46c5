package ratelimit

import "sort"

// tslog is one key's sliding log: the timestamps of admitted events in
// ascending order, one entry per event.
type tslog struct{ ts []int64 }

// logDecide decides n events at now against l (nil for a new key). It
// returns the verdict, the index of the first live entry and the effective
// time (now, or the newest entry if the clock went backwards).
func logDecide(p *params, l *tslog, now, n int64) (verdict, int, int64) {
	var ts []int64
	if l != nil {
		ts = l.ts
	}
	if len(ts) > 0 && now < ts[len(ts)-1] {
		now = ts[len(ts)-1]
	}
	// Events at or before now−P have left the window (now−P, now].
	i := sort.Search(len(ts), func(i int) bool { return ts[i] > now-p.period })
	count := int64(len(ts) - i)
	var reset int64
	if count > 0 {
		reset = ts[len(ts)-1] + p.period - now
	}
	if count+n > p.rate {
		k := count + n - p.rate // entries that must expire first
		retry := ts[i+int(k)-1] + p.period - now
		return verdict{remaining: p.rate - count, retry: retry, reset: reset}, i, now
	}
	if n > 0 {
		reset = p.period
	}
	return verdict{allowed: true, remaining: p.rate - count - n, reset: reset}, i, now
}

// commit drops the first i entries and appends n events at now.
func (l *tslog) commit(i int, now, n int64) {
	live := l.ts[i:]
	if i > 0 && (cap(l.ts) > 64 && len(live) < cap(l.ts)/4) {
		l.ts = append(make([]int64, 0, len(live)+int(n)), live...)
	} else if i > 0 {
		l.ts = append(l.ts[:0], live...)
	}
	for range n {
		l.ts = append(l.ts, now)
	}
}

// idle reports whether every event in l has left the window at now.
func (l *tslog) idle(p *params, now int64) bool {
	return len(l.ts) == 0 || l.ts[len(l.ts)-1]+p.period <= now
}
