package hashring

import (
	"runtime"
	"syscall"
	"testing"
)

// cpuStart locks the benchmark to its thread and returns a function that
// reports the thread's CPU time per iteration as cpu-ns/op: on a shared
// machine wall-clock ns/op includes time spent waiting for a core.
func cpuStart(b *testing.B) func() {
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

func threadCPU() int64 {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
