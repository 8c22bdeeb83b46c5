package merkle

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestOptionsValidate(t *testing.T) {
	cases := []struct {
		opts Options
		ok   bool
	}{
		{Options{}, true},
		{Options{Fanout: 2, Depth: 1}, true},
		{Options{Fanout: 256, Depth: 2}, true},
		{Options{Fanout: 64, Depth: 3}, true},
		{Options{Fanout: 2, Depth: 22}, true},
		{Options{Fanout: 2, Depth: 23}, false},
		{Options{Fanout: 1}, false},
		{Options{Fanout: 257}, false},
		{Options{Fanout: -3}, false},
		{Options{Depth: -1}, false},
		{Options{Fanout: 256, Depth: 3}, false},
	}
	for _, c := range cases {
		_, err := New(c.opts)
		if (err == nil) != c.ok {
			t.Errorf("New(%+v) error = %v; want ok=%v", c.opts, err, c.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("New(%+v) error %v does not wrap ErrInvalidOptions", c.opts, err)
		}
	}
	tr, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.Options(); got != (Options{Fanout: 16, Depth: 4}) {
		t.Errorf("defaults = %+v; want fanout 16 depth 4", got)
	}
	if tr.Buckets() != 65536 {
		t.Errorf("Buckets() = %d; want 65536", tr.Buckets())
	}
}

func mustNew(t testing.TB, o Options) *Tree {
	t.Helper()
	tr, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// checkInvariants verifies every inner node is the sum of its children and
// every bucket hash is the sum of its entries' mixes, that entries sit in the
// right bucket, sorted, and that Len is right.
func checkInvariants(t *testing.T, tr *Tree) {
	t.Helper()
	n := 0
	for b, bk := range tr.buckets {
		bucket := bk.slots
		var sum uint64
		for i, s := range bucket {
			if tr.bucketOf(s.kh) != b || HashKey(s.key) != s.kh {
				t.Fatalf("key %q in bucket %d, belongs in %d", s.key, b, tr.bucketOf(s.kh))
			}
			if i > 0 && cmpSlot(bucket[i-1], s) >= 0 {
				t.Fatalf("bucket %d not sorted at %d", b, i)
			}
			sum += entryHash(s.kh, s.vh)
		}
		n += len(bucket)
		if bk.hash != sum {
			t.Fatalf("bucket %d hash %x; want %x", b, bk.hash, sum)
		}
	}
	if n != tr.Len() {
		t.Fatalf("Len() = %d; entries %d", tr.Len(), n)
	}
	for l := tr.depth - 1; l >= 0; l-- {
		for i := range tr.levels[l] {
			var sum uint64
			for c := range tr.fanout {
				sum += tr.node(l+1, i*tr.fanout+c)
			}
			if tr.levels[l][i] != sum {
				t.Fatalf("node %d/%d hash %x; want sum of children %x", l, i, tr.levels[l][i], sum)
			}
		}
	}
}

func TestTreeAgainstMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, o := range []Options{{Fanout: 2, Depth: 3}, {Fanout: 4, Depth: 2}, {Fanout: 16, Depth: 2}, {}} {
		tr := mustNew(t, o)
		model := map[string]uint64{}
		for i := range 5000 {
			k := "k" + strconv.Itoa(rng.IntN(800))
			switch rng.IntN(4) {
			case 0:
				_, want := model[k]
				if got := tr.Delete(k); got != want {
					t.Fatalf("op %d Delete(%q) = %v; want %v", i, k, got, want)
				}
				delete(model, k)
			default:
				v := rng.Uint64() % 4
				tr.Put(k, v)
				model[k] = v
			}
		}
		checkInvariants(t, tr)
		if tr.Len() != len(model) {
			t.Fatalf("Len() = %d; want %d", tr.Len(), len(model))
		}
		for k, v := range model {
			if got, ok := tr.Get(k); !ok || got != v {
				t.Fatalf("Get(%q) = %d, %v; want %d, true", k, got, ok, v)
			}
		}
		seen := 0
		for k, v := range tr.All() {
			if model[k] != v {
				t.Fatalf("All yielded %q=%d; model has %d", k, v, model[k])
			}
			seen++
		}
		if seen != len(model) {
			t.Fatalf("All yielded %d keys; want %d", seen, len(model))
		}
		// The root depends only on the contents: rebuild in another order.
		other := mustNew(t, o)
		keys := make([]string, 0, len(model))
		for k := range model {
			keys = append(keys, k)
		}
		rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		for _, k := range keys {
			other.Put(k, model[k]+1)
			other.Put(k, model[k])
		}
		if other.Root() != tr.Root() {
			t.Fatalf("root depends on history: %x vs %x", other.Root(), tr.Root())
		}
		for k := range model {
			tr.Delete(k)
		}
		checkInvariants(t, tr)
		if tr.Root() != 0 || tr.Len() != 0 {
			t.Fatalf("emptied tree: root %x, len %d; want 0, 0", tr.Root(), tr.Len())
		}
	}
}

func TestRootChangesWithValue(t *testing.T) {
	a, b := mustNew(t, Options{}), mustNew(t, Options{})
	a.PutValue("x", []byte("1"))
	b.PutValue("x", []byte("2"))
	if a.Root() == b.Root() {
		t.Fatal("different values give the same root")
	}
	b.PutValue("x", []byte("1"))
	if a.Root() != b.Root() {
		t.Fatal("same contents give different roots")
	}
	b.PutValue("y", []byte("1"))
	if a.Root() == b.Root() {
		t.Fatal("extra key does not change the root")
	}
}

func TestBucketRange(t *testing.T) {
	for _, o := range []Options{{Fanout: 2, Depth: 1}, {Fanout: 3, Depth: 2}, {Fanout: 7, Depth: 3}, {}} {
		tr := mustNew(t, o)
		var next uint64
		for b := range tr.Buckets() {
			lo, hi, ok := tr.BucketRange(b)
			if !ok || lo != next || hi < lo {
				t.Fatalf("%+v: bucket %d range [%d,%d] ok=%v; want to start at %d", o, b, lo, hi, ok, next)
			}
			if tr.bucketOf(lo) != b || tr.bucketOf(hi) != b {
				t.Fatalf("%+v: bucket %d range ends map to %d, %d", o, b, tr.bucketOf(lo), tr.bucketOf(hi))
			}
			if lo > 0 && tr.bucketOf(lo-1) != b-1 {
				t.Fatalf("%+v: hash below bucket %d maps to %d", o, b, tr.bucketOf(lo-1))
			}
			next = hi + 1
		}
		if next != 0 { // wrapped past MaxUint64
			t.Fatalf("%+v: ranges end at %d; want MaxUint64", o, next-1)
		}
		if _, _, ok := tr.BucketRange(tr.Buckets()); ok {
			t.Fatal("BucketRange past the end reports ok")
		}
		if tr.bucketOf(math.MaxUint64) != tr.Buckets()-1 {
			t.Fatal("MaxUint64 not in the last bucket")
		}
	}
	tr := mustNew(t, Options{Fanout: 4, Depth: 3})
	for i := range 1000 {
		k := strconv.Itoa(i)
		lo, hi, _ := tr.BucketRange(tr.Bucket(k))
		if h := HashKey(k); h < lo || h > hi {
			t.Fatalf("key %q hash %d outside its bucket range [%d,%d]", k, h, lo, hi)
		}
	}
}

func TestNodeHash(t *testing.T) {
	tr := mustNew(t, Options{Fanout: 4, Depth: 2})
	tr.Put("a", 1)
	if h, ok := tr.NodeHash(0, 0); !ok || h != tr.Root() || h == 0 {
		t.Fatalf("NodeHash(0,0) = %x, %v; want root %x", h, ok, tr.Root())
	}
	b := tr.Bucket("a")
	if h, ok := tr.NodeHash(2, b); !ok || h != tr.Root() {
		t.Fatalf("leaf hash %x; want %x (only key)", h, tr.Root())
	}
	for _, c := range [][2]int{{-1, 0}, {3, 0}, {1, 4}, {2, -1}} {
		if _, ok := tr.NodeHash(c[0], c[1]); ok {
			t.Errorf("NodeHash(%d,%d) ok; want false", c[0], c[1])
		}
	}
}

func TestTreeEncoding(t *testing.T) {
	tr := mustNew(t, Options{Fanout: 8, Depth: 2})
	for i := range 300 {
		tr.Put("key-"+strconv.Itoa(i), uint64(i*i))
	}
	data, err := tr.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Tree
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if got.Root() != tr.Root() || got.Len() != tr.Len() || got.Options() != tr.Options() {
		t.Fatalf("round trip: root %x len %d %+v; want %x %d %+v", got.Root(), got.Len(), got.Options(), tr.Root(), tr.Len(), tr.Options())
	}
	checkInvariants(t, &got)
	again, _ := got.MarshalBinary()
	if string(again) != string(data) {
		t.Fatal("encoding is not deterministic")
	}
	var buf bytes.Buffer
	if n, err := tr.WriteTo(&buf); err != nil || n != int64(len(data)) || !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("WriteTo wrote %d bytes, %v; want the %d bytes of MarshalBinary", n, err, len(data))
	}
	var streamed Tree
	if n, err := streamed.ReadFrom(&buf); err != nil || n != int64(len(data)) || streamed.Root() != tr.Root() {
		t.Fatalf("ReadFrom: %d, %v, root %x; want %d bytes, root %x", n, err, streamed.Root(), len(data), tr.Root())
	}
	bad := [][]byte{nil, []byte("MKT"), []byte("XXXX\x02\x01\x00"), data[:len(data)-1], append(data[:len(data):len(data)], 0)}
	for _, b := range bad {
		if err := got.UnmarshalBinary(b); !errors.Is(err, ErrCorrupt) {
			t.Errorf("UnmarshalBinary(%q) = %v; want ErrCorrupt", b, err)
		}
	}
	if err := got.UnmarshalBinary([]byte("MKT\x01\x01\x01\x00")); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("fanout 1: %v; want ErrInvalidOptions", err)
	}
	// Duplicate keys are corrupt.
	dup := []byte("MKT\x01\x02\x01\x02\x01a\x00\x00\x00\x00\x00\x00\x00\x00\x01a\x01\x00\x00\x00\x00\x00\x00\x00")
	if err := got.UnmarshalBinary(dup); !errors.Is(err, ErrCorrupt) {
		t.Errorf("duplicate key: %v; want ErrCorrupt", err)
	}
	if got.Root() != tr.Root() {
		t.Error("failed decode changed the tree")
	}
}
