//go:build linux

package cputime

import "testing"

func TestThreadCPUAdvances(t *testing.T) {
	start := threadCPU()
	x := 0
	for i := 0; i < 50_000_000; i++ {
		x += i ^ (x >> 3)
	}
	if x == 42 {
		t.Log(x)
	}
	if used := threadCPU() - start; used <= 0 {
		t.Fatalf("thread CPU time did not advance over a busy loop: %d ns", used)
	}
}
