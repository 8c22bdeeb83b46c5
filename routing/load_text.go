package routing

import (
	"bufio"
	"bytes"
	"io"
	"math"
	"strconv"
)

// lineReader yields trimmed lines with their 1-based numbers.
type lineReader struct {
	sc     *bufio.Scanner
	line   int
	format string
}

func newLineReader(r io.Reader, format string) *lineReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	return &lineReader{sc: sc, format: format}
}

func (l *lineReader) next() ([]byte, bool) {
	if !l.sc.Scan() {
		return nil, false
	}
	l.line++
	return bytes.TrimSpace(l.sc.Bytes()), true
}

func (l *lineReader) err(reason string) error {
	return &ParseError{Format: l.format, Line: l.line, Reason: reason}
}

func (l *lineReader) ioErr() error {
	if err := l.sc.Err(); err != nil {
		return &ParseError{Format: l.format, Line: l.line + 1, Reason: err.Error()}
	}
	return nil
}

func parseInt(f []byte) (int64, bool) {
	v, err := strconv.ParseInt(string(f), 10, 64)
	return v, err == nil
}

func parseFloat(f []byte) (float64, bool) {
	v, err := strconv.ParseFloat(string(f), 64)
	return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
}

// maxTextNodes bounds node counts declared by text headers, so a malformed
// header cannot make a loader allocate unbounded memory.
const maxTextNodes = 1 << 27
