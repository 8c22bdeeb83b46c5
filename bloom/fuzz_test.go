package bloom

import (
	"bytes"
	"io"
	"testing"
)

// fuzzSeeds returns valid encodings of every filter kind, for f.Add.
func fuzzSeeds() [][]byte {
	var out [][]byte
	for _, tc := range sampleFilters() {
		d, _ := tc.full.MarshalBinary()
		out = append(out, d)
	}
	return out
}

// FuzzDecode feeds arbitrary bytes to every decoder: none may panic, and
// whatever decodes must re-encode to the same bytes.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
		f.Add(s[:len(s)/2])
	}
	f.Add([]byte("SDBF\x01\x01\x00\x00"))
	f.Add([]byte("SDBF\x02\x05\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range []codec{new(Filter), new(Blocked), new(Counting), new(Scalable), new(Cuckoo), new(Fuse)} {
			if err := c.UnmarshalBinary(data); err != nil {
				continue
			}
			again, err := c.MarshalBinary()
			if err != nil {
				t.Fatalf("%T: re-encode: %v", c, err)
			}
			if string(again) != string(data) {
				t.Fatalf("%T: re-encoding differs", c)
			}
			c.(interface{ ContainsString(string) bool }).ContainsString("x")
		}
		for _, rf := range []io.ReaderFrom{new(Filter), new(Blocked), new(Counting), new(Scalable), new(Cuckoo), new(Fuse)} {
			if _, err := rf.ReadFrom(bytes.NewReader(data)); err == nil {
				rf.(interface{ ContainsString(string) bool }).ContainsString("x")
			}
		}
		if v, err := ViewBlocked(data); err == nil {
			v.ContainsString("x")
		}
	})
}
