package routing

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/cespare/xxhash/v2"
)

// reseal recomputes the checksum of an encoded hierarchy after an edit, so
// the structural checks, not the checksum, must catch the edit.
func reseal(data []byte) {
	k := len(data) - 8
	binary.LittleEndian.PutUint64(data[k:], xxhash.Sum64(data[:k]))
}

// TestHierarchyChildIndexes edits the stored child indexes of shortcuts
// (with a valid checksum) and checks that loading rejects every edit that
// would make unpacking wrong or panic, and accepts the untouched file.
func TestHierarchyChildIndexes(t *testing.T) {
	g := randomGraph(newRand(3), 60)
	h, err := Contract(g, ContractOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := h.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if _, err := ReadHierarchy(bytes.NewReader(data)); err != nil {
		t.Fatalf("untouched file: %v", err)
	}
	n, mf, mb := h.n, len(h.fKids), len(h.bKids)
	fCols := headerLen + 4*n + 4*(n+1)                               // start of fHead
	bCols := fCols + 20*mf + 4*(n+1)                                 // start of bHead
	col := func(start, m, c, i int) int { return start + 4*(c*m+i) } // c: 0 head .. 4 up
	type edit struct {
		name string
		off  int
		val  uint32
	}
	var edits []edit
	inRange := 0
	for i, k := range h.fKids {
		if k.mid < 0 {
			edits = append(edits, edit{"original arc gets a down child", col(fCols, mf, 3, i), 0})
			continue
		}
		edits = append(edits,
			edit{"down child out of range", col(fCols, mf, 3, i), uint32(mb)},
			edit{"up child out of range", col(fCols, mf, 4, i), 1 << 30},
			edit{"down child at another node", col(fCols, mf, 3, i), h.bFirst[k.mid+1]},
			edit{"up child is the shortcut itself", col(fCols, mf, 4, i), uint32(i)},
		)
		if lo, hi := h.fFirst[k.mid], h.fFirst[k.mid+1]; hi-lo >= 2 {
			other := lo
			if k.up&^leafBit == lo {
				other = lo + 1
			}
			edits = append(edits, edit{"up child is another arc of the middle", col(fCols, mf, 4, i), other})
			inRange++
		}
	}
	for i, k := range h.bKids {
		if k.mid < 0 {
			edits = append(edits, edit{"original arc gets an up child", col(bCols, mb, 4, i), 0})
			continue
		}
		edits = append(edits,
			edit{"down child is noKid", col(bCols, mb, 3, i), noKid},
			edit{"up child one past its node", col(bCols, mb, 4, i), h.fFirst[k.mid+1]},
		)
	}
	if inRange == 0 {
		t.Fatal("no shortcut whose middle has two upward arcs; pick another graph")
	}
	if len(edits) < 10 {
		t.Fatalf("only %d edits; the graph should have shortcuts", len(edits))
	}
	le := binary.LittleEndian
	rejected := 0
	for _, e := range edits {
		bad := bytes.Clone(data)
		if le.Uint32(bad[e.off:]) == e.val {
			continue // the edit would not change anything
		}
		le.PutUint32(bad[e.off:], e.val)
		reseal(bad)
		if _, err := ReadHierarchy(bytes.NewReader(bad)); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%s at offset %d: got %v; want ErrCorrupt", e.name, e.off, err)
		}
		rejected++
	}
	if rejected < 10 {
		t.Fatalf("only %d edits changed the file", rejected)
	}
}

// TestHierarchyOldVersion checks that a version 1 file, which has no child
// indexes, fails with ErrVersion rather than as corrupt.
func TestHierarchyOldVersion(t *testing.T) {
	h, err := Contract(randomGraph(newRand(4), 20), ContractOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	h.WriteTo(&buf)
	data := buf.Bytes()
	binary.LittleEndian.PutUint32(data[4:], 1)
	reseal(data)
	if _, err := ReadHierarchy(bytes.NewReader(data)); !errors.Is(err, ErrVersion) {
		t.Fatalf("version 1: got %v; want ErrVersion", err)
	}
}
