package geohash_test

import (
	"cmp"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sysdesign-go/sysdesign/geohash"
)

type pt struct{ lat, lon float64 }

// TestIndexAgainstBruteForce drives both index kinds with random adds,
// moves and removes, mirrored in a map, and checks Nearby (all pages) against
// a linear scan of the map.
func TestIndexAgainstBruteForce(t *testing.T) {
	for _, kind := range []geohash.Kind{geohash.KindGeohash, geohash.KindS2} {
		ix, err := geohash.NewIndex[int](geohash.IndexOptions{Kind: kind})
		if err != nil {
			t.Fatal(err)
		}
		model := map[int]pt{}
		r := rand.New(rand.NewPCG(21, uint64(kind)))
		centres := []pt{{48.85, 2.35}, {0.01, 179.99}, {89.99, 0}, {-89.9, 45}}
		randNear := func() pt {
			c := centres[r.IntN(len(centres))]
			lat, lon := geohash.Destination(c.lat, c.lon, r.Float64()*360, r.Float64()*100000)
			return pt{lat, lon}
		}
		for step := 0; step < 6000; step++ {
			id := r.IntN(3000) - 1500 // negative IDs too
			switch op := r.IntN(10); {
			case op < 6:
				p := randNear()
				if err := ix.Add(id, p.lat, p.lon); err != nil {
					t.Fatal(err)
				}
				model[id] = p
			case op < 8:
				p := randNear()
				ok, err := ix.Move(id, p.lat, p.lon)
				if err != nil {
					t.Fatal(err)
				}
				if _, had := model[id]; ok != had {
					t.Fatalf("Move(%d) = %v; model has it: %v", id, ok, had)
				}
				if ok {
					model[id] = p
				}
			default:
				_, had := model[id]
				if got := ix.Remove(id); got != had {
					t.Fatalf("Remove(%d) = %v; want %v", id, got, had)
				}
				delete(model, id)
			}
		}
		if ix.Len() != len(model) {
			t.Fatalf("Len = %d; want %d", ix.Len(), len(model))
		}
		for q := 0; q < 200; q++ {
			c := randNear()
			radius := 100 + r.Float64()*80000
			var want []geohash.Result[int]
			for id, p := range model {
				if d := geohash.Distance(c.lat, c.lon, p.lat, p.lon); d <= radius {
					want = append(want, geohash.Result[int]{ID: id, Lat: p.lat, Lon: p.lon, Dist: d})
				}
			}
			slices.SortFunc(want, func(a, b geohash.Result[int]) int {
				if c := cmp.Compare(a.Dist, b.Dist); c != 0 {
					return c
				}
				return cmp.Compare(a.ID, b.ID)
			})
			limit := 1 + r.IntN(50)
			var got []geohash.Result[int]
			var cur *geohash.Cursor[int]
			for pages := 0; ; pages++ {
				page, next, err := ix.Nearby(c.lat, c.lon, radius, limit, cur)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > limit || (next != nil && len(page) != limit) {
					t.Fatalf("page of %d with limit %d, next %v", len(page), limit, next)
				}
				got = append(got, page...)
				if next == nil {
					break
				}
				cur = next
			}
			if !slices.Equal(got, want) {
				t.Fatalf("kind %d query %v r=%v: got %d results, want %d", kind, c, radius, len(got), len(want))
			}
		}
	}
}

func TestIndexErrors(t *testing.T) {
	if _, err := geohash.NewIndex[string](geohash.IndexOptions{Kind: 7}); err == nil {
		t.Error("bad kind: no error")
	}
	ix, _ := geohash.NewIndex[string](geohash.IndexOptions{})
	if err := ix.Add("a", 91, 0); !errors.Is(err, geohash.ErrInvalidPoint) {
		t.Errorf("Add(91, 0) = %v", err)
	}
	if _, _, err := ix.Nearby(0, 0, -5, 10, nil); !errors.Is(err, geohash.ErrInvalidRadius) {
		t.Errorf("Nearby radius -5: %v", err)
	}
	if _, _, err := ix.Nearby(0, 0, 5, 10, &geohash.Cursor[string]{Dist: -1}); !errors.Is(err, geohash.ErrInvalidCursor) {
		t.Errorf("Nearby bad cursor: %v", err)
	}
	if _, _, ok := ix.Get("a"); ok {
		t.Error("Get of a point never added")
	}
}
