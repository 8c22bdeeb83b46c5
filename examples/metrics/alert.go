package metrics

import (
	"fmt"
	"sort"
	"time"
)

// Rule is an alerting rule: when agg of metric over Window is above (or,
// with Below, under) Threshold for at least For, the series' alert fires.
type Rule struct {
	Name      string
	Metric    string
	Match     Labels
	Agg       string // as in Query
	Window    time.Duration
	Threshold float64
	Below     bool
	For       time.Duration
}

// AlertState is where one series' alert stands.
type AlertState int

const (
	Inactive AlertState = iota
	Pending             // the condition holds, not yet for long enough
	Firing
)

// Notification is sent when an alert starts or stops firing; an alert that
// keeps firing is not re-sent (dedupe).
type Notification struct {
	Rule, Series string
	Firing       bool // false: resolved
	Value        float64
	At           time.Time
}

// Alerter evaluates rules against a DB. It is not safe for concurrent use;
// one goroutine calls Eval on a timer.
type Alerter struct {
	db    *DB
	rules []Rule
	state map[string]*alert // rule + series
}

type alert struct {
	state AlertState
	since time.Time // when the condition started holding
}

// NewAlerter returns an Alerter for rules.
func NewAlerter(db *DB, rules []Rule) (*Alerter, error) {
	for _, r := range rules {
		if r.Name == "" || r.Window <= 0 || r.For < 0 {
			return nil, fmt.Errorf("metrics: invalid rule %+v", r)
		}
		if _, err := db.Query(r.Metric, r.Match, time.Unix(0, 0), time.Unix(0, 0).Add(r.Window), r.Window, r.Agg); err != nil {
			return nil, fmt.Errorf("metrics: rule %s: %w", r.Name, err)
		}
	}
	return &Alerter{db: db, rules: rules, state: map[string]*alert{}}, nil
}

// Eval evaluates every rule at now and returns the notifications due.
func (a *Alerter) Eval(now time.Time) ([]Notification, error) {
	var out []Notification
	for _, r := range a.rules {
		res, err := a.db.Query(r.Metric, r.Match, now.Add(-r.Window), now, r.Window, r.Agg)
		if err != nil {
			return nil, err
		}
		for _, s := range res {
			id := r.Name + " " + s.Key
			st := a.state[id]
			if st == nil {
				st = &alert{}
				a.state[id] = st
			}
			var v float64
			holds := false
			if len(s.Points) > 0 {
				v = s.Points[len(s.Points)-1].V
				holds = v > r.Threshold
				if r.Below {
					holds = v < r.Threshold
				}
			}
			switch {
			case holds && st.state == Inactive:
				st.state, st.since = Pending, now
				fallthrough
			case holds && st.state == Pending:
				if now.Sub(st.since) >= r.For {
					st.state = Firing
					out = append(out, Notification{Rule: r.Name, Series: s.Key, Firing: true, Value: v, At: now})
				}
			case !holds && st.state == Firing:
				out = append(out, Notification{Rule: r.Name, Series: s.Key, Firing: false, Value: v, At: now})
				st.state = Inactive
			case !holds:
				st.state = Inactive
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Series < out[j].Series })
	return out, nil
}

// States returns the state of every alert, by rule and series.
func (a *Alerter) States() map[string]AlertState {
	out := map[string]AlertState{}
	for id, st := range a.state {
		out[id] = st.state
	}
	return out
}
