package record

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
)

func TestRoundTripTornTailAndCorruption(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	var want [][]byte
	for i := 0; i < 100; i++ {
		p := bytes.Repeat(fmt.Appendf(nil, "%d,", i), i)
		want = append(want, p)
		if err := w.Append(p, i%10 == 0); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	var data bytes.Buffer
	read := func(b []byte) ([][]byte, error) {
		var got [][]byte
		err := ReadAll(bytes.NewReader(b), "log", func(p []byte) error {
			got = append(got, bytes.Clone(p))
			return nil
		})
		return got, err
	}
	if err := ReadFile(path, func(p []byte) error { data.Write(p); return nil }); err != nil {
		t.Fatal(err)
	}
	raw := mustRead(t, path)
	got, err := read(raw)
	if err != nil || len(got) != 100 {
		t.Fatalf("got %d records, %v; want 100, nil", len(got), err)
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("record %d differs", i)
		}
	}
	// Every truncation yields a prefix of the records and no error.
	for cut := 0; cut < len(raw); cut += 37 {
		got, err := read(raw[:cut])
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("cut %d: record %d differs", cut, i)
			}
		}
	}
	// A flipped payload byte is corruption.
	bad := bytes.Clone(raw)
	bad[HeaderLen+1+HeaderLen] ^= 0xff
	_, err = read(bad)
	var ce *CorruptionError
	if !errors.As(err, &ce) || !errors.Is(err, ErrCorrupt) || ce.File != "log" {
		t.Fatalf("flipped byte: err = %v; want *CorruptionError", err)
	}
}

func FuzzReadAll(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{1, 2, 3, 4, 255, 255, 255, 255, 9})
	f.Fuzz(func(t *testing.T, b []byte) {
		n := 0
		_ = ReadAll(bytes.NewReader(b), "fuzz", func(p []byte) error {
			n += HeaderLen + len(p)
			return nil
		})
		if n > len(b) {
			t.Fatalf("records cover %d bytes of %d", n, len(b))
		}
	})
}
