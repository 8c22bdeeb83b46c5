package wal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
)

// smallLog builds a log of three segments on a MemFS and returns the file
// system, the records and the segment file names in order.
func smallLog(t *testing.T) (*MemFS, [][]byte, []string) {
	t.Helper()
	fs := NewMemFS()
	l := mustOpen(t, fs, Options{SegmentSize: 96})
	var recs [][]byte
	for i := range 9 {
		r := fmt.Appendf(nil, "rec-%d%s", i+1, bytes.Repeat([]byte{'.'}, i*3))
		if _, err := l.Append(r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	names, _ := fs.List("log")
	var segs []string
	for _, n := range names {
		if _, ok := parseSegmentName(n); ok {
			segs = append(segs, "log/"+n)
		}
	}
	if len(segs) < 3 {
		t.Fatalf("want at least 3 segments, got %v", segs)
	}
	return fs, recs, segs
}

// verifyPrefix checks that the log holds exactly recs[:n] from index 1.
func verifyPrefix(t *testing.T, l *Log, recs [][]byte, n int, what string) {
	t.Helper()
	if l.FirstIndex() != 1 || l.LastIndex() != uint64(n) {
		t.Fatalf("%s: log holds %d..%d; want 1..%d", what, l.FirstIndex(), l.LastIndex(), n)
	}
	for i := 1; i <= n; i++ {
		got, err := l.Read(uint64(i))
		if err != nil || !bytes.Equal(got, recs[i-1]) {
			t.Fatalf("%s: Read(%d) = %q, %v; want %q", what, i, got, err, recs[i-1])
		}
	}
}

// recordsBefore counts the records of the whole log that end at or before
// byte off of segment seg.
func recordsBefore(t *testing.T, fs *MemFS, segs []string, seg int, off int64) int {
	n := 0
	for k := 0; k <= seg; k++ {
		data, _ := fs.ReadFile(segs[k])
		start, _ := parseSegmentName(segs[k][len("log/"):])
		sc := scanSegment(data, start)
		if sc.bad >= 0 {
			t.Fatalf("clean segment %s does not scan: %v", segs[k], sc.badErr)
		}
		for _, e := range sc.ends {
			if k < seg || e <= off {
				n++
			}
		}
	}
	return n
}

// TestFlipEveryByte flips each byte of each segment of a small log: Open
// must report corruption naming that segment, and Repair must keep exactly
// the records before the damaged one.
func TestFlipEveryByte(t *testing.T) {
	clean, recs, segs := smallLog(t)
	cases := 0
	for k, seg := range segs {
		orig, _ := clean.ReadFile(seg)
		for pos := range orig {
			for _, mask := range []byte{0x01, 0x80, 0xff} {
				fs := clean.Crash(nil)
				bad := bytes.Clone(orig)
				bad[pos] ^= mask
				fs.WriteFile(seg, bad)
				what := fmt.Sprintf("%s byte %d ^%#x", seg, pos, mask)
				_, err := Open("log", &Options{FS: fs, SegmentSize: 96})
				var cerr *CorruptError
				if !errors.As(err, &cerr) || !errors.Is(err, ErrCorrupt) {
					t.Fatalf("%s: Open = %v; want a CorruptError", what, err)
				}
				if cerr.Segment != seg || cerr.Offset > int64(pos) {
					t.Fatalf("%s: error names %s offset %d", what, cerr.Segment, cerr.Offset)
				}
				l, err := Open("log", &Options{FS: fs, SegmentSize: 96, Repair: true})
				if err != nil {
					t.Fatalf("%s: Open with Repair: %v", what, err)
				}
				if l.Recovery().Repaired == nil {
					t.Fatalf("%s: Repair did not report the corruption", what)
				}
				verifyPrefix(t, l, recs, recordsBefore(t, clean, segs, k, cerr.Offset), what)
				if _, err := l.Append([]byte("new")); err != nil {
					t.Fatalf("%s: Append after repair: %v", what, err)
				}
				l.Close()
				cases++
			}
		}
	}
	t.Logf("%d flipped-byte cases", cases)
}

// TestTruncateEverywhere cuts each segment at every length: in the last
// segment that is a torn tail, recovered; in an earlier one it is
// corruption.
func TestTruncateEverywhere(t *testing.T) {
	clean, recs, segs := smallLog(t)
	for k, seg := range segs {
		orig, _ := clean.ReadFile(seg)
		for size := range len(orig) {
			fs := clean.Crash(nil)
			fs.WriteFile(seg, orig[:size])
			what := fmt.Sprintf("%s cut to %d bytes", seg, size)
			l, err := Open("log", &Options{FS: fs, SegmentSize: 96})
			if k < len(segs)-1 {
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("%s: Open = %v; want ErrCorrupt", what, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: Open = %v; want a recovered torn tail", what, err)
			}
			want := recordsBefore(t, clean, segs, k, int64(size))
			verifyPrefix(t, l, recs, want, what)
			rep := l.Recovery()
			atBoundary := size == segmentHeaderSize || (want > 0 && size > segmentHeaderSize && endsAt(orig, size))
			if atBoundary != (rep.TornSegment == "") {
				t.Fatalf("%s: report %+v (boundary %v)", what, rep, atBoundary)
			}
			l.Close()
		}
	}
}

// endsAt reports whether a record of the segment data ends exactly at off.
func endsAt(data []byte, off int) bool {
	sc := scanSegment(data, binary.LittleEndian.Uint64(data[8:16]))
	for _, e := range sc.ends {
		if int(e) == off {
			return true
		}
	}
	return false
}

// TestZeroTail: space allocated but never written (zeros) at the end of the
// last segment is a torn tail; zeros before the end of an earlier segment
// are corruption.
func TestZeroTail(t *testing.T) {
	clean, recs, segs := smallLog(t)
	last := segs[len(segs)-1]
	orig, _ := clean.ReadFile(last)
	fs := clean.Crash(nil)
	fs.WriteFile(last, append(bytes.Clone(orig), make([]byte, 100)...))
	l, err := Open("log", &Options{FS: fs})
	if err != nil {
		t.Fatal(err)
	}
	if rep := l.Recovery(); rep.TornBytes != 100 {
		t.Fatalf("TornBytes = %d; want 100", rep.TornBytes)
	}
	verifyPrefix(t, l, recs, len(recs), "zero tail")
	l.Close()

	fs = clean.Crash(nil)
	mid, _ := fs.ReadFile(segs[0])
	fs.WriteFile(segs[0], append(mid, make([]byte, 20)...))
	if _, err := Open("log", &Options{FS: fs}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("zeros in a sealed segment: %v; want ErrCorrupt", err)
	}
}

// TestMissingSegment: a deleted middle segment is a gap, reported.
func TestMissingSegment(t *testing.T) {
	clean, recs, segs := smallLog(t)
	fs := clean.Crash(nil)
	fs.Remove(segs[1])
	fs.SyncDir("log")
	_, err := Open("log", &Options{FS: fs})
	var cerr *CorruptError
	if !errors.As(err, &cerr) || cerr.Segment != segs[2] {
		t.Fatalf("Open with a missing segment: %v; want CorruptError naming %s", err, segs[2])
	}
	l, err := Open("log", &Options{FS: fs, Repair: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	n := recordsBefore(t, clean, segs, 0, 1<<40)
	verifyPrefix(t, l, recs, n, "repaired gap")
}

// TestBitRotAfterOpen: damage that appears after Open is caught by the
// checksum on every read.
func TestBitRotAfterOpen(t *testing.T) {
	fs := NewMemFS()
	l := mustOpen(t, fs, Options{})
	defer l.Close()
	l.AppendBatch([][]byte{[]byte("first"), []byte("second")})
	f, err := fs.Open("log/" + segmentName(1))
	if err != nil {
		t.Fatal(err)
	}
	// Flip a payload byte of record 2 (header 16 + record 1 of 17 + 12).
	b := make([]byte, 1)
	f.ReadAt(b, 16+17+12)
	f.WriteAt([]byte{b[0] ^ 1}, 16+17+12)
	var cerr *CorruptError
	if _, err := l.Read(2); !errors.As(err, &cerr) || cerr.Index != 2 || cerr.Offset != 33 {
		t.Fatalf("Read(2) of a damaged record: %v; want CorruptError for record 2 at offset 33", err)
	}
	if got, err := l.Read(1); err != nil || string(got) != "first" {
		t.Fatalf("Read(1) = %q, %v", got, err)
	}
	r := l.NewReader(1)
	r.Next()
	if _, _, err := r.Next(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Reader.Next over a damaged record: %v; want ErrCorrupt", err)
	}
}
