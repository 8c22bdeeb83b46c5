package routing

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/cespare/xxhash/v2"
)

// Hierarchy file format, all integers little-endian:
//
//	magic    "RTCH"
//	version  uint32 (1)
//	n, mf, mb uint32: nodes, upward arcs, downward arcs
//	node     n x uint32: node ID of each rank
//	fFirst   (n+1) x uint32, fHead, fW, fMid: mf x uint32 each
//	bFirst   (n+1) x uint32, bHead, bW, bMid: mb x uint32 each
//	checksum uint64: xxhash64 of everything before it
//
// A middle of 0xFFFFFFFF means "original arc".
const (
	hierarchyMagic   = "RTCH"
	hierarchyVersion = 1
	headerLen        = 20
	maxFileArcs      = 1 << 28
)

// WriteTo writes h in the versioned, checksummed binary format that
// [ReadHierarchy] reads. It implements [io.WriterTo].
func (h *Hierarchy) WriteTo(w io.Writer) (int64, error) {
	size := headerLen + 4*(h.n+2*(h.n+1)+3*len(h.fArcs)+3*len(h.bArcs)) + 8
	buf := make([]byte, 0, size)
	buf = append(buf, hierarchyMagic...)
	le := binary.LittleEndian
	buf = le.AppendUint32(buf, hierarchyVersion)
	buf = le.AppendUint32(buf, uint32(h.n))
	buf = le.AppendUint32(buf, uint32(len(h.fArcs)))
	buf = le.AppendUint32(buf, uint32(len(h.bArcs)))
	u32 := func(s []uint32) {
		for _, x := range s {
			buf = le.AppendUint32(buf, x)
		}
	}
	// Columns: all heads, then all weights, then all middles.
	arcs := func(s []chEdge) {
		for _, a := range s {
			buf = le.AppendUint32(buf, a.head)
		}
		for _, a := range s {
			buf = le.AppendUint32(buf, a.w)
		}
		for _, a := range s {
			buf = le.AppendUint32(buf, uint32(a.mid))
		}
	}
	u32(h.node)
	u32(h.fFirst)
	arcs(h.fArcs)
	u32(h.bFirst)
	arcs(h.bArcs)
	buf = le.AppendUint64(buf, xxhash.Sum64(buf))
	n, err := w.Write(buf)
	return int64(n), err
}

// ReadHierarchy reads a hierarchy written by [Hierarchy.WriteTo]. It checks
// the magic, version ([ErrVersion]), checksum and the structure (node order
// is a permutation, arcs point upward, every shortcut's two halves exist and
// sum to its weight), and returns an error wrapping [ErrCorrupt] otherwise,
// so a loaded hierarchy can never make a query panic. Memory grows with the
// bytes actually read, not with sizes claimed by a corrupt header.
func ReadHierarchy(r io.Reader) (*Hierarchy, error) {
	hdr := make([]byte, headerLen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrCorrupt, err)
	}
	if string(hdr[:4]) != hierarchyMagic {
		return nil, fmt.Errorf("%w: bad magic %q", ErrCorrupt, hdr[:4])
	}
	le := binary.LittleEndian
	if v := le.Uint32(hdr[4:]); v != hierarchyVersion {
		return nil, fmt.Errorf("%w: version %d, want %d", ErrVersion, v, hierarchyVersion)
	}
	n, mf, mb := int(le.Uint32(hdr[8:])), int(le.Uint32(hdr[12:])), int(le.Uint32(hdr[16:]))
	if n > maxFileArcs || mf > maxFileArcs || mb > maxFileArcs {
		return nil, fmt.Errorf("%w: sizes %d/%d/%d too large", ErrCorrupt, n, mf, mb)
	}
	bodyLen := 4*(n+2*(n+1)+3*mf+3*mb) + 8
	body, err := io.ReadAll(io.LimitReader(r, int64(bodyLen)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if len(body) != bodyLen {
		return nil, fmt.Errorf("%w: %d body bytes, want %d", ErrCorrupt, len(body), bodyLen)
	}
	d := xxhash.New()
	d.Write(hdr)
	d.Write(body[:bodyLen-8])
	if d.Sum64() != le.Uint64(body[bodyLen-8:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	off := 0
	u32 := func(k int) []uint32 {
		s := make([]uint32, k)
		for i := range s {
			s[i] = le.Uint32(body[off:])
			off += 4
		}
		return s
	}
	arcs := func(k int) []chEdge {
		s := make([]chEdge, k)
		for i := range s {
			s[i].head = le.Uint32(body[off:])
			s[i].w = le.Uint32(body[off+4*k:])
			s[i].mid = int32(le.Uint32(body[off+8*k:]))
			off += 4
		}
		off += 8 * k
		return s
	}
	h := &Hierarchy{n: n}
	h.node = u32(n)
	h.fFirst, h.fArcs = u32(n+1), arcs(mf)
	h.bFirst, h.bArcs = u32(n+1), arcs(mb)
	if err := h.validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return h, nil
}

// validate checks every invariant queries and unpacking rely on, and fills
// the rank array.
func (h *Hierarchy) validate() error {
	n := h.n
	h.rank = make([]uint32, n)
	seen := make([]bool, n)
	for r, v := range h.node {
		if int(v) >= n || seen[v] {
			return fmt.Errorf("node order is not a permutation at rank %d", r)
		}
		seen[v] = true
		h.rank[v] = uint32(r)
	}
	checkFirst := func(first []uint32, m int, name string) error {
		if first[0] != 0 || int(first[n]) != m {
			return fmt.Errorf("%s offsets do not span the arcs", name)
		}
		for r := 0; r < n; r++ {
			if first[r] > first[r+1] {
				return fmt.Errorf("%s offsets decrease at rank %d", name, r)
			}
		}
		return nil
	}
	if err := checkFirst(h.fFirst, len(h.fArcs), "upward"); err != nil {
		return err
	}
	if err := checkFirst(h.bFirst, len(h.bArcs), "downward"); err != nil {
		return err
	}
	for pass := 0; pass < 2; pass++ {
		first, arcs := h.fFirst, h.fArcs
		if pass == 1 {
			first, arcs = h.bFirst, h.bArcs
		}
		for r := 0; r < n; r++ {
			for i := first[r]; i < first[r+1]; i++ {
				x, w, m := arcs[i].head, arcs[i].w, arcs[i].mid
				if int(x) >= n || x <= uint32(r) {
					return fmt.Errorf("arc at rank %d does not point upward", r)
				}
				if w > MaxWeight {
					return fmt.Errorf("arc at rank %d weight out of range", r)
				}
				if m == -1 {
					continue
				}
				if m < 0 || m >= int32(r) {
					return fmt.Errorf("shortcut at rank %d has invalid middle %d", r, m)
				}
				// Upward arc r->x or downward arc x->r via m: halves a->m
				// (downward, stored at m) and m->b (upward, stored at m).
				a, b := uint32(r), x
				if pass == 1 {
					a, b = x, uint32(r)
				}
				i1, i2 := h.findDown(uint32(m), a), h.findUp(uint32(m), b)
				if i1 < 0 || i2 < 0 || int64(h.bArcs[i1].w)+int64(h.fArcs[i2].w) != int64(w) {
					return fmt.Errorf("shortcut at rank %d does not unpack", r)
				}
			}
		}
	}
	return nil
}
