package hashring

import "math/bits"

// Preference lists (and the exact path of the owner table below) go
// through a bucket index small enough to stay in the CPU's L2 cache. The
// hash space is cut into B buckets, a power of two with V/B in [avgPerBucket/2, avgPerBucket) for V points, and index[b] is the
// position of the first point at or after the start of bucket b (the
// hashes h with h>>shift == b). The owner of h is among the points from
// index[h>>shift] that are below h plus one, and points in later buckets
// are never below h, so a lookup reads the index entry (an L2 hit) and
// then one run of lookWidth points, 64 bytes, usually one or two adjacent
// cache lines, counting those below h with borrow arithmetic rather than
// branches; it loops on only when all of them are below h (a bucket with
// more than lookWidth points, under 1% of lookups). Branch-free counting
// matters: a mispredicted branch throws away the loads of the following
// lookups that the CPU has already started, and with the points out of
// cache those overlapped loads are most of the speed.
//
// The index costs 4 bytes per bucket, 1-2 bytes per virtual node (1 MB
// at 1,000 nodes x 1,024 virtual nodes); the points cost 8 bytes each.
const (
	lookWidth    = 8
	avgPerBucket = 4
)

// buildIndex fills st.index, st.shift and st.ext from st.points.
func (st *ringState) buildIndex() {
	np := len(st.points)
	b := max(bits.Len(uint(np))-bits.Len(avgPerBucket-1), 1)
	st.shift = uint(64 - b)
	st.index = make([]uint32, 1<<b)
	j := 0
	for bucket := range st.index {
		lo := uint64(bucket) << st.shift
		for j < np && st.points[j] < lo {
			j++
		}
		st.index[bucket] = uint32(j)
	}
	if np == 0 {
		st.ext = st.points
		return
	}
	s := ^uint64(ownerMask) | st.points[0]&ownerMask
	for range lookWidth {
		st.points = append(st.points, s)
	}
	st.ext = st.points
	st.points = st.ext[:np]
	st.buildTable()
}

// find returns the position in ext of the first point at or after h; past
// the last point it is a sentinel, owned like the first point. The caller
// guarantees there is at least one point.
func (st *ringState) find(h uint64) int {
	t := h &^ ownerMask
	i := int(st.index[h>>(st.shift&63)])
	q := st.ext[i : i+lookWidth : i+lookWidth]
	_, b0 := bits.Sub64(q[0], t, 0)
	_, b1 := bits.Sub64(q[1], t, 0)
	_, b2 := bits.Sub64(q[2], t, 0)
	_, b3 := bits.Sub64(q[3], t, 0)
	_, b4 := bits.Sub64(q[4], t, 0)
	_, b5 := bits.Sub64(q[5], t, 0)
	_, b6 := bits.Sub64(q[6], t, 0)
	_, b7 := bits.Sub64(q[7], t, 0)
	n := i + int(b0+b1+b2+b3+b4+b5+b6+b7)
	if b7 != 0 {
		for n < len(st.points) && st.ext[n] < t {
			n++
		}
	}
	return n
}

// locate returns the position of the first point at or after h (wrapping).
// The caller guarantees there is at least one point.
func (st *ringState) locate(h uint64) int {
	i := st.find(h)
	if i >= len(st.points) {
		i = 0
	}
	return i
}

// Get answers from an owner table instead, one 64-byte cache line per
// lookup. The index and the points above cost two or three cache misses
// per lookup at 1,000 nodes (9 MB, out of the L2 cache), and those misses
// were most of the time; the table needs one.
//
// The table cuts the hash space into nb slots, nb about V/slotLoad, by
// multiplying (t * nb as a 128-bit product: the high word is the slot, the
// low word the position inside it), which keeps the order of hashes for any
// nb, not only powers of two. A slot holds, sorted, the points that fall in
// it as 15-bit positions inside the slot (frag) with their owners, padded
// to slotWidth with frag fragMax and the owner of the first point after the
// slot. The owner of t is then owners[c], where c counts the frags below
// t's frag: four SWAR subtractions over the frags, no branches. Two cases go
// to the exact path (find): frag c equal to t's (the 15 bits cannot order
// them; measured one lookup in 5,800) and a slot with more than
// slotWidth-1 points (its frags are all 0, so c comes out as slotWidth;
// measured one slot in 2,800, the Poisson tail predicts one in 2,200).
//
// The table costs 64 bytes per slot, about 11 bytes per virtual node, on
// top of the points and the index, which the preference lists and the exact
// path still use.
const (
	slotWidth = 16
	slotLoad  = 6 // average points per slot
	fragBits  = 15
	fragMax   = 1<<fragBits - 1
	lanes     = 0x0001_0001_0001_0001 // 1 in each 16-bit lane
	laneHigh  = 0x8000_8000_8000_8000 // the top bit of each lane
)

// slot is one cache line of the owner table: frags packed four to a word,
// 16 bits a lane with the top bit clear, and the owner for each count.
type slot struct {
	frags  [slotWidth / 4]uint64
	owners [slotWidth]uint16
}

// slotOf returns the slot of a point or key hash t (low bits cleared) in a
// table of nb slots and its 15-bit position inside the slot.
func slotOf(t, nb uint64) (uint64, uint64) {
	hi, lo := bits.Mul64(t, nb)
	return hi, lo >> (64 - fragBits)
}

// buildTable fills st.table from st.points (at least one point).
func (st *ringState) buildTable() {
	np := len(st.points)
	nb := uint64((np + slotLoad - 1) / slotLoad)
	st.table = make([]slot, nb)
	j := 0
	for s := range st.table {
		sl := &st.table[s]
		var frags [slotWidth]uint64
		start := j
		for ; j < np; j++ {
			hi, f := slotOf(st.points[j]&^ownerMask, nb)
			if hi != uint64(s) {
				break
			}
			if n := j - start; n < slotWidth {
				frags[n] = f
				sl.owners[n] = uint16(st.points[j] & ownerMask)
			}
		}
		if n := j - start; n < slotWidth {
			after := uint16(st.points[j%np] & ownerMask)
			for i := n; i < slotWidth; i++ {
				frags[i] = fragMax
				sl.owners[i] = after
			}
		} else {
			// Frags all 0: every lookup counts slotWidth and takes find.
			frags = [slotWidth]uint64{}
		}
		for w := range sl.frags {
			sl.frags[w] = frags[4*w] | frags[4*w+1]<<16 | frags[4*w+2]<<32 | frags[4*w+3]<<48
		}
	}
}

// get returns the ID of the node owning h, or false if there are no
// points.
func (st *ringState) get(h uint64) (string, bool) {
	if len(st.points) == 0 {
		return "", false
	}
	return st.nodes[st.owner(h)].ID, true
}

// owner returns the owner index of the first point at or after h,
// wrapping. The caller guarantees there is at least one point.
func (st *ringState) owner(h uint64) uint64 {
	t := h &^ ownerMask
	s, f := slotOf(t, uint64(len(st.table)))
	sl := &st.table[s]
	// In every lane, k-frag keeps the top bit iff frag < f; lanes never
	// borrow from each other (k >= 0x7fff per lane, frag <= 0x7fff).
	k := f*lanes | laneHigh - lanes
	lt0 := (k - sl.frags[0]) & laneHigh
	lt1 := (k - sl.frags[1]) & laneHigh
	lt2 := (k - sl.frags[2]) & laneHigh
	lt3 := (k - sl.frags[3]) & laneHigh
	// c counts the frags below f: the lanes summed into the top one (each
	// holds 0..4 after adding the four words).
	c := ((lt0>>15 + lt1>>15 + lt2>>15 + lt3>>15) * lanes) >> 48
	// The frags are sorted, so frag c is the first at or above f; if it
	// equals f, the 15 bits cannot order t against its point. c ==
	// slotWidth is an overfull slot (all frags 0). Testing only frag c for
	// equality, rather than every lane, keeps the values in registers.
	if c >= slotWidth || sl.frags[c/4&3]>>(16*(c%4))&fragMax == f {
		return st.ext[st.find(h)] & ownerMask
	}
	return uint64(sl.owners[c])
}
