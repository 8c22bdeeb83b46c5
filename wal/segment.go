package wal

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

const segmentSuffix = ".wal"

// segment is one file of the log: records start, start+1, ... in order.
type segment struct {
	start uint64
	name  string
	// ends[k] is the byte offset just after record start+k. Entries exist
	// for assigned records, written or still pending.
	ends []int64
	f    File // nil while a roll that creates it is pending
}

// size is the file size once every assigned record is written.
func (s *segment) size() int64 {
	if len(s.ends) == 0 {
		return segmentHeaderSize
	}
	return s.ends[len(s.ends)-1]
}

// bounds returns the byte range of record i, which must be in s.
func (s *segment) bounds(i uint64) (off, end int64) {
	k := i - s.start
	end = s.ends[k]
	if k == 0 {
		return segmentHeaderSize, end
	}
	return s.ends[k-1], end
}

func segmentName(start uint64) string { return fmt.Sprintf("%020d%s", start, segmentSuffix) }

func segmentPath(dir string, start uint64) string { return filepath.Join(dir, segmentName(start)) }

// parseSegmentName returns the first index named by a segment file name.
func parseSegmentName(name string) (uint64, bool) {
	digits, ok := strings.CutSuffix(name, segmentSuffix)
	if !ok || len(digits) != 20 {
		return 0, false
	}
	v, err := strconv.ParseUint(digits, 10, 64)
	return v, err == nil && v > 0
}
