package skiplist

import (
	"hash/maphash"
	"math/bits"
)

// The member store of a SortedSet: every member string and its score live
// once, in a slab of fixed-size chunks indexed by a uint32 id, and the
// member-to-id dictionary is an open-addressing table of ids (8 bytes a
// slot with the index's leaf handle) hashed by the member, instead of a map[string]float64 that would
// hold a second string header and score per member. The ordered index
// refers to members by id too.

// A chunk is 2048 entries, 48 KiB: above 32 KiB the Go allocator gives an
// object whole 8 KiB pages and no header, so the slab costs exactly 24
// bytes a member (1024 entries, 24 KiB plus the allocator's 8-byte header,
// would land in the 27 KiB size class).
const (
	chunkBits = 11
	chunkLen  = 1 << chunkBits
	chunkMask = chunkLen - 1
)

// zent is one slab slot. A member's string header and its score sit side
// by side, so a lookup that has just verified the member finds the score
// in the same cache line. The B+ tree leaf that holds the member is not
// here but in the member's dictionary slot (see dict), so the leaf is
// fetched at the same time as this entry instead of after it.
type zent struct {
	member string
	score  float64
}

type chunk [chunkLen]zent

// slab holds members and scores by id. Freed ids are reused.
type slab struct {
	chunks []*chunk
	next   uint32 // ids below next have been handed out
	free   []uint32
}

func (s *slab) ent(id uint32) *zent     { return &s.chunks[id>>chunkBits][id&chunkMask] }
func (s *slab) member(id uint32) string { return s.ent(id).member }
func (s *slab) score(id uint32) float64 { return s.ent(id).score }
func (s *slab) setScore(id uint32, v float64) {
	s.ent(id).score = v
}

// key returns the index key of id.
func (s *slab) key(id uint32) zkey {
	e := s.ent(id)
	return zkey{e.score, e.member}
}

func (s *slab) alloc(member string, score float64) uint32 {
	var id uint32
	if n := len(s.free); n > 0 {
		id = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		id = s.next
		s.next++
		if int(id>>chunkBits) == len(s.chunks) {
			s.chunks = append(s.chunks, new(chunk))
		}
	}
	*s.ent(id) = zent{member: member, score: score}
	return id
}

func (s *slab) release(id uint32) {
	*s.ent(id) = zent{}
	s.free = append(s.free, id)
}

// dict maps a member to its id: linear probing over 64-bit slots, at most
// 3/4 full, deletion by backward shift (no tombstones). The high 32 bits
// of a slot belong to the index: the B+ tree keeps there the handle of the
// leaf holding the member, so ZRANK, a score change or a window reads the
// leaf in parallel with the slab entry (two cache misses at once instead
// of one after the other); at a million members the 4 more bytes a slot
// cost about as much as the 8-byte leaf pointer the slab entry used to
// carry. In the low 32 bits, the low shift
// bits hold id+1 (0 is empty) and the high bits a tag from the member's
// hash, so a probe that meets another member's slot almost never has to
// read that member: at a million members the table has 2^21 slots,
// ids need 22 bits and the 10-bit tag lets one mismatch in 1,024 through.
// Ids stay below the table size (the slab reuses freed ids, so it never
// hands out more ids than the set's peak size), which is what makes the
// split safe; past 2^31 slots the tag shrinks to nothing.
type dict struct {
	slots []uint64
	n     int
	shift uint
	seed  maphash.Seed
}

func newDict() dict { return dict{seed: maphash.MakeSeed()} }

func (d *dict) hash(m string) uint64 { return maphash.String(d.seed, m) }

// tag returns the tag bits of hash h, already shifted into place.
func (d *dict) tag(h uint64) uint32 {
	if d.shift >= 32 {
		return 0
	}
	return uint32(h>>32) >> d.shift << d.shift
}

func (d *dict) idMask() uint32 { return uint32(uint64(1)<<d.shift - 1) }

// find returns the id of m and its slot.
func (d *dict) find(sl *slab, m string) (id uint32, slot int, ok bool) {
	if d.n == 0 {
		return 0, 0, false
	}
	h := d.hash(m)
	mask, tag, idm := len(d.slots)-1, d.tag(h), d.idMask()
	for i := int(h) & mask; ; i = (i + 1) & mask {
		v := uint32(d.slots[i])
		if v == 0 {
			return 0, 0, false
		}
		if v&^idm == tag && sl.member(v&idm-1) == m {
			return v&idm - 1, i, true
		}
	}
}

// slotOf returns the slot of id, which must be present: it hashes id's
// member again and looks for the id, comparing no strings.
func (d *dict) slotOf(sl *slab, id uint32) int {
	return d.slotHashed(d.hash(sl.member(id)), id)
}

// slotHashed is slotOf for a caller that has already hashed id's member
// (h is d.hash of it).
func (d *dict) slotHashed(h uint64, id uint32) int {
	mask, idm := len(d.slots)-1, d.idMask()
	for i := int(h) & mask; ; i = (i + 1) & mask {
		v := uint32(d.slots[i])
		if v == 0 {
			panic("skiplist: dictionary lost a member")
		}
		if v&idm == id+1 {
			return i
		}
	}
}

// aux returns the index's 32 bits of slot i.
func (d *dict) aux(i int) uint32 { return uint32(d.slots[i] >> 32) }

// setAux sets the index's 32 bits of slot i.
func (d *dict) setAux(i int, v uint32) {
	d.slots[i] = uint64(v)<<32 | uint64(uint32(d.slots[i]))
}

// insert adds id, whose member must be absent, with zero index bits.
func (d *dict) insert(sl *slab, id uint32) {
	if (d.n+1)*4 > len(d.slots)*3 {
		d.grow(sl)
	}
	d.place(sl, id, 0)
	d.n++
}

func (d *dict) place(sl *slab, id, aux uint32) {
	h := d.hash(sl.member(id))
	mask := len(d.slots) - 1
	i := int(h) & mask
	for d.slots[i] != 0 {
		i = (i + 1) & mask
	}
	d.slots[i] = uint64(aux)<<32 | uint64(id+1|d.tag(h))
}

func (d *dict) grow(sl *slab) {
	old, oldMask := d.slots, d.idMask()
	d.slots = make([]uint64, max(8, 2*len(old)))
	d.shift = min(uint(bits.Len(uint(len(d.slots)))), 32)
	for _, v := range old {
		if v != 0 {
			d.place(sl, uint32(v)&oldMask-1, uint32(v>>32))
		}
	}
}

// removeSlot empties slot i and shifts the rest of its probe run back.
func (d *dict) removeSlot(sl *slab, i int) {
	mask, idm := len(d.slots)-1, d.idMask()
	for j := (i + 1) & mask; d.slots[j] != 0; j = (j + 1) & mask {
		h := int(d.hash(sl.member(uint32(d.slots[j])&idm-1))) & mask
		// Move slots[j] into the hole at i unless its home lies
		// cyclically in (i, j].
		if (j > i && (h <= i || h > j)) || (j < i && h <= i && h > j) {
			d.slots[i] = d.slots[j]
			i = j
		}
	}
	d.slots[i] = 0
	d.n--
}
