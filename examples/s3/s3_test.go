package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := Run(context.Background(), &out, []string{"-objects", "60"}); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"3 versions and a delete marker", "in key order", "reclaimed", "read back byte for byte"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := Run(context.Background(), new(strings.Builder), []string{"-objects", "1"}); err == nil {
		t.Error("Run accepted 1 object")
	}
}

func open(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.CreateBucket("b-1"); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBucketsAndNames(t *testing.T) {
	s := open(t)
	if err := s.CreateBucket("b-1"); !errors.Is(err, ErrBucketExists) {
		t.Errorf("second CreateBucket: %v", err)
	}
	for _, bad := range []string{"", "ab", "Upper", "-x-", strings.Repeat("a", 64)} {
		if err := s.CreateBucket(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("CreateBucket(%q): %v", bad, err)
		}
	}
	if _, err := s.Put("nope", "k", nil); !errors.Is(err, ErrNoSuchBucket) {
		t.Errorf("Put to a missing bucket: %v", err)
	}
	for _, bad := range []string{"", "a\x00b", "a\xffb", strings.Repeat("k", 1025)} {
		if _, err := s.Put("b-1", bad, nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("Put(%q): %v", bad, err)
		}
	}
	if _, _, err := s.Get("b-1", "k", "zz"); !errors.Is(err, ErrInvalid) {
		t.Errorf("Get with a bad version ID: %v", err)
	}
}

func TestVersionsAndDeleteMarkers(t *testing.T) {
	s := open(t)
	v1, _ := s.Put("b-1", "k", []byte("one"))
	v2, _ := s.Put("b-1", "k", []byte("two"))
	if _, got, err := s.Get("b-1", "k", ""); err != nil || string(got) != "two" {
		t.Errorf("latest = %q, %v", got, err)
	}
	if _, got, err := s.Get("b-1", "k", v1.VersionID); err != nil || string(got) != "one" {
		t.Errorf("version 1 = %q, %v", got, err)
	}
	marker, _ := s.Delete("b-1", "k")
	if _, _, err := s.Get("b-1", "k", ""); !errors.Is(err, ErrNoSuchKey) {
		t.Errorf("Get after delete: %v", err)
	}
	if _, _, err := s.Get("b-1", "k", marker.VersionID); !errors.Is(err, ErrNoSuchKey) {
		t.Errorf("Get of the marker: %v", err)
	}
	vs, _ := s.Versions("b-1", "k")
	if len(vs) != 3 || !vs[0].DeleteMarker || vs[1].VersionID != v2.VersionID || vs[2].VersionID != v1.VersionID {
		t.Errorf("versions = %+v", vs)
	}
	// Removing the marker brings the object back.
	if err := s.DeleteVersion("b-1", "k", marker.VersionID); err != nil {
		t.Fatal(err)
	}
	if _, got, err := s.Get("b-1", "k", ""); err != nil || string(got) != "two" {
		t.Errorf("after removing the marker = %q, %v", got, err)
	}
	if err := s.DeleteVersion("b-1", "k", marker.VersionID); !errors.Is(err, ErrNoSuchKey) {
		t.Errorf("second DeleteVersion: %v", err)
	}
	// Empty objects and a key that prefixes another.
	s.Put("b-1", "k2", nil)
	if _, got, err := s.Get("b-1", "k2", ""); err != nil || len(got) != 0 {
		t.Errorf("empty object = %q, %v", got, err)
	}
}

func TestListPagesSkipDeletedAndOldVersions(t *testing.T) {
	s := open(t)
	var want []string
	for i := range 30 {
		k := fmt.Sprintf("p/%02d", i)
		s.Put("b-1", k, []byte("v1"))
		s.Put("b-1", k, []byte("v2")) // two versions each
		if i%5 == 0 {
			s.Delete("b-1", k)
			continue
		}
		want = append(want, k)
	}
	s.Put("b-1", "p", []byte("prefix of the others"))
	s.Put("b-1", "q/1", []byte("other prefix"))
	var got []string
	after := ""
	for {
		page, err := s.List("b-1", "p/", after, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, o := range page {
			got = append(got, o.Key)
			if o.Size != 2 {
				t.Errorf("%s listed with size %d", o.Key, o.Size)
			}
		}
		after = page[len(page)-1].Key
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("listed %v\nwant %v", got, want)
	}
}

func TestCompactKeepsEveryLiveVersion(t *testing.T) {
	s := open(t)
	want := map[string][]byte{}
	for i := range 40 {
		data := bytes.Repeat([]byte{byte(i)}, 1000+i*100)
		if i%10 == 0 {
			data = bytes.Repeat([]byte{byte(i)}, partSize+123) // two parts
		}
		info, err := s.Put("b-1", fmt.Sprint(i), data)
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			s.DeleteVersion("b-1", fmt.Sprint(i), info.VersionID)
			continue
		}
		want[fmt.Sprint(i)] = data
	}
	for range 3 {
		st, err := s.Compact()
		if err != nil {
			t.Fatal(err)
		}
		if st.Examined == 0 {
			t.Error("Compact examined nothing")
		}
	}
	if s.data.FirstIndex() == 1 {
		t.Error("Compact did not truncate the data log")
	}
	for k, data := range want {
		if _, got, err := s.Get("b-1", k, ""); err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s after Compact: %d bytes, %v", k, len(got), err)
		}
	}
}

func FuzzDecodeInfo(f *testing.F) {
	f.Add(encodeInfo(ObjectInfo{VersionID: "0000000000000001", Size: 3, ETag: strings.Repeat("ab", 32), parts: []uint64{4}}))
	f.Add(encodeInfo(ObjectInfo{VersionID: "0000000000000002", DeleteMarker: true}))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := decodeInfo("b", "k", data)
		if err == nil && !bytes.Equal(encodeInfo(info), data) {
			t.Fatalf("decodeInfo(%x) = %+v re-encodes differently", data, info)
		}
	})
}
