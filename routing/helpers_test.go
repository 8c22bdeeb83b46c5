package routing

import (
	"math/rand/v2"

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
