package wal

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/datadriven"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of testdata/*.txt scenarios")

// TestScenarios runs the scripts in testdata/*.txt. Each case is a command
// line, "----", and the expected output up to a blank line. Errors are part
// of the output. Run with -rewrite to regenerate the expectations.
//
// Commands:
//
//	open [segment=N] [sync=always|interval|never] [repair]
//	append <payload>...       one Append per payload; prints indexes
//	batch <payload>...        one AppendBatch
//	read <i>
//	scan [from]               Reader from FirstIndex (or from) to the end
//	state                     first and last index
//	truncate-front <i> | truncate-back <i> | sync | close
//	crash [keep=<n>|all]      replace the file system with its post-crash
//	                          state, keeping n (or all) unsynced bytes per file
//	files                     segment files and sizes
//	flip <file#> <offset>     flip the byte at offset of the n-th file
//	cut <file#> <size>        truncate the n-th file
//	recovery                  what the last Open found
func TestScenarios(t *testing.T) {
	datadriven.RunDir(t, "testdata/*.txt", *rewrite, func(t *testing.T) func(string) string {
		s := &scenario{fs: NewMemFS()}
		t.Cleanup(func() {
			if s.l != nil {
				s.l.Close()
			}
		})
		return s.do
	})
}

type scenario struct {
	fs *MemFS
	l  *Log
}

func (s *scenario) do(line string) string {
	f := strings.Fields(line)
	arg := func(k int) uint64 {
		if k >= len(f) {
			return 0
		}
		v, _ := strconv.ParseUint(f[k], 10, 64)
		return v
	}
	needLog := func() bool { return s.l != nil }
	var b strings.Builder
	switch f[0] {
	case "open":
		opts := Options{FS: s.fs}
		for _, a := range f[1:] {
			key, val, _ := strings.Cut(a, "=")
			switch key {
			case "segment":
				n, _ := strconv.ParseInt(val, 10, 64)
				opts.SegmentSize = n
			case "sync":
				for p := SyncAlways; p <= SyncNever; p++ {
					if p.String() == val {
						opts.Sync = p
					}
				}
			case "repair":
				opts.Repair = true
			}
		}
		l, err := Open("log", &opts)
		if err != nil {
			return "error: " + errText(err)
		}
		s.l = l
		return fmt.Sprintf("ok: first=%d last=%d", l.FirstIndex(), l.LastIndex())
	case "append":
		if !needLog() {
			return "no log"
		}
		var idx []string
		for _, p := range f[1:] {
			i, err := s.l.Append([]byte(p))
			if err != nil {
				idx = append(idx, "error: "+errText(err))
				break
			}
			idx = append(idx, strconv.FormatUint(i, 10))
		}
		return strings.Join(idx, " ")
	case "batch":
		var recs [][]byte
		for _, p := range f[1:] {
			recs = append(recs, []byte(p))
		}
		i, err := s.l.AppendBatch(recs)
		if err != nil {
			return "error: " + errText(err)
		}
		return fmt.Sprintf("first=%d", i)
	case "read":
		data, err := s.l.Read(arg(1))
		if err != nil {
			return "error: " + errText(err)
		}
		return string(data)
	case "scan":
		from := s.l.FirstIndex()
		if len(f) > 1 {
			from = arg(1)
		}
		r := s.l.NewReader(from)
		for {
			i, data, err := r.Next()
			if err != nil {
				fmt.Fprintf(&b, "%s\n", errText(err))
				break
			}
			fmt.Fprintf(&b, "%d: %s\n", i, data)
		}
		return b.String()
	case "state":
		return fmt.Sprintf("first=%d last=%d", s.l.FirstIndex(), s.l.LastIndex())
	case "truncate-front", "truncate-back", "sync", "close":
		var err error
		switch f[0] {
		case "truncate-front":
			err = s.l.TruncateFront(arg(1))
		case "truncate-back":
			err = s.l.TruncateBack(arg(1))
		case "sync":
			err = s.l.Sync()
		case "close":
			err = s.l.Close()
			s.l = nil
		}
		if err != nil {
			return "error: " + errText(err)
		}
		if s.l != nil {
			return fmt.Sprintf("ok: first=%d last=%d", s.l.FirstIndex(), s.l.LastIndex())
		}
		return "ok"
	case "crash":
		keep := 0
		all := false
		if len(f) > 1 {
			v := strings.TrimPrefix(f[1], "keep=")
			if v == "all" {
				all = true
			} else {
				keep, _ = strconv.Atoi(v)
			}
		}
		s.fs = s.fs.Crash(func(name string, unsynced int) int {
			fmt.Fprintf(&b, "%s: %d unsynced bytes\n", filepath.Base(name), unsynced)
			if all {
				return unsynced
			}
			return min(keep, unsynced)
		})
		s.l = nil // the process died with it
		return b.String() + "crashed"
	case "files":
		for _, name := range s.names() {
			data, _ := s.fs.ReadFile("log/" + name)
			fmt.Fprintf(&b, "%s %d\n", name, len(data))
		}
		return b.String()
	case "flip", "cut":
		names := s.names()
		n := int(arg(1))
		if n >= len(names) {
			return "no such file"
		}
		name := "log/" + names[n]
		data, _ := s.fs.ReadFile(name)
		if f[0] == "flip" {
			data[arg(2)] ^= 0xff
		} else {
			data = data[:arg(2)]
		}
		s.fs.WriteFile(name, data)
		return fmt.Sprintf("%s %d bytes", names[n], len(data))
	case "recovery":
		r := s.l.Recovery()
		fmt.Fprintf(&b, "segments=%d records=%d\n", r.Segments, r.Records)
		if r.TornSegment != "" {
			fmt.Fprintf(&b, "torn: %s at %d, %d bytes cut\n", filepath.Base(r.TornSegment), r.TornOffset, r.TornBytes)
		}
		if r.Repaired != nil {
			fmt.Fprintf(&b, "repaired: %s; %d later records dropped\n", errText(r.Repaired), r.RepairedRecords)
		}
		for _, name := range r.Removed {
			fmt.Fprintf(&b, "removed: %s\n", filepath.Base(name))
		}
		return b.String()
	}
	return "unknown command " + f[0]
}

func (s *scenario) names() []string {
	names, _ := s.fs.List("log")
	var out []string
	for _, n := range names {
		if n != "LOCK" {
			out = append(out, n)
		}
	}
	return out
}

// errText prints an error with paths shortened and its sentinel named.
func errText(err error) string {
	if err == io.EOF {
		return "EOF"
	}
	msg := strings.ReplaceAll(err.Error(), "log/", "")
	for _, s := range []error{ErrCorrupt, ErrNotFound, ErrOutOfRange, ErrClosed, ErrLocked, ErrTooLarge, ErrFailed} {
		if errors.Is(err, s) {
			return msg
		}
	}
	return "unexpected: " + msg
}
