package trie

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

func sample(t testing.TB) *Trie {
	tr, err := New(Options{K: 3, FoldCase: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, q := range []string{"new york", "new york times", "newcastle", "news", "newton", "nice", "日本", "日本語", "münchen", "MÜNSTER"} {
		if err := tr.Insert(q, int64(10*(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	return tr
}

func collectAll(seq func(func(string, int64) bool)) []Suggestion {
	var out []Suggestion
	for q, w := range seq {
		out = append(out, Suggestion{Query: q, Weight: w})
	}
	return out
}

func TestMarshalRoundTrip(t *testing.T) {
	tr := sample(t)
	data, err := tr.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back Trie
	if err := back.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(collectAll(back.All()), collectAll(tr.All())) {
		t.Fatal("entries differ after round trip")
	}
	if back.opts.K != 3 || !back.opts.FoldCase {
		t.Fatalf("options not restored: %+v", back.opts)
	}
	for _, p := range []string{"", "n", "New", "日", "mün"} {
		if !slices.Equal(back.TopK(p, 3), tr.TopK(p, 3)) {
			t.Fatalf("TopK(%q) differs after round trip", p)
		}
	}
	s, err := UnmarshalSnapshot(data, nil)
	if err != nil || s.Len() != tr.Len() {
		t.Fatalf("UnmarshalSnapshot: %v", err)
	}
	again, _ := s.MarshalBinary()
	if !slices.Equal(again, data) {
		t.Fatal("encoding is not canonical")
	}
	// Every truncation and every single-byte change is rejected cleanly.
	for i := range data {
		var x Trie
		if err := x.UnmarshalBinary(data[:i]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated at %d: %v", i, err)
		}
		mod := slices.Clone(data)
		mod[i] ^= 0x40
		if err := x.UnmarshalBinary(mod); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("flipped byte %d: %v", i, err)
		}
	}
	var ce *CorruptError
	if err := back.UnmarshalBinary([]byte("garbage!!!!!!")); !errors.As(err, &ce) {
		t.Fatalf("garbage: %v", err)
	}
	if back.Len() != tr.Len() {
		t.Fatal("failed UnmarshalBinary changed the trie")
	}
}

func TestSnapshotIsolation(t *testing.T) {
	tr := sample(t)
	s := tr.Snapshot()
	before := s.TopK("new", 3)
	tr.Insert("newest", 1000)
	tr.Delete("news")
	if got := s.TopK("new", 3); !slices.Equal(got, before) {
		t.Fatalf("snapshot changed: %v -> %v", before, got)
	}
	if got := tr.TopK("new", 1); got[0].Query != "newest" {
		t.Fatalf("trie not updated: %v", got)
	}
	th := s.Thaw()
	th.Insert("nova", 5)
	if _, ok := s.Weight("nova"); ok {
		t.Fatal("Thaw shares state with the snapshot")
	}
	if w, ok := s.Weight("NEWS"); !ok || w != 40 {
		t.Fatalf("Weight(NEWS) = %d, %v", w, ok)
	}
	f, _ := s.Fuzzy("nwe", 1, 1)
	if len(f) != 1 {
		t.Fatalf("Fuzzy on snapshot: %v", f)
	}
}

// TestHolderConcurrent serves TopK from many goroutines while a builder
// swaps in new snapshots; readers must always see one complete snapshot:
// the top query of generation g is "q<g>" and all its results come from g.
func TestHolderConcurrent(t *testing.T) {
	var h Holder
	if h.TopK("q", 1) != nil {
		t.Fatal("empty holder answered")
	}
	build := func(gen int) *Snapshot {
		tr, _ := New(Options{})
		for i := range 50 {
			tr.Insert(fmt.Sprintf("q%d-%d", gen, i), int64(100-i))
		}
		return tr.Freeze()
	}
	h.Store(build(0))
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				got := h.TopK("q", 5)
				if len(got) != 5 {
					t.Errorf("got %d results", len(got))
					return
				}
				var gen int
				fmt.Sscanf(got[0].Query, "q%d-", &gen)
				for i, s := range got {
					if want := fmt.Sprintf("q%d-%d", gen, i); s.Query != want {
						t.Errorf("mixed snapshot: %v", got)
						return
					}
				}
			}
		})
	}
	for gen := 1; gen <= 20; gen++ {
		old := h.Swap(build(gen))
		if old == nil {
			t.Error("Swap returned nil")
		}
	}
	stop.Store(true)
	wg.Wait()
	if h.Load().TopK("q", 1)[0].Query != "q20-0" {
		t.Fatal("last snapshot not served")
	}
}
