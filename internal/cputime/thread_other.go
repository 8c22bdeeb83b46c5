//go:build !linux

package cputime

// threadCPU is not available here; Start then reports nothing.
func threadCPU() int64 { return 0 }
