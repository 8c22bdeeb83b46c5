package geohash_test

import (
	"math/rand/v2"
	"testing"

	"github.com/sysdesign-go/sysdesign/geohash"
)

// The table was checked against github.com/mmcloughlin/geohash, which
// differs only beyond the poles (it clamps where we report no neighbour).
func TestNeighborTable(t *testing.T) {
	for _, tc := range []struct {
		s    string
		d    geohash.Direction
		want string // "" means none
	}{
		{"ezs42", geohash.North, "ezs48"},
		{"ezs42", geohash.East, "ezs43"},
		{"ezs42", geohash.South, "ezs40"},
		{"ezs42", geohash.West, "ezefr"},
		{"ezs42", geohash.NorthEast, "ezs49"},
		{"ezs42", geohash.SouthWest, "ezefp"},
		// antimeridian: east of the east-most column wraps west.
		{"zzz", geohash.East, "bpb"},
		{"bpb", geohash.West, "zzz"},
		{"8", geohash.West, "x"},
		// poles: nothing beyond the top or bottom row.
		{"zzz", geohash.North, ""},
		{"000", geohash.South, ""},
		{"000", geohash.SouthEast, ""},
		{"000", geohash.West, "pbp"},
	} {
		got, ok, err := geohash.Neighbor(tc.s, tc.d)
		if err != nil || got != tc.want || ok != (tc.want != "") {
			t.Errorf("Neighbor(%q, %v) = %q, %v, %v; want %q", tc.s, tc.d, got, ok, err, tc.want)
		}
	}
}

func TestNeighborProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	opposite := func(d geohash.Direction) geohash.Direction { return (d + 4) % 8 }
	for i := 0; i < 20000; i++ {
		lat, lon := randPoint(r)
		bits := uint(1 + r.IntN(64))
		h := geohash.EncodeInt(lat, lon, bits)
		b := geohash.DecodeInt(h, bits)
		ns, exists := geohash.NeighborsInt(h, bits)
		for d := geohash.North; d <= geohash.NorthWest; d++ {
			n, ok := ns[d], exists&(1<<uint(d)) != 0
			dLat := map[geohash.Direction]int{geohash.North: 1, geohash.NorthEast: 1, geohash.NorthWest: 1, geohash.South: -1, geohash.SouthEast: -1, geohash.SouthWest: -1}[d]
			if atEdge := (dLat > 0 && b.MaxLat == 90) || (dLat < 0 && b.MinLat == -90); ok == atEdge {
				t.Fatalf("NeighborInt(%x,%d,%v) ok=%v at box %+v", h, bits, d, ok, b)
			}
			if !ok {
				continue
			}
			back, ok2 := geohash.NeighborInt(n, bits, opposite(d))
			if !ok2 || back != h {
				t.Fatalf("neighbour %v of %x/%d is %x whose %v is %x", d, h, bits, n, opposite(d), back)
			}
			nb := geohash.DecodeInt(n, bits)
			// the neighbour's centre is one cell away (modulo 360 in longitude).
			clat, clon := nb.Center()
			blat, blon := b.Center()
			wantLat := blat + float64(dLat)*(b.MaxLat-b.MinLat)
			if clat != wantLat {
				t.Fatalf("neighbour %v of %+v has centre lat %v; want %v", d, b, clat, wantLat)
			}
			dl := clon - blon
			w := b.MaxLon - b.MinLon
			for dl > 180+w/4 {
				dl -= 360
			}
			for dl < -180-w/4 {
				dl += 360
			}
			if 3*w < 360 && !(dl == 0 || dl == w || dl == -w) {
				t.Fatalf("neighbour %v of %+v has centre lon %v", d, b, clon)
			}
		}
	}
}

func TestNeighborsStrings(t *testing.T) {
	ns, err := geohash.Neighbors("u4pruydqqvj")
	if err != nil {
		t.Fatal(err)
	}
	want := [8]string{"u4pruydqqvm", "u4pruydqqvq", "u4pruydqqvn", "u4pruydqquy", "u4pruydqquv", "u4pruydqquu", "u4pruydqqvh", "u4pruydqqvk"}
	if ns != want {
		t.Errorf("Neighbors = %v; want %v", ns, want)
	}
	// beyond 12 characters the box path is used; it must agree with itself.
	long := "u4pruydqqvjxyz"
	for d := geohash.North; d <= geohash.NorthWest; d++ {
		n, ok, err := geohash.Neighbor(long, d)
		if err != nil || !ok || len(n) != len(long) {
			t.Fatalf("Neighbor(%q,%v) = %q %v %v", long, d, n, ok, err)
		}
		back, _, _ := geohash.Neighbor(n, (d+4)%8)
		if back != long {
			t.Errorf("Neighbor(Neighbor(%q,%v)) = %q", long, d, back)
		}
	}
	if _, err := geohash.Neighbors("a"); err == nil {
		t.Error("Neighbors(\"a\"): no error")
	}
}
