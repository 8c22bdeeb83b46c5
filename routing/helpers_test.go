package routing

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/osm"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

func tagsOf(m map[string]string) osm.Tags {
	var ts osm.Tags
	for k, v := range m {
		ts = append(ts, osm.Tag{Key: k, Value: v})
	}
	return ts
}

// reloaded writes h in the file format and reads it back, failing the test
// on any error.
func reloaded(t testing.TB, h *Hierarchy) *Hierarchy {
	t.Helper()
	var buf bytes.Buffer
	if _, err := h.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	h2, err := ReadHierarchy(&buf)
	if err != nil {
		t.Fatalf("reading back: %v", err)
	}
	return h2
}
