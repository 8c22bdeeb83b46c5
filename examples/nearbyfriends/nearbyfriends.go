// Package nearbyfriends is the nearby friends system: users send their
// location every 30 seconds; a location cache keeps each user's latest
// position with a TTL (inactive users fade out); every user has a pub/sub
// channel that their friends' sessions subscribe to; when a user moves,
// each online friend's session computes the great-circle distance and
// tells its client whether that friend is now within the radius or has
// left it. A geohash index of active users answers "people near me".
//
//	go run ./examples/tour nearbyfriends [-users 300] [-friends 12] [-radius 2000] [-ticks 60]
//
// How it maps to the classic design: each session goroutine stands for a
// WebSocket server's connection handler (one per connected user), the
// PubSub type stands for the Redis pub/sub cluster with one channel per
// user, and LocationCache stands for the Redis location cache with a TTL
// per key. They are in-process (Go channels instead of sockets) so the run
// is deterministic and needs nothing installed; the messages and the
// fan-out are the same. Time is simulated: a tick is 30 seconds and the
// clock is injected everywhere, so TTL expiry is tested without sleeping.
package nearbyfriends

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/sysdesign-go/sysdesign/geohash"
)

// UserID names a user.
type UserID int

// Location is a user's position at a time.
type Location struct {
	Lat, Lon float64
	At       time.Time
}

// LocationCache keeps each user's latest location for TTL after it was
// sent, like SET user:<id> <loc> EX <ttl> in Redis. Safe for concurrent
// use.
type LocationCache struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[UserID]Location
}

// NewLocationCache returns an empty cache with the given TTL.
func NewLocationCache(ttl time.Duration) *LocationCache {
	return &LocationCache{ttl: ttl, m: make(map[UserID]Location)}
}

// Put stores loc for u.
func (c *LocationCache) Put(u UserID, loc Location) {
	c.mu.Lock()
	c.m[u] = loc
	c.mu.Unlock()
}

// Get returns u's location if it has not expired at now.
func (c *LocationCache) Get(u UserID, now time.Time) (Location, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	loc, ok := c.m[u]
	if !ok || now.Sub(loc.At) > c.ttl {
		return Location{}, false // Expire deletes it (and tells the caller)
	}
	return loc, true
}

// Expire deletes the entries older than the TTL at now and returns their
// users, sorted.
func (c *LocationCache) Expire(now time.Time) []UserID {
	c.mu.Lock()
	defer c.mu.Unlock()
	var gone []UserID
	for u, loc := range c.m {
		if now.Sub(loc.At) > c.ttl {
			delete(c.m, u)
			gone = append(gone, u)
		}
	}
	slices.Sort(gone)
	return gone
}

// Update is a message on a user's channel: that user's new location.
type Update struct {
	From UserID
	Location
}

// PubSub has one channel per user; a subscriber receives every update
// published on the channels it subscribed to. Safe for concurrent use.
type PubSub struct {
	mu   sync.RWMutex
	subs map[UserID]map[UserID]*session // channel -> subscriber -> session
}

// NewPubSub returns a PubSub with no channels.
func NewPubSub() *PubSub { return &PubSub{subs: make(map[UserID]map[UserID]*session)} }

func (p *PubSub) subscribe(channel UserID, s *session) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := p.subs[channel]
	if m == nil {
		m = make(map[UserID]*session)
		p.subs[channel] = m
	}
	m[s.user] = s
}

func (p *PubSub) unsubscribeAll(s *session, channels []UserID) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range channels {
		delete(p.subs[c], s.user)
	}
}

// publish delivers u to every subscriber of its channel and returns how
// many it reached.
func (p *PubSub) publish(u Update) int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	for _, s := range p.subs[u.From] {
		s.deliver(msg{update: u})
	}
	return len(p.subs[u.From])
}

// Event is what a client is told.
type Event struct {
	To, Friend UserID
	Nearby     bool    // true: came within the radius; false: left it (or went inactive)
	Dist       float64 // metres, when Nearby
	At         time.Time
}

type msg struct {
	update Update
	own    bool      // the session's own client moved
	sweep  time.Time // drop friends silent for longer than the TTL
}

// session is one connected user's handler on a WebSocket server.
type session struct {
	user    UserID
	friends []UserID
	inbox   chan msg
	sys     *system
	own     Location
	hasOwn  bool
	nearby  map[UserID]Location // friends currently within the radius
}

func (s *session) deliver(m msg) {
	s.sys.pending.Add(1)
	s.inbox <- m
}

func (s *session) run() {
	for m := range s.inbox {
		s.handle(m)
		s.sys.pending.Done()
	}
}

func (s *session) handle(m msg) {
	sys := s.sys
	switch {
	case !m.sweep.IsZero():
		for f, loc := range s.nearby {
			if m.sweep.Sub(loc.At) > sys.ttl {
				delete(s.nearby, f)
				sys.emit(Event{To: s.user, Friend: f, Nearby: false, At: m.sweep})
			}
		}
	case m.own:
		s.own, s.hasOwn = m.update.Location, true
	default:
		u := m.update
		if !s.hasOwn {
			return
		}
		d := geohash.Distance(s.own.Lat, s.own.Lon, u.Lat, u.Lon)
		_, was := s.nearby[u.From]
		if d <= sys.radius {
			s.nearby[u.From] = u.Location
			if !was {
				sys.emit(Event{To: s.user, Friend: u.From, Nearby: true, Dist: d, At: u.At})
			}
		} else if was {
			delete(s.nearby, u.From)
			sys.emit(Event{To: s.user, Friend: u.From, Nearby: false, At: u.At})
		}
	}
}

// system wires the parts together.
type system struct {
	radius  float64
	ttl     time.Duration
	cache   *LocationCache
	pubsub  *PubSub
	active  *geohash.Index[UserID] // active users, for "people near me"
	pending sync.WaitGroup

	mu       sync.Mutex
	events   []Event
	sessions map[UserID]*session
}

func (sys *system) emit(e Event) {
	sys.mu.Lock()
	sys.events = append(sys.events, e)
	sys.mu.Unlock()
}

// connect opens u's session: subscribe to every friend's channel and load
// the friends' cached locations (the initial nearby list).
func (sys *system) connect(u UserID, friends []UserID, own Location) {
	s := &session{user: u, friends: friends, inbox: make(chan msg, 64), sys: sys, nearby: map[UserID]Location{}}
	sys.mu.Lock()
	sys.sessions[u] = s
	sys.mu.Unlock()
	go s.run()
	s.deliver(msg{own: true, update: Update{From: u, Location: own}})
	for _, f := range friends {
		sys.pubsub.subscribe(f, s)
		if loc, ok := sys.cache.Get(f, own.At); ok {
			s.deliver(msg{update: Update{From: f, Location: loc}})
		}
	}
}

func (sys *system) disconnect(u UserID) {
	sys.mu.Lock()
	s := sys.sessions[u]
	delete(sys.sessions, u)
	sys.mu.Unlock()
	if s != nil {
		sys.pubsub.unsubscribeAll(s, s.friends)
		close(s.inbox)
	}
}

// report is a location update from u's client: cache it (with TTL), index
// it, tell u's own session, and publish it on u's channel. It returns how
// many sessions received it.
func (sys *system) report(u UserID, loc Location) (int, error) {
	sys.cache.Put(u, loc)
	if err := sys.active.Add(u, loc.Lat, loc.Lon); err != nil {
		return 0, err
	}
	sys.mu.Lock()
	s := sys.sessions[u]
	sys.mu.Unlock()
	if s != nil {
		s.deliver(msg{own: true, update: Update{From: u, Location: loc}})
		sys.pending.Wait() // the own position lands before friends' replies are computed
	}
	return sys.pubsub.publish(Update{From: u, Location: loc}), nil
}

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("nearbyfriends", flag.ContinueOnError)
	fs.SetOutput(w)
	nUsers := fs.Int("users", 300, "users")
	nFriends := fs.Int("friends", 12, "friends per user (on average)")
	radius := fs.Float64("radius", 2000, "nearby radius in metres")
	ticks := fs.Int("ticks", 60, "30-second ticks to simulate")
	seed := fs.Uint64("seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *nUsers < 10 || *nFriends < 1 || *nFriends >= *nUsers || *radius <= 0 || *ticks < 45 {
		return errors.New("nearbyfriends: need at least 10 users, 1 <= friends < users, a positive radius and at least 45 ticks")
	}
	const tick = 30 * time.Second
	ttl := 10 * time.Minute
	r := rand.New(rand.NewPCG(*seed, 5))
	active, err := geohash.NewIndex[UserID](geohash.IndexOptions{})
	if err != nil {
		return err
	}
	sys := &system{radius: *radius, ttl: ttl, cache: NewLocationCache(ttl), pubsub: NewPubSub(), active: active, sessions: map[UserID]*session{}}

	// A symmetric friend graph.
	friends := make([]map[UserID]bool, *nUsers)
	for i := range friends {
		friends[i] = map[UserID]bool{}
	}
	for i := 0; i < *nUsers**nFriends/2; i++ {
		a, b := r.IntN(*nUsers), r.IntN(*nUsers)
		if a != b {
			friends[a][UserID(b)], friends[b][UserID(a)] = true, true
		}
	}
	list := func(u int) []UserID {
		var fs []UserID
		for f := range friends[u] {
			fs = append(fs, f)
		}
		slices.Sort(fs)
		return fs
	}
	// Users start in an 8 km square of Paris and walk or cycle about.
	pos := make([][2]float64, *nUsers)
	for i := range pos {
		pos[i] = [2]float64{48.82 + r.Float64()*0.072, 2.29 + r.Float64()*0.109}
	}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	// Who is online: 90% at start; 10% of those leave at tick 20 (their
	// location expires at tick 40); the rest join at tick 40.
	late := map[int]bool{}
	leaving := map[int]bool{}
	for i := 0; i < *nUsers; i++ {
		switch {
		case i%10 == 0:
			late[i] = true
		case i%10 == 1:
			leaving[i] = true
		}
	}
	online := func(i, t int) bool {
		if late[i] {
			return t >= 40
		}
		if leaving[i] {
			return t < 20
		}
		return true
	}
	updates, deliveries := 0, 0
	for t := 0; t < *ticks; t++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		for i := 0; i < *nUsers; i++ {
			u := UserID(i)
			switch {
			case online(i, t) && (t == 0 || !online(i, t-1)):
				sys.connect(u, list(i), Location{pos[i][0], pos[i][1], now})
			case !online(i, t) && t > 0 && online(i, t-1):
				sys.disconnect(u)
			}
		}
		sys.pending.Wait()
		final := t == *ticks-1 // in the last tick nobody moves: every view settles
		for i := 0; i < *nUsers; i++ {
			if !online(i, t) {
				continue
			}
			if !final {
				d, b := r.Float64()*150, r.Float64()*360 // up to 150 m per 30 s
				pos[i][0], pos[i][1] = geohash.Destination(pos[i][0], pos[i][1], b, d)
			}
			n, err := sys.report(UserID(i), Location{pos[i][0], pos[i][1], now})
			if err != nil {
				return err
			}
			updates++
			deliveries += n
		}
		sys.pending.Wait()
		for _, u := range sys.cache.Expire(now) {
			sys.active.Remove(u)
		}
		sys.mu.Lock()
		for _, s := range sys.sessions {
			s.deliver(msg{sweep: now})
		}
		sys.mu.Unlock()
		sys.pending.Wait()
		now = now.Add(tick)
	}
	now = now.Add(-tick)

	// Check every session's view against brute force over fresh locations.
	mismatches, pairs, staleSeen := 0, 0, 0
	sys.mu.Lock()
	for u, s := range sys.sessions {
		want := map[UserID]bool{}
		own, _ := sys.cache.Get(u, now)
		for _, f := range s.friends {
			loc, ok := sys.cache.Get(f, now)
			if ok && geohash.Distance(own.Lat, own.Lon, loc.Lat, loc.Lon) <= *radius {
				want[f] = true
			}
		}
		for f := range s.nearby {
			if leaving[int(f)] {
				staleSeen++
			}
			if !want[f] {
				mismatches++
			}
		}
		for f := range want {
			if _, ok := s.nearby[f]; !ok {
				mismatches++
			}
		}
		pairs += len(want)
	}
	sessions := len(sys.sessions)
	events := slices.Clone(sys.events)
	sys.mu.Unlock()
	// Every "nearby" event was true when sent.
	wrong := 0
	var came, left, expired int
	for _, e := range events {
		switch {
		case e.Nearby:
			came++
			if e.Dist > *radius {
				wrong++
			}
		case leaving[int(e.Friend)] && e.At.Sub(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)) >= 20*tick:
			expired++
		default:
			left++
		}
	}
	for u := range sys.sessions {
		sys.disconnect(u)
	}

	fmt.Fprintf(w, "%d users, %d friendships, radius %.0f m, TTL %v, %d ticks of %v (simulated clock)\n",
		*nUsers, countEdges(friends), *radius, ttl, *ticks, tick)
	fmt.Fprintf(w, "location updates: %d; pub/sub deliveries to friends' sessions: %d (%.1f per update)\n",
		updates, deliveries, float64(deliveries)/float64(updates))
	fmt.Fprintf(w, "notifications: %d came within %.0f m, %d moved away, %d dropped after going silent; wrong notifications: %d\n",
		came, *radius, left, expired, wrong)
	fmt.Fprintf(w, "final views of %d online users match brute force: %d nearby friend pairs, mismatches: %d; expired users still shown: %d\n",
		sessions, pairs, mismatches, staleSeen)
	res, _, err := sys.active.Nearby(48.8566, 2.3522, 1000, 0, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "people within 1 km of Hotel de Ville (geohash index of active users): %d of %d active\n", len(res), sys.active.Len())
	if mismatches != 0 || wrong != 0 || staleSeen != 0 || came == 0 || sys.active.Len() != *nUsers-len(leaving) {
		return errors.New("nearbyfriends: views are wrong")
	}
	return nil
}

func countEdges(fs []map[UserID]bool) int {
	n := 0
	for _, m := range fs {
		n += len(m)
	}
	return n / 2
}
