//go:build unix

package walbench

import "syscall"

// flushAll writes back every dirty page of the machine, so a syncing
// benchmark does not pay for the writeback of data a previous no-sync
// benchmark left in the page cache.
func flushAll() { syscall.Sync() }
