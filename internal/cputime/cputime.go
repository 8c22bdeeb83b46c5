// Package cputime reports the CPU time a benchmark's own thread used, for
// the shared machines these benchmarks run on: wall-clock ns/op includes
// time spent waiting for a core, CPU time does not (nor GC work on other
// threads). The package benchmarks and the peer benchmarks module both use
// it.
package cputime

import (
	"runtime"
	"testing"
)

// Start locks the benchmark to its thread and returns a function that,
// called after the loop, reports the thread's CPU time per iteration as the
// metric cpu-ns/op. Where per-thread usage is not available (threadCPU
// returns 0) it reports nothing.
func Start(b *testing.B) func() {
	runtime.LockOSThread()
	start := threadCPU()
	return func() {
		used := threadCPU() - start
		runtime.UnlockOSThread()
		if b.N > 0 && used > 0 {
			b.ReportMetric(float64(used)/float64(b.N), "cpu-ns/op")
		}
	}
}
