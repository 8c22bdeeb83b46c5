package bloom

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"

	"github.com/sysdesign-go/sysdesign/internal/mix"
)

const (
	blockBytes = 64 // one cache line
	blockBits  = blockBytes * 8
)

// Blocked is a blocked Bloom filter (Putze, Sanders and Singler, "Cache-,
// Hash- and Space-Efficient Bloom Filters", 2007): the hash picks one 64-byte
// block, and all k probes fall inside it, so a lookup touches one cache line.
// Inside the block the probes are split over its eight 64-bit words, probe j
// setting one bit of word j mod 8 (the "split block" form of Impala, Parquet
// and RocksDB), so a lookup of the usual k = 8 is eight word tests with no
// branch. It needs about 5-20% more bits than [Filter] for the same
// false-positive rate (see the package documentation); [NewBlocked] sizes
// for that.
//
// Blocked keeps its bits in a byte slice in the encoded layout, so
// [ViewBlocked] can query an encoding in place, without copying.
//
// The zero value is not usable; create a Blocked with [NewBlocked] or
// [ViewBlocked]. A Blocked is not safe for concurrent use: any number of
// goroutines may call the Contains methods at once, but Add, Union,
// Intersect, Reset and UnmarshalBinary need exclusive access.
type Blocked struct {
	blocks  []byte // nblocks * 64 bytes
	nblocks uint64
	k       uint32
	layout  uint32 // layoutWords, or layoutProbes for filters decoded from older encodings
	view    bool   // blocks aliases caller memory
}

// The two probe layouts, recorded in the encoding. Filters encoded before
// the word layout existed carry 0 in that field and keep answering with
// the layout they were built with; new filters use layoutWords.
const (
	// layoutProbes: every probe is any of the 512 bits, 9 bits of hash
	// each, seven per 64-bit word of hash, remixed for more.
	layoutProbes = 0
	// layoutWords: probe j is bit (6 bits of hash) of word j mod 8, ten
	// probes per 64-bit word of hash, remixed for more.
	layoutWords = 1
)

// blockedFixed is the size of the kind-specific fields: nblocks u64, k u32,
// layout u32.
const blockedFixed = 16

// NewBlocked returns a blocked filter for n items at false-positive rate
// fpr in (0, 1). n == 0 is treated as 1.
func NewBlocked(n uint64, fpr float64) (*Blocked, error) {
	if err := checkRate(fpr); err != nil {
		return nil, err
	}
	if n == 0 {
		n = 1
	}
	c, k := blockedParams(fpr)
	nb := uint64(math.Ceil(c * float64(n) / blockBits))
	return NewBlockedSized(nb, uint32(k))
}

// NewBlockedSized returns a blocked filter of nblocks 64-byte blocks
// (nblocks >= 1) with k probes per key (1 <= k <= 32). k = 8 uses every
// word of a block once and has the fastest lookup; 16 suits about 20 or
// more bits per key.
func NewBlockedSized(nblocks uint64, k uint32) (*Blocked, error) {
	if nblocks == 0 || nblocks > 1<<34 {
		return nil, fmt.Errorf("%w: %d blocks not in [1, 2^34]", ErrConfig, nblocks)
	}
	if k == 0 || k > maxK {
		return nil, fmt.Errorf("%w: k = %d not in [1, %d]", ErrConfig, k, maxK)
	}
	return &Blocked{blocks: make([]byte, nblocks*blockBytes), nblocks: nblocks, k: k, layout: layoutWords}, nil
}

// Blocks returns the number of 64-byte blocks.
func (b *Blocked) Blocks() uint64 { return b.nblocks }

// M returns the number of bits, 512 per block.
func (b *Blocked) M() uint64 { return b.nblocks * blockBits }

// K returns the number of probes per key.
func (b *Blocked) K() uint32 { return b.k }

// block returns the 64-byte block of h: its high bits choose it (a
// multiply, not a modulo).
func (b *Blocked) block(h uint64) *[blockBytes]byte {
	off := reduce(h, b.nblocks) * blockBytes
	return (*[blockBytes]byte)(b.blocks[off : off+blockBytes])
}

// probeBits returns the bits the probes of h are cut from. In the word
// layout that is h times an odd constant: bit i of the product depends on
// bits 0..i of h, so the 48 bits the first eight probes use come from the
// low bits of h, which the block choice does not fix, mixed by the carries
// even where a very large filter's block takes some of them. It gives the
// FPR of the model (TestBlockedProbesIndependentOfBlockBits) with 74
// instructions a lookup where remixing with mix.Murmur64 took 85. Older
// encodings use mix.Murmur64(h). Independent probe bits
// keep the measured FPR on the model; a double-hashing stride inside the
// block does not.
func (b *Blocked) probeBits(h uint64) uint64 {
	if b.layout == layoutProbes {
		return mix.Murmur64(h)
	}
	return h * wordMul
}

// wordMul is an odd 64-bit constant (from MurmurHash3's finalizer).
const wordMul = 0xff51afd7ed558ccd

const probeInc = 0x9e3779b97f4a7c15

// Add inserts key. If b was made by [ViewBlocked], Add writes to the viewed
// bytes.
func (b *Blocked) Add(key []byte) { b.AddHash(Hash(key)) }

// AddString inserts key without converting it to bytes.
func (b *Blocked) AddString(key string) { b.AddHash(HashString(key)) }

// AddHash inserts a key given its [Hash].
func (b *Blocked) AddHash(h uint64) {
	blk, x := b.block(h), b.probeBits(h)
	words, per := b.layout == layoutWords, b.probesPerWord()
	for j, g := uint32(0), uint32(0); j < b.k; j, g = j+1, g+1 {
		if g == per {
			x, g = mix.Murmur64(x+probeInc), 0
		}
		p := probeBit(words, j, g, x)
		blk[p>>3] |= 1 << (p & 7)
	}
}

// wordProbes is the number of 6-bit probes taken from one 64-bit hash in
// the word layout.
const wordProbes = 10

// probesPerWord returns how many probes are cut from one 64-bit word of
// probe bits before it is remixed: wordProbes 6-bit probes in the word
// layout, seven 9-bit ones in the older layout.
func (b *Blocked) probesPerWord() uint32 {
	if b.layout == layoutWords {
		return wordProbes
	}
	return 7
}

// probeBit returns the bit of the block (0 to 511) of probe j, the g-th
// cut from the probe bits x. In the word layout it is bit (6 bits of x) of
// little-endian word j mod 8; in the older layout any bit (9 bits of x).
func probeBit(words bool, j, g uint32, x uint64) uint64 {
	if words {
		return 64*uint64(j%8) + x>>(6*g)&63
	}
	return x >> (9 * g) & (blockBits - 1)
}

// Contains reports whether key may have been added. It reads one cache
// line.
func (b *Blocked) Contains(key []byte) bool { return b.ContainsHash(Hash(key)) }

// ContainsString is [Blocked.Contains] for a string.
func (b *Blocked) ContainsString(key string) bool { return b.ContainsHash(HashString(key)) }

// ContainsHash is [Blocked.Contains] for a key given its [Hash].
func (b *Blocked) ContainsHash(h uint64) bool {
	blk := b.block(h)
	if b.k == 8 && b.layout == layoutWords {
		x := h * wordMul
		// The sizing's choice from 0.1% to 10% FPR: one probe in each
		// word, tested in straight-line code. The AND of the eight
		// tests is 1 only if every probed bit is set; no branch waits
		// for the cache line.
		le := binary.LittleEndian
		in := bitSet(le.Uint64(blk[0:]), x)
		in &= bitSet(le.Uint64(blk[8:]), x>>6)
		in &= bitSet(le.Uint64(blk[16:]), x>>12)
		in &= bitSet(le.Uint64(blk[24:]), x>>18)
		in &= bitSet(le.Uint64(blk[32:]), x>>24)
		in &= bitSet(le.Uint64(blk[40:]), x>>30)
		in &= bitSet(le.Uint64(blk[48:]), x>>36)
		in &= bitSet(le.Uint64(blk[56:]), x>>42)
		return in != 0
	}
	// Any other k or layout, probe by probe. Written out here rather
	// than called, so ContainsHash calls nothing and, as a leaf, needs no
	// stack check on the k = 8 path above.
	x := b.probeBits(h)
	words, per := b.layout == layoutWords, b.probesPerWord()
	for j, g := uint32(0), uint32(0); j < b.k; j, g = j+1, g+1 {
		if g == per {
			x, g = mix.Murmur64(x+probeInc), 0
		}
		if p := probeBit(words, j, g, x); blk[p>>3]>>(p&7)&1 == 0 {
			return false
		}
	}
	return true
}

// bitSet returns 1 if bit p&63 of w is set, else 0. It compiles to a bit
// test (BT) and a flag read, where the same test as a shift by p needs the
// count in CX and, before BMI2, a two-micro-op shift.
func bitSet(w, p uint64) uint8 {
	if w&(1<<(p&63)) != 0 {
		return 1
	}
	return 0
}

func popcountBytes(bs []byte) uint64 {
	var n uint64
	for _, c := range bs {
		n += uint64(bits.OnesCount8(c))
	}
	return n
}

// ApproxCount estimates the number of distinct keys added from the fraction
// of set bits, as [Filter.ApproxCount] does. Uneven block loads make it
// slightly low for a full filter.
func (b *Blocked) ApproxCount() uint64 { return estimateCount(b.M(), b.k, popcountBytes(b.blocks)) }

// FillRatio returns the fraction of bits set, in [0, 1].
func (b *Blocked) FillRatio() float64 { return float64(popcountBytes(b.blocks)) / float64(b.M()) }

// Reset clears every bit.
func (b *Blocked) Reset() { clear(b.blocks) }

// Clone returns an independent copy that owns its memory.
func (b *Blocked) Clone() *Blocked {
	c := *b
	c.blocks = append([]byte(nil), b.blocks...)
	c.view = false
	return &c
}

func (b *Blocked) compatible(o *Blocked) error {
	if b.nblocks != o.nblocks || b.k != o.k || b.layout != o.layout {
		return fmt.Errorf("%w: %d blocks k=%d layout %d vs %d blocks k=%d layout %d",
			ErrIncompatible, b.nblocks, b.k, b.layout, o.nblocks, o.k, o.layout)
	}
	return nil
}

// Union sets b to the union of b and o, which must have the same number of
// blocks, K and probe layout.
func (b *Blocked) Union(o *Blocked) error {
	if err := b.compatible(o); err != nil {
		return err
	}
	for i, c := range o.blocks {
		b.blocks[i] |= c
	}
	return nil
}

// Intersect sets b to the bitwise intersection of b and o, which must have
// the same number of blocks, K and probe layout. Keys added to both still answer true.
func (b *Blocked) Intersect(o *Blocked) error {
	if err := b.compatible(o); err != nil {
		return err
	}
	for i, c := range o.blocks {
		b.blocks[i] &= c
	}
	return nil
}

// EncodedLen returns the length of the encoding of b in bytes:
// 8 + 16 + 64*Blocks() + 8.
func (b *Blocked) EncodedLen() int { return headerLen + blockedFixed + len(b.blocks) + sumLen }

// AppendBinary appends the encoding of b to dst. It implements
// [encoding.BinaryAppender].
func (b *Blocked) AppendBinary(dst []byte) ([]byte, error) {
	start := len(dst)
	dst = appendHeader(dst, kindBlocked)
	dst = appendU64(dst, b.nblocks)
	dst = appendU32(dst, b.k)
	dst = appendU32(dst, b.layout)
	dst = append(dst, b.blocks...)
	return appendSum(dst, start), nil
}

// MarshalBinary returns the encoding of b. It implements
// [encoding.BinaryMarshaler].
func (b *Blocked) MarshalBinary() ([]byte, error) {
	return b.AppendBinary(make([]byte, 0, b.EncodedLen()))
}

func decodeBlocked(data []byte) (Blocked, error) {
	body, err := open(data, kindBlocked)
	if err != nil {
		return Blocked{}, err
	}
	r := reader{b: body}
	nb := r.u64("block count")
	k := r.u32("k")
	layout := r.u32("layout")
	if r.err != nil {
		return Blocked{}, r.err
	}
	if nb == 0 || k == 0 || k > maxK || layout > layoutWords {
		return Blocked{}, corrupt("blocked filter with %d blocks k=%d layout %d", nb, k, layout)
	}
	if nb > uint64(len(r.b))/blockBytes {
		return Blocked{}, corrupt("%d blocks need %d bytes, have %d", nb, nb*blockBytes, len(r.b))
	}
	blocks := r.bytes(nb*blockBytes, "blocks")
	if err := r.done(); err != nil {
		return Blocked{}, err
	}
	return Blocked{blocks: blocks, nblocks: nb, k: k, layout: layout}, nil
}

// UnmarshalBinary replaces b with the filter encoded in data, which it
// copies. Truncated, corrupted or foreign input returns an error wrapping
// [ErrCorrupt], [ErrVersion] or [ErrWrongKind] and leaves b unchanged.
func (b *Blocked) UnmarshalBinary(data []byte) error {
	v, err := decodeBlocked(data)
	if err != nil {
		return err
	}
	v.blocks = append([]byte(nil), v.blocks...)
	*b = v
	return nil
}

// ViewBlocked returns a filter that reads its bits directly from data, an
// encoding made by [Blocked.AppendBinary] or [Blocked.MarshalBinary],
// without copying them. It verifies the header and the checksum (one pass
// over data), then each lookup reads one cache line of data.
//
// data must not be modified while the filter is in use, and Add on the
// result writes into data. This is the form to use for a filter stored
// inside a file that is kept in memory or mapped, such as an SSTable.
func ViewBlocked(data []byte) (*Blocked, error) {
	v, err := decodeBlocked(data)
	if err != nil {
		return nil, err
	}
	v.view = true
	return &v, nil
}

// IsView reports whether b reads from caller memory (it came from
// [ViewBlocked]).
func (b *Blocked) IsView() bool { return b.view }
