package geohash

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/golang/geo/s2"
	"github.com/google/btree"
)

// Kind selects the cell scheme of an [Index].
type Kind int

const (
	// KindGeohash keys points by 64-bit integer geohash and answers
	// queries with [CoverCircle] range scans.
	KindGeohash Kind = iota
	// KindS2 keys points by S2 leaf cell id and answers queries with
	// [S2Cover] range scans.
	KindS2
)

// IndexOptions configures an [Index]. The zero value is a geohash index
// that scans at most 16 ranges per query.
type IndexOptions struct {
	// Kind is the cell scheme; default KindGeohash.
	Kind Kind
	// MaxCells is the covering size per query: more cells, fewer points to
	// filter. Default 16 for geohash, 8 for S2.
	MaxCells int
}

// Result is one point found by [Index.Nearby].
type Result[K cmp.Ordered] struct {
	ID       K
	Lat, Lon float64
	Dist     float64 // metres from the query centre
}

// Cursor marks where a page of [Index.Nearby] results ended; pass it back
// to get the next page. Results are ordered by (Dist, ID), so paging is
// stable while the index does not change; points added or moved between
// pages may be skipped or repeated, as with any cursor over live data.
type Cursor[K cmp.Ordered] struct {
	Dist float64
	ID   K
}

// Index is a proximity index of points keyed by ID: Add, Move, Remove
// and Nearby, backed by a B-tree of cell keys (google/btree) so that a
// radius query is a handful of range scans, as a database or Redis would
// run them.
//
// An Index is safe for concurrent use: queries share a read lock, updates
// take a write lock. Create it with [NewIndex]; the zero value is not
// usable.
type Index[K cmp.Ordered] struct {
	mu   sync.RWMutex
	opts IndexOptions
	tree *btree.BTreeG[entry[K]]
	pos  map[K]entry[K]
}

type entry[K cmp.Ordered] struct {
	key      uint64
	id       K
	lat, lon float64
	x, y, z  float64 // unit vector: a cheap pre-filter before the haversine
}

func unitVector(lat, lon float64) (x, y, z float64) {
	sp, cp := math.Sincos(lat * rad)
	sl, cl := math.Sincos(lon * rad)
	return cp * cl, cp * sl, sp
}

func lessEntry[K cmp.Ordered](a, b entry[K]) bool {
	if a.key != b.key {
		return a.key < b.key
	}
	return a.id < b.id
}

// NewIndex returns an empty index.
func NewIndex[K cmp.Ordered](opts IndexOptions) (*Index[K], error) {
	if opts.Kind != KindGeohash && opts.Kind != KindS2 {
		return nil, fmt.Errorf("geohash: invalid IndexOptions.Kind %d", opts.Kind)
	}
	if opts.MaxCells < 0 {
		return nil, fmt.Errorf("geohash: invalid IndexOptions.MaxCells %d", opts.MaxCells)
	}
	if opts.MaxCells == 0 {
		opts.MaxCells = 16
		if opts.Kind == KindS2 {
			opts.MaxCells = 8
		}
	}
	return &Index[K]{opts: opts, tree: btree.NewG(32, lessEntry[K]), pos: make(map[K]entry[K])}, nil
}

func (ix *Index[K]) key(lat, lon float64) uint64 {
	if ix.opts.Kind == KindS2 {
		return uint64(s2.CellIDFromLatLng(s2.LatLngFromDegrees(lat, lon)))
	}
	return EncodeInt(lat, lon, 64)
}

// Add inserts id at (lat, lon), or moves it there if present. O(log n).
// It returns an error wrapping [ErrInvalidPoint] for invalid coordinates.
func (ix *Index[K]) Add(id K, lat, lon float64) error {
	if err := CheckPoint(lat, lon); err != nil {
		return err
	}
	e := entry[K]{key: ix.key(lat, lon), id: id, lat: lat, lon: lon}
	e.x, e.y, e.z = unitVector(lat, lon)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if old, ok := ix.pos[id]; ok {
		if old.key != e.key {
			ix.tree.Delete(old)
		}
	}
	ix.tree.ReplaceOrInsert(e)
	ix.pos[id] = e
	return nil
}

// Move is Add for an id expected to exist; it reports whether it did.
func (ix *Index[K]) Move(id K, lat, lon float64) (bool, error) {
	ix.mu.RLock()
	_, ok := ix.pos[id]
	ix.mu.RUnlock()
	if !ok {
		return false, nil
	}
	return true, ix.Add(id, lat, lon)
}

// Remove deletes id and reports whether it was present. O(log n).
func (ix *Index[K]) Remove(id K) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	e, ok := ix.pos[id]
	if ok {
		ix.tree.Delete(e)
		delete(ix.pos, id)
	}
	return ok
}

// Get returns the position of id.
func (ix *Index[K]) Get(id K) (lat, lon float64, ok bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	e, ok := ix.pos[id]
	return e.lat, e.lon, ok
}

// Len returns the number of points.
func (ix *Index[K]) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.pos)
}

// ranges returns the key ranges to scan for a circle.
func (ix *Index[K]) ranges(lat, lon, radius float64) ([]Range, error) {
	if ix.opts.Kind == KindS2 {
		cu, err := S2Cover(lat, lon, radius, S2Options{MaxCells: ix.opts.MaxCells})
		if err != nil {
			return nil, err
		}
		rs := make([]Range, len(cu))
		for i, c := range cu {
			rs[i] = Range{Min: uint64(c.RangeMin()), Max: uint64(c.RangeMax())}
		}
		return mergeRanges(rs, 0), nil
	}
	cells, err := CoverCircle(lat, lon, radius, CoverOptions{MaxCells: ix.opts.MaxCells})
	if err != nil {
		return nil, err
	}
	return Ranges(cells), nil
}

// Nearby returns up to limit points within radius metres of (lat, lon),
// nearest first (ties by ID), starting after the cursor after (nil for the
// first page), and the cursor of the next page (nil when there is none).
// It scans the covering's key ranges and filters by great-circle distance,
// costing O(c log n + m log m) for c ranges and m points in them. limit <= 0
// means no limit.
func (ix *Index[K]) Nearby(lat, lon, radius float64, limit int, after *Cursor[K]) ([]Result[K], *Cursor[K], error) {
	rs, err := ix.ranges(lat, lon, radius)
	if err != nil {
		return nil, nil, err
	}
	if after != nil && (math.IsNaN(after.Dist) || after.Dist < 0) {
		return nil, nil, fmt.Errorf("%w: distance %v", ErrInvalidCursor, after.Dist)
	}
	// Points farther than the chord of radius (widened a little) cannot be
	// within radius; the rest get the exact haversine test.
	qx, qy, qz := unitVector(lat, lon)
	chord2 := math.Inf(1)
	if a := radius / EarthRadius; a < math.Pi/2 {
		c := 2 * math.Sin(a/2) * (1 + 1e-9)
		chord2 = c*c + 1e-18
	}
	var out []Result[K]
	ix.mu.RLock()
	for _, r := range rs {
		visit := func(e entry[K]) bool {
			if e.key > r.Max {
				return false
			}
			if e.key < r.Min {
				return true
			}
			dx, dy, dz := e.x-qx, e.y-qy, e.z-qz
			if dx*dx+dy*dy+dz*dz > chord2 {
				return true
			}
			d := Distance(lat, lon, e.lat, e.lon)
			if d > radius {
				return true
			}
			if after != nil && (d < after.Dist || d == after.Dist && e.id <= after.ID) {
				return true
			}
			out = append(out, Result[K]{ID: e.id, Lat: e.lat, Lon: e.lon, Dist: d})
			return true
		}
		// The pivot sorts before every entry with key r.Min whatever its
		// ID (IDs may be negative), so start one key lower and skip.
		if r.Min == 0 {
			ix.tree.Ascend(visit)
		} else {
			ix.tree.AscendGreaterOrEqual(entry[K]{key: r.Min - 1}, visit)
		}
	}
	ix.mu.RUnlock()
	slices.SortFunc(out, func(a, b Result[K]) int {
		if c := cmp.Compare(a.Dist, b.Dist); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if limit <= 0 || len(out) <= limit {
		return out, nil, nil
	}
	out = out[:limit:limit]
	last := out[limit-1]
	return out, &Cursor[K]{Dist: last.Dist, ID: last.ID}, nil
}
