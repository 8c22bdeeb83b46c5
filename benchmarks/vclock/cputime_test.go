package vclockbench

import (
	"runtime"
	"syscall"
	"testing"
)

// cpuTime reports, as the metric cpu-ns/op, the CPU time the benchmark's
// own thread spent per iteration. The machines these run on are shared, so
// wall-clock ns/op includes time spent waiting for a core; CPU time does
// not (nor does it include GC work on other threads). Call the returned
// function after the loop.
func cpuTime(b *testing.B) func() {
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
	const rusageThread = 1 // RUSAGE_THREAD on Linux
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
