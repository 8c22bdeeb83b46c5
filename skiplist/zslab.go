package skiplist

import (
	"hash/maphash"
	"math/bits"
)

// The member store of a SortedSet: every member string and its score live
// once, under a uint32 id, and the member-to-id dictionary is an
// open-addressing table of ids (8 bytes a slot with the index's 32 bits)
// hashed by the member, instead of a map[string]float64 that would hold a
// second string header and score per member. Under the B+ tree index the
// members and scores live in the tree's leaves and the slab below only hands
// out ids (it never allocates a chunk); under the skiplist index they live
// in the slab's chunks, and the skiplist refers to them by id.

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

// newID hands out an id without storing anything: the B+ tree index keeps
// members and scores in its leaves and uses the slab for ids only, so it
// never allocates a chunk.
func (s *slab) newID() uint32 {
	if n := len(s.free); n > 0 {
		id := s.free[n-1]
		s.free = s.free[:n-1]
		return id
	}
	s.next++
	return s.next - 1
}

// store records member and score under id (from newID), allocating chunks
// as needed.
func (s *slab) store(id uint32, member string, score float64) {
	for int(id>>chunkBits) >= len(s.chunks) {
		s.chunks = append(s.chunks, new(chunk))
	}
	*s.ent(id) = zent{member: member, score: score}
}

// release frees id, clearing its entry if it has one.
func (s *slab) release(id uint32) {
	if int(id>>chunkBits) < len(s.chunks) {
		*s.ent(id) = zent{}
	}
	s.free = append(s.free, id)
}

// dict maps a member to its id: linear probing over 64-bit slots, at most
// 3/4 full, deletion by backward shift (no tombstones). The high 32 bits
// of a slot belong to the index: the B+ tree keeps there the handle of the
// leaf holding the member and the member's slot in that leaf, so a lookup
// goes from the dictionary slot straight to the member's string header and
// score (see dict.member). In the low 32 bits, the low shift
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
	// The members live in the leaves of bt, the B+ tree index, when it is
	// set, and otherwise in sl (under the skiplist index); see member.
	bt *btree
	sl *slab
}

// member returns the member with the given id, whose slot holds aux in its
// high half: under the B+ tree the leaf and the slot in it that aux names,
// under the skiplist the slab entry of id. A branch rather than a function
// value, so that it inlines into find.
func (d *dict) member(id, aux uint32) string {
	if d.bt != nil {
		return d.bt.leaf(aux >> slotBits).ents[aux&slotOfMask].member
	}
	return d.sl.member(id)
}

func newDict() dict { return dict{seed: maphash.MakeSeed()} }

// memberAt returns the member in the (non-empty) slot value v.
func (d *dict) memberAt(v uint64) string {
	return d.member(uint32(v)&d.idMask()-1, uint32(v>>32))
}

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
func (d *dict) find(m string) (id uint32, slot int, ok bool) {
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
		if v&^idm != tag {
			continue
		}
		// d.member, written out so that it inlines.
		var got string
		if aux := uint32(d.slots[i] >> 32); d.bt != nil {
			got = d.bt.leaf(aux >> slotBits).ents[aux&slotOfMask].member
		} else {
			got = d.sl.member(v&idm - 1)
		}
		if got == m {
			return v&idm - 1, i, true
		}
	}
}

// slotOf returns the slot of id, whose member m must be present: it hashes
// m and looks for the id, comparing no strings.
func (d *dict) slotOf(m string, id uint32) int {
	return d.slotHashed(d.hash(m), id)
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

// insert adds id for member m, which must be absent, with zero index bits.
func (d *dict) insert(m string, id uint32) {
	if (d.n+1)*4 > len(d.slots)*3 {
		d.grow()
	}
	d.place(d.hash(m), id, 0)
	d.n++
}

// place puts id, whose member hashes to h, in the first free slot of its
// probe run.
func (d *dict) place(h uint64, id, aux uint32) {
	mask := len(d.slots) - 1
	i := int(h) & mask
	for d.slots[i] != 0 {
		i = (i + 1) & mask
	}
	d.slots[i] = uint64(aux)<<32 | uint64(id+1|d.tag(h))
}

func (d *dict) grow() {
	old, oldMask := d.slots, d.idMask()
	d.slots = make([]uint64, max(8, 2*len(old)))
	d.shift = min(uint(bits.Len(uint(len(d.slots)))), 32)
	for _, v := range old {
		if v != 0 {
			id, aux := uint32(v)&oldMask-1, uint32(v>>32)
			d.place(d.hash(d.member(id, aux)), id, aux)
		}
	}
}

// removeSlot empties slot i and shifts the rest of its probe run back.
func (d *dict) removeSlot(i int) {
	mask := len(d.slots) - 1
	for j := (i + 1) & mask; d.slots[j] != 0; j = (j + 1) & mask {
		h := int(d.hash(d.memberAt(d.slots[j]))) & mask
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
