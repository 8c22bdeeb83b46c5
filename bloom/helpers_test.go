package bloom

import (
	"encoding/binary"
	"os"

	"github.com/sysdesign-go/sysdesign/internal/raceflag"
)

// key returns the i-th test key of a set: 8 bytes of i after a one-byte set
// tag, so present and absent keys never collide.
func key(set byte, i uint64) []byte {
	b := make([]byte, 9)
	b[0] = set
	binary.BigEndian.PutUint64(b[1:], i)
	return b
}

// absentProbes is the number of absent keys the FPR tests query.
func absentProbes() uint64 {
	if raceflag.Enabled {
		return 100_000
	}
	return 1_000_000
}

// bigRun reports whether SYSDESIGN_BLOOM_BIG=1 asks for the 10M-key runs.
func bigRun() bool { return os.Getenv("SYSDESIGN_BLOOM_BIG") == "1" }

// measureFPR returns the fraction of absent keys (set 'a') that contains
// accepts.
func measureFPR(contains func([]byte) bool, probes uint64) float64 {
	fp := 0
	k := key('a', 0)
	for i := range probes {
		binary.BigEndian.PutUint64(k[1:], i)
		if contains(k) {
			fp++
		}
	}
	return float64(fp) / float64(probes)
}
