package bloom

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestStreamRoundTrip(t *testing.T) {
	type streamer interface {
		codec
		io.WriterTo
		io.ReaderFrom
	}
	for _, tc := range sampleFilters() {
		full, ok := tc.full.(streamer)
		if !ok {
			t.Fatalf("%T does not implement io.WriterTo and io.ReaderFrom", tc.full)
		}
		var buf bytes.Buffer
		if _, err := full.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		if _, err := full.WriteTo(&buf); err != nil { // two in a row
			t.Fatal(err)
		}
		want, _ := full.MarshalBinary()
		for i := range 2 {
			n, err := tc.empty.(streamer).ReadFrom(&buf)
			if err != nil || n != int64(len(want)) {
				t.Fatalf("%T #%d: ReadFrom = %d, %v; want %d bytes", full, i, n, err, len(want))
			}
			got, _ := tc.empty.MarshalBinary()
			if !bytes.Equal(got, want) {
				t.Fatalf("%T #%d: stream round trip differs", full, i)
			}
		}
		for _, cut := range []int{0, 5, 12, len(want) - 1} {
			_, err := tc.empty.(streamer).ReadFrom(bytes.NewReader(want[:cut]))
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("%T: ReadFrom of %d bytes = %v; want ErrCorrupt", full, cut, err)
			}
		}
	}
	var f Filter
	huge := appendU64(appendHeader(nil, kindClassic), 1<<41)
	huge = append(appendU32(huge, 3), 0, 0, 0, 0)
	if _, err := f.ReadFrom(bytes.NewReader(huge)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("ReadFrom of a 2^41-bit header = %v; want ErrCorrupt", err)
	}
	s, _ := NewScalable(0.01, ScalableOptions{})
	var buf bytes.Buffer
	if _, err := s.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	var s2 Scalable
	if err := s2.UnmarshalBinary(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	// A stage length beyond any real filter is refused before reading it.
	bad := buf.Bytes()[:headerLen+scalableFixed]
	bad = appendU64(append([]byte(nil), bad...), 1<<50)
	if _, err := s2.ReadFrom(bytes.NewReader(bad)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("ReadFrom of a 2^50-byte stage = %v; want ErrCorrupt", err)
	}
	// A stream holding a scalable filter followed by other bytes is read
	// exactly.
	buf.WriteString("tail")
	var s3 Scalable
	if _, err := s3.ReadFrom(&buf); err != nil || buf.String() != "tail" {
		t.Errorf("ReadFrom = %v, left %q; want nil, \"tail\"", err, buf.String())
	}
}
