// Package raceflag reports whether the race detector is compiled in, so tests
// that are heavy under -race (whole-graph property checks, million-key
// balance measurements) can scale their size down there and keep CI fast
// without skipping the check.
package raceflag
