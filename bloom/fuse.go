package bloom

import (
	"fmt"
	"math"
	"math/bits"
	"slices"

	"github.com/sysdesign-go/sysdesign/internal/mix"
)

// Fuse is a binary fuse filter with 8-bit fingerprints (Graf and Lemire,
// "Binary Fuse Filters: Fast and Smaller Than Xor Filters", 2022,
// https://arxiv.org/abs/2201.01174) for a set known in full when it is
// built. Each key maps to three slots in consecutive segments of the array,
// and the slots are filled by peeling the key-slot hypergraph so that the
// XOR of a key's three slots equals its fingerprint.
//
// It uses about 9.0 bits per key at a million keys (1.125x the 8 bits of
// its 1/256 ≈ 0.39% FPR; smaller sets need relatively more), and a lookup
// reads three bytes. Keys cannot be added after building.
//
// The zero value is not usable; build one with [BuildFuse] or
// [BuildFuseHashes]. A Fuse is immutable after building, so it is safe for
// concurrent use (except UnmarshalBinary, which replaces it).
type Fuse struct {
	seed        uint64
	segLen      uint32
	segLenMask  uint32
	segCount    uint32
	segCountLen uint32
	fp          []uint8
	n           uint64
}

const (
	fuseMaxSegLen = 1 << 18
	fuseMaxKeys   = 1 << 32 / 2 // keeps the array length inside uint32
	fuseAttempts  = 100
)

// fuseShape returns the segment length and count for n keys, after Graf and
// Lemire's parameter formulas for arity 3.
func fuseShape(n int) (segLen, segCount uint32) {
	segLen = 4
	if n > 0 {
		segLen = 1 << int(math.Floor(math.Log(float64(n))/math.Log(3.33)+2.25))
	}
	segLen = min(segLen, fuseMaxSegLen)
	capacity := 0.0
	if n > 1 {
		factor := max(1.125, 0.875+0.25*math.Log(1e6)/math.Log(float64(n)))
		capacity = math.Round(float64(n) * factor)
	}
	c := int64(math.Ceil(capacity/float64(segLen))) - 2
	return segLen, uint32(max(c, 1))
}

// BuildFuse returns a binary fuse filter holding keys. Duplicate keys are
// allowed. It costs O(n) time and about 32 bytes per key of temporary
// memory (the hashes, then 24 bytes per key for the construction).
func BuildFuse(keys [][]byte) (*Fuse, error) {
	hs := make([]uint64, len(keys))
	for i, k := range keys {
		hs[i] = Hash(k)
	}
	return buildFuse(hs)
}

// BuildFuseHashes returns a binary fuse filter holding the keys whose
// [Hash] values are hashes. It does not modify or keep hashes. Duplicates
// are allowed (they cost a copy of hashes to remove). It costs O(n) time
// and about 24 bytes per key of temporary memory.
func BuildFuseHashes(hashes []uint64) (*Fuse, error) {
	return buildFuse(hashes) // copies hashes before deduplicating them
}

// buildFuse builds the filter of hs. It reads hs and copies it only if it
// has to remove duplicates, so hs may be the caller's slice.
//
// The construction follows Graf and Lemire: add every key to the counts
// and XORs of its three slots, in the order of its first slot (a counting
// sort on the top bits of the seeded hash), so the updates sweep the arrays
// instead of jumping; then peel slots holding one key, depth first, and
// assign fingerprints in reverse peeling order. Peeling a key updates only
// its two other slots (the slot it was peeled from is never touched
// again), and queue pushes and the initial scan are branch-free: their
// conditions are data-dependent and a branch on them mispredicts often.
func buildFuse(hs []uint64) (*Fuse, error) {
	if len(hs) > fuseMaxKeys {
		return nil, fmt.Errorf("%w: %d keys is more than a fuse filter takes (%d)", ErrConfig, len(hs), fuseMaxKeys)
	}
	f := &Fuse{}
	f.shape(len(hs))
	size := len(f.fp)
	count := make([]uint8, size) // 4*degree | xor of the slot numbers (0-2)
	xors := make([]uint64, size)
	queue := make([]uint32, size)
	stackSlot := make([]uint8, len(hs))
	ordered := make([]uint64, len(hs))
	stackH := ordered // free once the counts are in; peeling reuses it
	blockBits := max(1, bits.Len32(f.segCount))
	starts := make([]int, 1<<blockBits+1)
	deduped, dupes := false, false
	for attempt := range fuseAttempts {
		if (attempt == 2 || dupes) && !deduped {
			// Repeated failure is almost always duplicate keys, whose equal
			// hashes can never peel, and 63 keys on one slot certainly are
			// (the count would wrap). Remove them once and resize.
			hs = slices.Clone(hs)
			slices.Sort(hs)
			hs = slices.Compact(hs)
			deduped = true
			f.shape(len(hs))
			size = len(f.fp)
			if size > cap(count) {
				count, xors, queue = make([]uint8, size), make([]uint64, size), make([]uint32, size)
			}
			count, xors, queue = count[:size], xors[:size], queue[:size]
		}
		f.seed = mix.Murmur64(uint64(attempt) + probeInc)
		if attempt > 0 { // fresh allocations are already zero
			clear(count)
			clear(xors)
		}
		// Visit keys in the order of their first slot.
		shift := uint(64 - blockBits)
		// The seeded hashes wait in xors (as long as the filter, so longer
		// than hs) between the counting and the placing pass, so each is
		// computed once; xors is cleared before it is used for real.
		clear(starts)
		seeded := xors[:len(hs)]
		for i, k := range hs {
			h := mix.Murmur64(k + f.seed)
			seeded[i] = h
			starts[h>>shift+1]++
		}
		for b := 1; b < len(starts); b++ {
			starts[b] += starts[b-1]
		}
		for _, h := range seeded {
			b := h >> shift
			ordered[starts[b]] = h
			starts[b]++
		}
		clear(seeded)
		var full uint32 // bit 8 set once a slot about to be counted holds 63 keys
		for _, h := range ordered[:len(hs)] {
			h0, h1, h2 := f.slots(h)
			full |= uint32(count[h0]) + 4 | uint32(count[h1]) + 4 | uint32(count[h2]) + 4
			count[h0] += 4
			xors[h0] ^= h
			count[h1] += 4
			count[h1] ^= 1
			xors[h1] ^= h
			count[h2] += 4
			count[h2] ^= 2
			xors[h2] ^= h
		}
		if full>>8 != 0 {
			// A count would wrap past 63 keys: peeling could then take
			// XORs of several keys for one. Only duplicates get there
			// (about 2.7 keys per slot on average otherwise).
			dupes = true
			continue
		}
		qn := 0
		for i, c := range count {
			queue[qn] = uint32(i)
			qn += int(isOne(c))
		}
		sn := 0
		for qn > 0 {
			qn--
			idx := queue[qn]
			c := count[idx]
			if c>>2 != 1 {
				continue // emptied since it was queued
			}
			h := xors[idx]
			slot := c & 3
			stackH[sn], stackSlot[sn] = h, slot
			sn++
			h0, h1, h2 := f.slots(h)
			ring := [5]uint32{h0, h1, h2, h0, h1}
			o1, o2 := ring[slot+1], ring[slot+2]
			j1, j2 := mod3[slot+1], mod3[slot+2]
			// Push a slot when it drops from two keys to one.
			queue[qn] = o1
			qn += int(isOne(count[o1] - 4))
			count[o1] = (count[o1] - 4) ^ j1
			xors[o1] ^= h
			queue[qn] = o2
			qn += int(isOne(count[o2] - 4))
			count[o2] = (count[o2] - 4) ^ j2
			xors[o2] ^= h
		}
		if sn != len(hs) {
			continue
		}
		clear(f.fp)
		for i := sn - 1; i >= 0; i-- {
			h, slot := stackH[i], stackSlot[i]
			h0, h1, h2 := f.slots(h)
			ring := [5]uint32{h0, h1, h2, h0, h1}
			f.fp[ring[slot]] = fingerprint8(h) ^ f.fp[ring[slot+1]] ^ f.fp[ring[slot+2]]
		}
		f.n = uint64(len(hs))
		return f, nil
	}
	return nil, fmt.Errorf("%w: %d keys after %d seeds", ErrBuild, len(hs), fuseAttempts)
}

// mod3 is j mod 3 for j < 5: the slot number of ring[j] in buildFuse.
var mod3 = [5]uint8{0, 1, 2, 0, 1}

// isOne returns 1 if the count byte c says one key (c>>2 == 1), else 0,
// without a branch.
func isOne(c uint8) uint8 { return uint8((uint32(c>>2^1) - 1) >> 31) }

func (f *Fuse) shape(n int) {
	f.segLen, f.segCount = fuseShape(n)
	f.segLenMask = f.segLen - 1
	f.segCountLen = f.segCount * f.segLen
	f.fp = make([]uint8, (f.segCount+2)*f.segLen)
}

func fingerprint8(h uint64) uint8 { return uint8(h ^ h>>32) }

// slots returns the three slots of seeded hash h: one in each of three
// consecutive segments.
func (f *Fuse) slots(h uint64) (uint32, uint32, uint32) {
	hi, _ := bits.Mul64(h, uint64(f.segCountLen))
	h0 := uint32(hi)
	h1 := h0 + f.segLen
	h2 := h1 + f.segLen
	h1 ^= uint32(h>>18) & f.segLenMask
	h2 ^= uint32(h) & f.segLenMask
	return h0, h1, h2
}

// Len returns the number of distinct keys the filter was built from.
func (f *Fuse) Len() uint64 { return f.n }

// ApproxCount returns [Fuse.Len].
func (f *Fuse) ApproxCount() uint64 { return f.n }

// BitsPerKey returns the size of the fingerprint array in bits per key.
func (f *Fuse) BitsPerKey() float64 {
	return float64(8*len(f.fp)) / float64(max(f.n, 1))
}

// Contains reports whether key may be in the set. Keys of the set always
// answer true; others answer true with probability about 1/256.
func (f *Fuse) Contains(key []byte) bool { return f.ContainsHash(Hash(key)) }

// ContainsString is [Fuse.Contains] for a string.
func (f *Fuse) ContainsString(key string) bool { return f.ContainsHash(HashString(key)) }

// ContainsHash is [Fuse.Contains] for a key given its [Hash].
func (f *Fuse) ContainsHash(k uint64) bool {
	h := mix.Murmur64(k + f.seed)
	h0, h1, h2 := f.slots(h)
	return fingerprint8(h) == f.fp[h0]^f.fp[h1]^f.fp[h2]
}

// AppendBinary appends the encoding of f to dst. It implements
// [encoding.BinaryAppender].
func (f *Fuse) AppendBinary(dst []byte) ([]byte, error) {
	start := len(dst)
	dst = appendHeader(dst, kindFuse)
	dst = appendU64(dst, f.seed)
	dst = appendU64(dst, f.n)
	dst = appendU32(dst, f.segLen)
	dst = appendU32(dst, f.segCount)
	dst = append(dst, f.fp...)
	return appendSum(dst, start), nil
}

// MarshalBinary returns the encoding of f. It implements
// [encoding.BinaryMarshaler].
func (f *Fuse) MarshalBinary() ([]byte, error) { return f.AppendBinary(nil) }

// UnmarshalBinary replaces f with the filter encoded in data, which it
// copies. Bad input returns an error and leaves f unchanged.
func (f *Fuse) UnmarshalBinary(data []byte) error {
	body, err := open(data, kindFuse)
	if err != nil {
		return err
	}
	r := reader{b: body}
	seed := r.u64("seed")
	n := r.u64("key count")
	segLen := r.u32("segment length")
	segCount := r.u32("segment count")
	if r.err != nil {
		return r.err
	}
	if segLen == 0 || segLen&(segLen-1) != 0 || segLen > fuseMaxSegLen || segCount == 0 || n > fuseMaxKeys ||
		uint64(segCount)+2 > uint64(len(r.b))/uint64(segLen) || (uint64(segCount)+2)*uint64(segLen) > math.MaxUint32 {
		return corrupt("fuse filter segment length %d count %d", segLen, segCount)
	}
	size := (uint64(segCount) + 2) * uint64(segLen)
	fp := r.bytes(size, "fingerprints")
	if err := r.done(); err != nil {
		return err
	}
	*f = Fuse{seed: seed, n: n, segLen: segLen, segLenMask: segLen - 1, segCount: segCount,
		segCountLen: segCount * segLen, fp: slices.Clone(fp)}
	return nil
}
