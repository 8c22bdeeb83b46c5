package wal

import (
	"bytes"
	"errors"
	"testing"
)

func fuzzSeeds(f *testing.F) {
	seg := appendSegmentHeader(nil, 1)
	for i, p := range [][]byte{[]byte("hello"), {}, bytes.Repeat([]byte{0xab}, 300)} {
		seg = appendRecord(seg, uint64(i+1), payloadCRC(p), p)
		f.Add(bytes.Clone(seg))
	}
	f.Add(seg[:len(seg)-7])
	f.Add(append(bytes.Clone(seg), make([]byte, 40)...))
	flipped := bytes.Clone(seg)
	flipped[20] ^= 4
	f.Add(flipped)
	f.Add([]byte{})
	f.Add(make([]byte, 64))
}

// FuzzScanSegment feeds arbitrary bytes to the segment decoder: it must not
// panic, every record it accepts must re-encode to the same bytes, and the
// damage it reports must be classified consistently.
func FuzzScanSegment(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		sc := scanSegment(data, 1)
		off := int64(segmentHeaderSize)
		var re []byte
		if len(data) >= segmentHeaderSize {
			re = appendSegmentHeader(nil, 1)
		}
		for k, end := range sc.ends {
			p, n, err := decodeRecord(data[off:], uint64(k+1))
			if err != nil || off+int64(n) != end {
				t.Fatalf("record %d at %d: accepted by scan, decode = %d, %v", k+1, off, n, err)
			}
			re = appendRecord(re, uint64(k+1), payloadCRC(p), p)
			off = end
		}
		if sc.bad < 0 {
			if !bytes.Equal(re, data) {
				t.Fatalf("clean scan does not re-encode to its input")
			}
			return
		}
		if sc.bad > int64(len(data)) {
			t.Fatalf("bad offset %d out of range", sc.bad)
		}
		if len(data) >= segmentHeaderSize && sc.bad != sc.validEnd() && sc.bad != 8 && sc.bad != 0 {
			t.Fatalf("bad offset %d is not the end of the valid prefix %d", sc.bad, sc.validEnd())
		}
		if errors.Is(sc.badErr, errIncomplete) && !sc.torn {
			t.Fatalf("incomplete record not classified as torn")
		}
	})
}

// FuzzOpen plants arbitrary bytes as the only segment and opens the log:
// Open must not panic, must either fail with ErrCorrupt or recover, and a
// recovered log must serve exactly the records the decoder accepts.
func FuzzOpen(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		fs := NewMemFS()
		fs.WriteFile("log/"+segmentName(1), data)
		l, err := Open("log", &Options{FS: fs})
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open: %v; want success or ErrCorrupt", err)
			}
			return
		}
		defer l.Close()
		sc := scanSegment(data, 1)
		if l.LastIndex() != uint64(len(sc.ends)) {
			t.Fatalf("LastIndex %d; decoder accepted %d records", l.LastIndex(), len(sc.ends))
		}
		for i := uint64(1); i <= l.LastIndex(); i++ {
			if _, err := l.Read(i); err != nil {
				t.Fatalf("Read(%d): %v", i, err)
			}
		}
		if _, err := l.Append([]byte("x")); err != nil {
			t.Fatalf("Append after recovery: %v", err)
		}
	})
}
