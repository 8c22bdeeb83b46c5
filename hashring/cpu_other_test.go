//go:build !linux

package hashring

import "testing"

// cpuStart reports nothing where per-thread CPU time is not available.
func cpuStart(*testing.B) func() { return func() {} }
