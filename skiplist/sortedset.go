package skiplist

import (
	"fmt"
	"iter"
	"math"
	"strings"
)

// Entry is a member of a [SortedSet] with its score (go-redis calls it Z).
type Entry struct {
	Member string
	Score  float64
}

type zkey struct {
	score  float64
	member string
}

// compareZ orders keys by score, then member bytes. Scores are never NaN
// (Add and AddIncr reject it), so plain comparisons suffice.
func compareZ(a, b zkey) int {
	switch {
	case a.score < b.score:
		return -1
	case a.score > b.score:
		return 1
	}
	return strings.Compare(a.member, b.member)
}

// SortedSet is an in-process Redis sorted set: unique string members ordered
// by a float64 score, equal scores ordered by member bytes, as Redis does.
// Its methods follow the Redis commands of the same names (ZADD is [Add],
// ZRANK is [SortedSet.Rank], and so on) closely enough that code can move
// between a SortedSet and a Redis key; the differential test in this package
// runs thousands of random commands against both and compares every reply.
//
// A SortedSet keeps each member string and its score once, under a 32-bit
// id (in the B+ tree's leaves, or in a slab under the skiplist index), with
// a hash table from member to id and an ordered index of ids by (score,
// member): the same two structures Redis uses, without the second copy of
// every member and score. ZSCORE is O(1), ZADD, ZREM, ZRANK
// and locating a range are O(log n), and walking a range costs O(1) per
// element returned.
//
// The zero value is not usable; create one with [NewSortedSet]. A SortedSet
// is not safe for concurrent use.
type SortedSet struct {
	sl      slab
	dict    dict
	list    zindex
	version uint64 // counts changes to the index, for iterators
}

// zindex is the ordered index of members (by id, ordered by score then
// member bytes) under a SortedSet: the B+ tree or the skiplist. Ranks are
// 0-based. The index also stores each member and its score (the skiplist
// in the slab, the B+ tree in its leaves): insert records them, entry reads
// them.
type zindex interface {
	// insert adds id with key k, which must be in the dictionary already
	// (with zero index bits).
	insert(id uint32, k zkey)
	// delete removes id, which is in dictionary slot at (the other
	// methods' at is the same).
	delete(id uint32, at int)
	// rescore sets id's score to v, which differs from the current
	// score, and moves id to its new place.
	rescore(id uint32, at int, v float64)
	len() int
	// rank returns the 0-based rank of id, which must be present.
	rank(id uint32, at int) int
	// countWhile returns how many leading keys satisfy f, which is true for
	// a prefix of the order.
	countWhile(f func(zkey) bool) int
	// entry returns the member and score of id.
	entry(id uint32, at int) Entry
	ascend(rank int, yield func(uint32, Entry) bool)
	descend(rank int, yield func(uint32, Entry) bool)
	// appendEntries appends up to count entries from rank on, upwards or
	// (rev) downwards, to dst.
	appendEntries(dst []Entry, rank, count int, rev bool) []Entry
	// window appends the entries from before places ahead of id to after
	// places behind it, ascending or (rev) descending, clamped at both
	// ends of the order, and returns them with id's ascending rank.
	// before and after are not negative.
	window(dst []Entry, id uint32, at int, before, after int, rev bool) ([]Entry, int)
}

// zid is a skiplist key: a score and the slab id of its member.
type zid struct {
	score float64
	id    uint32
}

// skipIndex adapts a Map to zindex.
type skipIndex struct {
	m  *Map[zid, struct{}]
	sl *slab
}

func (x skipIndex) key(id uint32) zid { return zid{x.sl.score(id), id} }
func (x skipIndex) insert(id uint32, k zkey) {
	x.sl.store(id, k.member, k.score)
	x.m.Set(zid{k.score, id}, struct{}{})
}
func (x skipIndex) delete(id uint32, _ int) { x.m.Delete(x.key(id)) }
func (x skipIndex) len() int                { return x.m.Len() }
func (x skipIndex) entry(id uint32, _ int) Entry {
	e := x.sl.ent(id)
	return Entry{e.member, e.score}
}
func (x skipIndex) rescore(id uint32, at int, v float64) {
	x.delete(id, at)
	x.sl.setScore(id, v)
	x.m.Set(x.key(id), struct{}{})
}
func (x skipIndex) rank(id uint32, _ int) int {
	r, _ := x.m.Rank(x.key(id))
	return r
}
func (x skipIndex) countWhile(f func(zkey) bool) int {
	_, r := x.m.firstWhere(func(k zid) bool { return !f(zkey{k.score, x.sl.member(k.id)}) })
	return r
}
func (x skipIndex) ascend(rank int, yield func(uint32, Entry) bool) {
	for n := x.m.nodeAt(rank); n != nil; n = n.next[0].next {
		if !yield(n.key.id, Entry{x.sl.member(n.key.id), n.key.score}) {
			return
		}
	}
}
func (x skipIndex) descend(rank int, yield func(uint32, Entry) bool) {
	for n := x.m.nodeAt(rank); n != nil; n = n.prev {
		if !yield(n.key.id, Entry{x.sl.member(n.key.id), n.key.score}) {
			return
		}
	}
}

func (x skipIndex) appendEntries(dst []Entry, rank, count int, rev bool) []Entry {
	for n := x.m.nodeAt(rank); n != nil && count > 0; count-- {
		dst = append(dst, Entry{x.sl.member(n.key.id), n.key.score})
		if rev {
			n = n.prev
		} else {
			n = n.next[0].next
		}
	}
	return dst
}

func (x skipIndex) window(dst []Entry, id uint32, at int, before, after int, rev bool) ([]Entry, int) {
	r, n := x.rank(id, at), x.len()
	lo, hi := r-min(before, r), r+min(after, n-1-r) // ascending ranks
	if rev {
		lo, hi = r-min(after, r), r+min(before, n-1-r)
		return x.appendEntries(dst, hi, hi-lo+1, true), r
	}
	return x.appendEntries(dst, lo, hi-lo+1, false), r
}

// NewSortedSet returns an empty sorted set. opts.Index chooses the index
// underneath (the counted B+ tree by default, or the skiplist); the other
// options tune the skiplist. The zero value is fine.
func NewSortedSet(opts Options) (*SortedSet, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	s := &SortedSet{dict: newDict()}
	if opts.Index != SkiplistIndex {
		s.list = newBtree(&s.dict)
		return s, nil
	}
	sl := &s.sl
	s.dict.sl = sl
	m, err := New[zid, struct{}](func(a, b zid) int {
		switch {
		case a.score < b.score:
			return -1
		case a.score > b.score:
			return 1
		case a.id == b.id:
			return 0
		}
		return strings.Compare(sl.member(a.id), sl.member(b.id))
	}, opts)
	if err != nil {
		return nil, err
	}
	s.list = skipIndex{m, sl}
	return s, nil
}

// lookup returns member's id and dictionary slot.
func (s *SortedSet) lookup(member string) (id uint32, slot int, ok bool) {
	return s.dict.find(member)
}

// AddOptions are the flags of ZADD. The zero value adds or updates
// unconditionally and counts only added members.
type AddOptions struct {
	NX bool // only add new members, never update
	XX bool // only update existing members, never add
	GT bool // update only when the new score is greater (new members are still added)
	LT bool // update only when the new score is less (new members are still added)
	CH bool // count changed members too, not just added ones
}

func (o AddOptions) validate() error {
	if o.NX && o.XX {
		return fmt.Errorf("%w: XX and NX options at the same time are not compatible", ErrIncompatibleFlags)
	}
	if (o.GT && o.LT) || (o.NX && (o.GT || o.LT)) {
		return fmt.Errorf("%w: GT, LT, and/or NX options at the same time are not compatible", ErrIncompatibleFlags)
	}
	return nil
}

// Card returns the number of members (ZCARD). O(1).
func (s *SortedSet) Card() int { return s.dict.n }

// Add is ZADD: it adds or updates members according to opts and returns the
// number of members added (with CH, added or whose score changed). Members
// are applied in order, so a member given twice ends with its last score.
// It returns ErrIncompatibleFlags for flag combinations Redis rejects and
// ErrNaN if a score is NaN, in both cases changing nothing.
func (s *SortedSet) Add(opts AddOptions, entries ...Entry) (int, error) {
	if err := opts.validate(); err != nil {
		return 0, err
	}
	for _, e := range entries {
		if math.IsNaN(e.Score) {
			return 0, fmt.Errorf("%w: score of %q", ErrNaN, e.Member)
		}
	}
	n := 0
	for _, e := range entries {
		added, changed := s.add(opts, e.Member, e.Score)
		if added || (opts.CH && changed) {
			n++
		}
	}
	return n, nil
}

// add applies one ZADD element whose new score is already computed.
func (s *SortedSet) add(opts AddOptions, member string, score float64) (added, changed bool) {
	id, slot, ok := s.lookup(member)
	if !ok {
		if opts.XX {
			return false, false
		}
		id = s.sl.newID()
		s.dict.insert(member, id)
		s.list.insert(id, zkey{score, member})
		s.version++
		return true, false
	}
	cur := s.list.entry(id, slot).Score
	if opts.NX || (opts.GT && score <= cur) || (opts.LT && score >= cur) || score == cur {
		return false, false
	}
	s.move(id, slot, score)
	return false, true
}

func (s *SortedSet) move(id uint32, slot int, to float64) {
	s.version++
	s.list.rescore(id, slot, to)
}

// AddIncr is ZADD with the INCR flag: it adds delta to member's score
// (creating it with score delta) subject to opts, and returns the new score.
// ok is false when NX, XX, GT or LT prevented the change (Redis replies nil).
// It returns ErrNaN if delta is NaN or the result would be NaN (+inf + -inf).
func (s *SortedSet) AddIncr(opts AddOptions, member string, delta float64) (score float64, ok bool, err error) {
	if err := opts.validate(); err != nil {
		return 0, false, err
	}
	if math.IsNaN(delta) {
		return 0, false, ErrNaN
	}
	id, slot, exists := s.lookup(member)
	if !exists {
		if opts.XX {
			return 0, false, nil
		}
		s.add(AddOptions{}, member, delta)
		return delta, true, nil
	}
	if opts.NX {
		return 0, false, nil
	}
	cur := s.list.entry(id, slot).Score
	score = cur + delta
	if math.IsNaN(score) {
		return 0, false, fmt.Errorf("%w: resulting score of %q", ErrNaN, member)
	}
	if (opts.GT && score <= cur) || (opts.LT && score >= cur) {
		return 0, false, nil
	}
	if score != cur {
		s.move(id, slot, score)
	}
	return score, true, nil
}

// IncrBy is ZINCRBY: it adds delta to member's score, creating the member
// with score delta if absent, and returns the new score. It returns ErrNaN
// if delta is NaN or the result would be NaN.
func (s *SortedSet) IncrBy(member string, delta float64) (float64, error) {
	v, _, err := s.AddIncr(AddOptions{}, member, delta)
	return v, err
}

// Remove is ZREM: it removes the given members and returns how many were
// present.
func (s *SortedSet) Remove(members ...string) int {
	n := 0
	for _, m := range members {
		if id, slot, ok := s.dict.find(m); ok {
			s.version++
			s.list.delete(id, slot)
			s.dict.removeSlot(slot)
			s.sl.release(id)
			n++
		}
	}
	return n
}

// Score is ZSCORE: the score of member and whether it is present. O(1).
func (s *SortedSet) Score(member string) (float64, bool) {
	id, slot, ok := s.lookup(member)
	if !ok {
		return 0, false
	}
	return s.list.entry(id, slot).Score, true
}

// MScore is ZMSCORE: the scores of members, with found[i] false (and
// scores[i] zero) where members[i] is absent.
func (s *SortedSet) MScore(members ...string) (scores []float64, found []bool) {
	scores = make([]float64, len(members))
	found = make([]bool, len(members))
	for i, m := range members {
		scores[i], found[i] = s.Score(m)
	}
	return scores, found
}

// Rank is ZRANK WITHSCORE: member's 0-based position in ascending order,
// its score, and whether it is present. O(log n) expected.
func (s *SortedSet) Rank(member string) (rank int, score float64, ok bool) {
	id, slot, ok := s.lookup(member)
	if !ok {
		return 0, 0, false
	}
	return s.list.rank(id, slot), s.list.entry(id, slot).Score, true
}

// RevRank is ZREVRANK WITHSCORE: member's 0-based position in descending
// order (highest score first), its score, and whether it is present.
func (s *SortedSet) RevRank(member string) (rank int, score float64, ok bool) {
	rank, score, ok = s.Rank(member)
	if ok {
		rank = s.Card() - 1 - rank
	}
	return rank, score, ok
}

// AppendWindow is ZRANK member followed by ZRANGE over the members around
// it, in one call: a leaderboard's "the players just above and below me".
// It appends to dst the members from before places ahead of member to after
// places behind it, member included, in ascending order or, with rev, in
// descending order (ZREVRANK and ZREVRANGE), and returns the extended slice
// and member's 0-based rank in that order. The window stops at the ends of
// the set, so the first member appended has rank rank-min(before, rank).
// ok is false, and dst comes back unchanged, if member is absent. It
// returns ErrNegativeCount if before or after is negative.
//
// The result equals that of [SortedSet.Rank] (or RevRank) followed by
// [SortedSet.RangeByRank], but costs less: the B+ tree index starts from
// the member's own leaf, which usually holds the whole window, instead of
// searching from the root a second time, and with a reused dst nothing is
// allocated. O(log n + before + after).
func (s *SortedSet) AppendWindow(dst []Entry, member string, before, after int, rev bool) (window []Entry, rank int, ok bool, err error) {
	if before < 0 || after < 0 {
		return dst, 0, false, fmt.Errorf("%w: window of %d before and %d after", ErrNegativeCount, before, after)
	}
	id, slot, ok := s.lookup(member)
	if !ok {
		return dst, 0, false, nil
	}
	dst, rank = s.list.window(dst, id, slot, before, after, rev)
	if rev {
		rank = s.Card() - 1 - rank
	}
	return dst, rank, true, nil
}

// scoreRange returns the ranks [a, b] of the elements with scores within
// the bounds (b < a when there are none).
func (s *SortedSet) scoreRange(lo, hi ScoreBound) (a, b int) {
	if lo.Value > hi.Value || (lo.Value == hi.Value && (lo.Exclusive || hi.Exclusive)) {
		return 0, -1
	}
	a = s.list.countWhile(func(k zkey) bool { return !lo.aboveMin(k.score) })
	b = s.list.countWhile(func(k zkey) bool { return hi.belowMax(k.score) }) - 1
	return a, b
}

// lexRange is scoreRange for lex bounds.
func (s *SortedSet) lexRange(lo, hi LexBound) (a, b int) {
	if lexEmpty(lo, hi) {
		return 0, -1
	}
	a = s.list.countWhile(func(k zkey) bool { return !lo.aboveMin(k.member) })
	b = s.list.countWhile(func(k zkey) bool { return hi.belowMax(k.member) }) - 1
	return a, b
}

func lexEmpty(lo, hi LexBound) bool {
	if lo.Inf > 0 || hi.Inf < 0 {
		return true
	}
	if lo.Inf < 0 || hi.Inf > 0 {
		return false
	}
	c := strings.Compare(lo.Value, hi.Value)
	return c > 0 || (c == 0 && (lo.Exclusive || hi.Exclusive))
}

// Count is ZCOUNT: the number of members with scores within [min, max]
// (each bound inclusive or exclusive). O(log n) expected.
func (s *SortedSet) Count(min, max ScoreBound) int {
	a, b := s.scoreRange(min, max)
	if b < a {
		return 0
	}
	return b - a + 1
}

// LexCount is ZLEXCOUNT: the number of members between min and max in byte
// order. As in Redis, lex ranges assume every member has the same score;
// otherwise the result is unspecified. O(log n) expected.
func (s *SortedSet) LexCount(min, max LexBound) int {
	a, b := s.lexRange(min, max)
	if b < a {
		return 0
	}
	return b - a + 1
}

// normRanks applies Redis's rank-range rules (negative indexes count from
// the end, stop is inclusive, out-of-range ends are clamped) and returns a
// half-open range [a, b) of ascending ranks.
func normRanks(start, stop, n int) (int, int) {
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	start = max(start, 0)
	if start > stop || start >= n {
		return 0, 0
	}
	stop = min(stop, n-1)
	return start, stop + 1
}

// RangeByRank is ZRANGE start stop [REV]: the members at positions start
// through stop inclusive, 0-based, negative positions counting from the end
// (-1 is the last), in ascending order or, with rev, counting and returning
// from the highest score down. O(log n + m) expected for m results.
func (s *SortedSet) RangeByRank(start, stop int, rev bool) []Entry {
	n := s.Card()
	a, b := normRanks(start, stop, n)
	if a >= b {
		return nil
	}
	if rev {
		return s.list.appendEntries(make([]Entry, 0, b-a), n-1-a, b-a, true)
	}
	return s.list.appendEntries(make([]Entry, 0, b-a), a, b-a, false)
}

// Limit is the LIMIT offset count clause of a range query. The zero value
// (and any negative Count) means no limit; a negative Offset returns
// nothing, as in Redis.
type Limit struct {
	Offset int
	Count  int
	// Set must be true for Offset and Count to apply; Limit{} means no
	// LIMIT clause.
	Set bool
}

// walk collects the elements with ranks a..b inclusive in the given
// direction, honouring lim.
func (s *SortedSet) walk(a, b int, rev bool, lim Limit) []Entry {
	n := b - a + 1
	if n <= 0 {
		return nil
	}
	offset, count := 0, -1
	if lim.Set {
		offset, count = lim.Offset, lim.Count
		if offset < 0 || count == 0 {
			return nil
		}
	}
	if offset >= n {
		return nil
	}
	left := n - offset
	if count >= 0 {
		left = min(left, count)
	}
	if rev {
		return s.list.appendEntries(make([]Entry, 0, left), b-offset, left, true)
	}
	return s.list.appendEntries(make([]Entry, 0, left), a+offset, left, false)
}

// RangeByScore is ZRANGE min max BYSCORE [REV] [LIMIT offset count]: the
// members with scores between min and max, ascending or, with rev,
// descending. Unlike the Redis command, min comes first even with rev.
// O(log n + offset + m) expected.
func (s *SortedSet) RangeByScore(min, max ScoreBound, rev bool, lim Limit) []Entry {
	a, b := s.scoreRange(min, max)
	return s.walk(a, b, rev, lim)
}

// RangeByLex is ZRANGE min max BYLEX [REV] [LIMIT offset count]: the members
// between min and max in byte order (see [SortedSet.LexCount] for the
// same-score assumption). Unlike the Redis command, min comes first even with
// rev.
func (s *SortedSet) RangeByLex(min, max LexBound, rev bool, lim Limit) []Entry {
	a, b := s.lexRange(min, max)
	return s.walk(a, b, rev, lim)
}

// PopMin is ZPOPMIN key count: it removes and returns up to count members
// with the lowest scores, lowest first. It returns ErrNegativeCount for
// count < 0.
func (s *SortedSet) PopMin(count int) ([]Entry, error) {
	return s.pop(count, false)
}

// PopMax is ZPOPMAX key count: it removes and returns up to count members
// with the highest scores, highest first.
func (s *SortedSet) PopMax(count int) ([]Entry, error) {
	return s.pop(count, true)
}

func (s *SortedSet) pop(count int, highest bool) ([]Entry, error) {
	if count < 0 {
		return nil, ErrNegativeCount
	}
	count = min(count, s.Card())
	out := make([]Entry, 0, count)
	for range count {
		var (
			id uint32
			e  Entry
		)
		take := func(x uint32, xe Entry) bool { id, e = x, xe; return false }
		if highest {
			s.list.descend(s.list.len()-1, take)
		} else {
			s.list.ascend(0, take)
		}
		out = append(out, e)
		s.drop(id, e.Member)
	}
	return out, nil
}

// removeRanks deletes the elements with ascending ranks in [a, b).
func (s *SortedSet) removeRanks(a, b int) int {
	if a >= b {
		return 0
	}
	type victim struct {
		id     uint32
		member string
	}
	victims := make([]victim, 0, b-a)
	s.list.ascend(a, func(id uint32, e Entry) bool {
		victims = append(victims, victim{id, e.Member})
		return len(victims) < b-a
	})
	for _, v := range victims {
		s.drop(v.id, v.member)
	}
	return len(victims)
}

// drop removes member m, with the given id, from all three structures.
func (s *SortedSet) drop(id uint32, m string) {
	s.version++
	slot := s.dict.slotOf(m, id)
	s.list.delete(id, slot)
	s.dict.removeSlot(slot)
	s.sl.release(id)
}

// RemRangeByRank is ZREMRANGEBYRANK: it removes the members at positions
// start through stop (Redis index rules, as [SortedSet.RangeByRank]) and
// returns how many it removed.
func (s *SortedSet) RemRangeByRank(start, stop int) int {
	a, b := normRanks(start, stop, s.Card())
	return s.removeRanks(a, b)
}

// RemRangeByScore is ZREMRANGEBYSCORE: it removes the members with scores
// between min and max and returns how many it removed.
func (s *SortedSet) RemRangeByScore(min, max ScoreBound) int {
	a, b := s.scoreRange(min, max)
	return s.removeRanks(a, b+1)
}

// RemRangeByLex is ZREMRANGEBYLEX: it removes the members between min and
// max in byte order and returns how many it removed.
func (s *SortedSet) RemRangeByLex(min, max LexBound) int {
	a, b := s.lexRange(min, max)
	return s.removeRanks(a, b+1)
}

// All returns an iterator over the members in ascending order (score, then
// member bytes). Changing the set during iteration is safe: the iteration
// then continues with the first member after the last one yielded, in the
// order at that moment (so a member whose score moved may be seen twice or
// not at all).
func (s *SortedSet) All() iter.Seq[Entry] {
	return func(yield func(Entry) bool) { s.iterate(false, yield) }
}

// Backward returns an iterator over the members in descending order, with
// [SortedSet.All]'s rules for changes during iteration.
func (s *SortedSet) Backward() iter.Seq[Entry] {
	return func(yield func(Entry) bool) { s.iterate(true, yield) }
}

// iterate walks the index from one end and, whenever yield changed the set,
// seeks again past the last key yielded, so the walk never continues from
// a position the change may have moved or freed.
func (s *SortedSet) iterate(rev bool, yield func(Entry) bool) {
	i := 0
	if rev {
		i = s.list.len() - 1
	}
	for {
		v := s.version
		var last Entry
		stopped := false
		step := func(_ uint32, e Entry) bool {
			last = e
			if !yield(last) {
				stopped = true
				return false
			}
			return s.version == v
		}
		if rev {
			s.list.descend(i, step)
		} else {
			s.list.ascend(i, step)
		}
		if stopped || s.version == v {
			return
		}
		k := zkey{last.Score, last.Member}
		if rev {
			i = s.list.countWhile(func(x zkey) bool { return compareZ(x, k) < 0 }) - 1
		} else {
			i = s.list.countWhile(func(x zkey) bool { return compareZ(x, k) <= 0 })
		}
	}
}
