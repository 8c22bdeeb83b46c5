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
//	version  uint32 (2)
//	n, mf, mb uint32: nodes, upward arcs, downward arcs
//	node     n x uint32: node ID of each rank
//	fFirst   (n+1) x uint32, fHead, fW, fMid, fDown, fUp: mf x uint32 each
//	bFirst   (n+1) x uint32, bHead, bW, bMid, bDown, bUp: mb x uint32 each
//	checksum uint64: xxhash64 of everything before it
//
// A middle of 0xFFFFFFFF means "original arc". Down and up are the indexes
// of a shortcut's two halves (into the downward and upward arcs, both
// stored at the middle), 0xFFFFFFFF for an original arc. Version 1 had no
// child indexes; such files are rejected with [ErrVersion].
const (
	hierarchyMagic   = "RTCH"
	hierarchyVersion = 2
	headerLen        = 20
	maxFileArcs      = 1 << 28
)

// WriteTo writes h in the versioned, checksummed binary format that
// [ReadHierarchy] reads. It implements [io.WriterTo].
func (h *Hierarchy) WriteTo(w io.Writer) (int64, error) {
	size := headerLen + 4*(h.n+2*(h.n+1)+5*len(h.fKids)+5*len(h.bKids)) + 8
	buf := make([]byte, 0, size)
	buf = append(buf, hierarchyMagic...)
	le := binary.LittleEndian
	buf = le.AppendUint32(buf, hierarchyVersion)
	buf = le.AppendUint32(buf, uint32(h.n))
	buf = le.AppendUint32(buf, uint32(len(h.fKids)))
	buf = le.AppendUint32(buf, uint32(len(h.bKids)))
	u32 := func(s []uint32) {
		for _, x := range s {
			buf = le.AppendUint32(buf, x)
		}
	}
	// Columns: all heads, weights, middles, down children, up children.
	arcs := func(s []chEdge, kids []chKids) {
		for _, a := range s {
			buf = le.AppendUint32(buf, a.head)
		}
		for _, a := range s {
			buf = le.AppendUint32(buf, a.w)
		}
		for _, k := range kids {
			buf = le.AppendUint32(buf, uint32(k.mid))
		}
		// Leaf flags are derived on loading, not stored.
		for _, k := range kids {
			buf = le.AppendUint32(buf, fileKid(k, k.down))
		}
		for _, k := range kids {
			buf = le.AppendUint32(buf, fileKid(k, k.up))
		}
	}
	u32(h.node)
	u32(h.fFirst)
	arcs(h.dirArcs(fwd), h.fKids)
	u32(h.bFirst)
	arcs(h.dirArcs(bwd), h.bKids)
	buf = le.AppendUint64(buf, xxhash.Sum64(buf))
	n, err := w.Write(buf)
	return int64(n), err
}

// fileKid returns child index x of k as stored in files.
func fileKid(k chKids, x uint32) uint32 {
	if k.mid < 0 {
		return noKid
	}
	return x &^ leafBit
}

// ReadHierarchy reads a hierarchy written by [Hierarchy.WriteTo]. It checks
// the magic, version ([ErrVersion]), checksum and the structure (node order
// is a permutation, arcs point upward, every shortcut's child indexes are in
// range and name two arcs stored at its middle that join its ends and sum
// to its weight), and returns an error wrapping [ErrCorrupt] otherwise,
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
		return nil, fmt.Errorf("%w: file version %d, this package reads version %d (rebuild the hierarchy and write it again)", ErrVersion, v, hierarchyVersion)
	}
	n, mf, mb := int(le.Uint32(hdr[8:])), int(le.Uint32(hdr[12:])), int(le.Uint32(hdr[16:]))
	if n > maxFileArcs || mf > maxFileArcs || mb > maxFileArcs {
		return nil, fmt.Errorf("%w: sizes %d/%d/%d too large", ErrCorrupt, n, mf, mb)
	}
	bodyLen := 4*(n+2*(n+1)+5*mf+5*mb) + 8
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
	arcs := func(k int) ([]chEdge, []chKids) {
		s := make([]chEdge, k)
		kids := make([]chKids, k)
		for i := range s {
			s[i].head = le.Uint32(body[off:])
			s[i].w = le.Uint32(body[off+4*k:])
			kids[i].mid = int32(le.Uint32(body[off+8*k:]))
			kids[i].down = le.Uint32(body[off+12*k:])
			kids[i].up = le.Uint32(body[off+16*k:])
			off += 4
		}
		off += 16 * k
		return s, kids
	}
	h := &Hierarchy{n: n}
	h.node = u32(n)
	h.fFirst = u32(n + 1)
	h.fArcs, h.fKids = arcs(mf)
	h.bFirst = u32(n + 1)
	h.bArcs, h.bKids = arcs(mb)
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
		first, arcs, kids := h.fFirst, h.fArcs, h.fKids
		if pass == 1 {
			first, arcs, kids = h.bFirst, h.bArcs, h.bKids
		}
		for r := 0; r < n; r++ {
			for i := first[r]; i < first[r+1]; i++ {
				x, w, m := arcs[i].head, arcs[i].w, kids[i].mid
				if int(x) >= n || x <= uint32(r) {
					return fmt.Errorf("arc at rank %d does not point upward", r)
				}
				if w > MaxWeight {
					return fmt.Errorf("arc at rank %d weight out of range", r)
				}
				k := kids[i]
				if m == -1 {
					if k.down != noKid || k.up != noKid {
						return fmt.Errorf("original arc at rank %d has child indexes", r)
					}
					continue
				}
				if m < 0 || m >= int32(r) {
					return fmt.Errorf("shortcut at rank %d has invalid middle %d", r, m)
				}
				// Upward arc r->x or downward arc x->r via m: halves a->m
				// (downward, stored at m) and m->b (upward, stored at m).
				// Children live at a lower rank than their parent, so
				// unpacking terminates.
				a, b := uint32(r), x
				if pass == 1 {
					a, b = x, uint32(r)
				}
				if k.down < h.bFirst[m] || k.down >= h.bFirst[m+1] || k.up < h.fFirst[m] || k.up >= h.fFirst[m+1] {
					return fmt.Errorf("shortcut at rank %d has child indexes out of range", r)
				}
				d, u := h.bArcs[k.down], h.fArcs[k.up]
				if d.head != a || u.head != b || int64(d.w)+int64(u.w) != int64(w) {
					return fmt.Errorf("shortcut at rank %d does not unpack", r)
				}
				kids[i].node = h.node[m]
			}
		}
	}
	h.markLeaves()
	h.buildExpansions()
	h.buildQueryArcs()
	return nil
}
