package adclick

import (
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
)

// Click is one ad click event.
type Click struct {
	ID      uint32 // unique per event; a retried delivery repeats it
	AdID    uint32
	At      time.Time // event time, when the user clicked
	Country string
	Device  string
}

// ErrCorrupt is matched by errors about a stored event that does not decode.
var ErrCorrupt = errors.New("adclick: corrupt event")

// Stored form: id (4B) | ad (4B) | Unix ms (8B) | country length (1B) |
// country | device.
func appendClick(dst []byte, c Click) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, c.ID)
	dst = binary.LittleEndian.AppendUint32(dst, c.AdID)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(c.At.UnixMilli()))
	dst = append(dst, byte(len(c.Country)))
	return append(append(dst, c.Country...), c.Device...)
}

func decodeClick(b []byte) (Click, error) {
	if len(b) < 17 || int(b[16]) > len(b)-17 {
		return Click{}, fmt.Errorf("%w: %d bytes", ErrCorrupt, len(b))
	}
	n := int(b[16])
	return Click{
		ID:      binary.LittleEndian.Uint32(b),
		AdID:    binary.LittleEndian.Uint32(b[4:]),
		At:      time.UnixMilli(int64(binary.LittleEndian.Uint64(b[8:]))).UTC(),
		Country: string(b[17 : 17+n]),
		Device:  string(b[17+n:]),
	}, nil
}

// Window is the result of one closed tumbling window.
type Window struct {
	Start  time.Time
	Clicks map[uint32]uint64 // per ad
	Top    []AdCount         // the most clicked ads, most first
	index  *windowIndex
}

// AdCount is an ad's clicks in a window.
type AdCount struct {
	AdID   uint32
	Clicks uint64
}

// windowIndex keeps a window's events as roaring bitmaps of event IDs: one
// per ad and one per filter value (country, device), so a filtered count is
// the cardinality of an intersection, without touching the events.
type windowIndex struct {
	byAd      map[uint32]*roaring.Bitmap
	byCountry map[string]*roaring.Bitmap
	byDevice  map[string]*roaring.Bitmap
}

func newWindowIndex() *windowIndex {
	return &windowIndex{byAd: map[uint32]*roaring.Bitmap{}, byCountry: map[string]*roaring.Bitmap{}, byDevice: map[string]*roaring.Bitmap{}}
}

func bitmap[K comparable](m map[K]*roaring.Bitmap, k K) *roaring.Bitmap {
	b := m[k]
	if b == nil {
		b = roaring.New()
		m[k] = b
	}
	return b
}

func (w *windowIndex) add(c Click) {
	bitmap(w.byAd, c.AdID).Add(c.ID)
	bitmap(w.byCountry, c.Country).Add(c.ID)
	bitmap(w.byDevice, c.Device).Add(c.ID)
}

// Count returns the clicks on ad in the window from country and device
// ("" means any).
func (w *Window) Count(ad uint32, country, device string) uint64 {
	b := w.index.byAd[ad]
	if b == nil {
		return 0
	}
	if country != "" {
		c := w.index.byCountry[country]
		if c == nil {
			return 0
		}
		b = roaring.And(b, c)
	}
	if device != "" {
		d := w.index.byDevice[device]
		if d == nil {
			return 0
		}
		return b.AndCardinality(d)
	}
	return b.GetCardinality()
}

// Aggregator counts clicks per ad in tumbling windows of event time. The
// watermark is the newest event time seen minus AllowedLateness: a window
// closes (and is emitted) when the watermark passes its end, and a click
// for a closed window is late, counted and left to the nightly recount from
// the raw log. Duplicate deliveries are dropped by event ID with a roaring
// bitmap of the IDs seen. An Aggregator is not safe for concurrent use.
type Aggregator struct {
	Size, AllowedLateness time.Duration
	TopN                  int

	seen      *roaring.Bitmap
	late      *roaring.Bitmap        // IDs of the clicks that came too late
	open      map[int64]*windowIndex // window start (Unix ms) -> index
	watermark int64
	maxEvent  int64

	Duplicates, Late int
}

// NewAggregator returns an aggregator of size windows.
func NewAggregator(size, lateness time.Duration, topN int) (*Aggregator, error) {
	if size < time.Second || lateness < 0 || topN < 1 {
		return nil, fmt.Errorf("adclick: window %v, lateness %v, top %d", size, lateness, topN)
	}
	return &Aggregator{Size: size, AllowedLateness: lateness, TopN: topN, seen: roaring.New(), late: roaring.New(), open: map[int64]*windowIndex{}}, nil
}

// Add takes one click and returns the windows it closed, oldest first.
func (a *Aggregator) Add(c Click) []Window {
	if !a.seen.CheckedAdd(c.ID) {
		a.Duplicates++
		return nil
	}
	t := c.At.UnixMilli()
	size := a.Size.Milliseconds()
	start := t - ((t%size)+size)%size
	if start+size <= a.watermark {
		a.Late++
		a.late.Add(c.ID)
		return nil
	}
	w := a.open[start]
	if w == nil {
		w = newWindowIndex()
		a.open[start] = w
	}
	w.add(c)
	if t > a.maxEvent {
		a.maxEvent = t
		a.watermark = t - a.AllowedLateness.Milliseconds()
	}
	return a.close(false)
}

// WasLate reports whether the click with this ID arrived after its window
// closed (and so is in no window Add returned).
func (a *Aggregator) WasLate(id uint32) bool { return a.late.Contains(id) }

// Flush closes every open window (at the end of a stream).
func (a *Aggregator) Flush() []Window { return a.close(true) }

func (a *Aggregator) close(all bool) []Window {
	var starts []int64
	for s := range a.open {
		if all || s+a.Size.Milliseconds() <= a.watermark {
			starts = append(starts, s)
		}
	}
	slices.Sort(starts)
	var out []Window
	for _, s := range starts {
		out = append(out, a.emit(s, a.open[s]))
		delete(a.open, s)
	}
	return out
}

func (a *Aggregator) emit(start int64, idx *windowIndex) Window {
	w := Window{Start: time.UnixMilli(start).UTC(), Clicks: map[uint32]uint64{}, index: idx}
	h := &topHeap{}
	for ad, b := range idx.byAd {
		n := b.GetCardinality()
		w.Clicks[ad] = n
		heap.Push(h, AdCount{ad, n})
		if h.Len() > a.TopN {
			heap.Pop(h) // drop the smallest: the heap keeps the top N
		}
	}
	for h.Len() > 0 {
		w.Top = append(w.Top, heap.Pop(h).(AdCount))
	}
	slices.Reverse(w.Top)
	return w
}

// topHeap is a min-heap of counts (ties: higher ad ID first out), holding
// the N largest seen.
type topHeap []AdCount

func (h topHeap) Len() int { return len(h) }
func (h topHeap) Less(i, j int) bool {
	if h[i].Clicks != h[j].Clicks {
		return h[i].Clicks < h[j].Clicks
	}
	return h[i].AdID > h[j].AdID
}
func (h topHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *topHeap) Push(x any)   { *h = append(*h, x.(AdCount)) }
func (h *topHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
