package wal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// Layout constants; doc.go describes the format.
const (
	segmentHeaderSize = 16
	recordHeaderSize  = 12
)

var segmentMagic = [8]byte{'s', 'd', 'w', 'a', 'l', 0, 0, 1}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// payloadCRC is the CRC-32C of data; computed before the index is known so
// concurrent appenders do it outside the lock.
func payloadCRC(data []byte) uint32 { return crc32.Checksum(data, castagnoli) }

// recordCRC extends a payload CRC with the record's index, so a record
// found at the wrong position fails its check.
func recordCRC(pcrc uint32, index uint64) uint32 {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], index)
	return crc32.Update(pcrc, castagnoli, b[:])
}

// appendRecord appends the framed record (header and payload) to dst.
// It does not allocate when dst has room.
func appendRecord(dst []byte, index uint64, pcrc uint32, data []byte) []byte {
	n := len(dst)
	dst = append(dst, make([]byte, recordHeaderSize)...)
	dst = append(dst, data...)
	// Extend the payload CRC with the index, using dst's spare room as
	// scratch space so nothing escapes to the heap.
	dst = binary.LittleEndian.AppendUint64(dst, index)
	crc := crc32.Update(pcrc, castagnoli, dst[len(dst)-8:])
	dst = dst[:len(dst)-8]
	h := dst[n : n+recordHeaderSize]
	binary.LittleEndian.PutUint32(h[0:4], uint32(len(data)))
	binary.LittleEndian.PutUint32(h[4:8], crc)
	binary.LittleEndian.PutUint32(h[8:12], crc32.Checksum(h[0:8], castagnoli))
	return dst
}

// appendSegmentHeader appends the 16-byte header of a segment whose first
// record has index start.
func appendSegmentHeader(dst []byte, start uint64) []byte {
	dst = append(dst, segmentMagic[:]...)
	return binary.LittleEndian.AppendUint64(dst, start)
}

// errIncomplete marks a record or header cut short by the end of the data:
// the signature of a torn write when it happens at the end of the log.
var errIncomplete = errors.New("incomplete record")

// decodeRecord decodes the record at the start of buf, which must have index
// index. It returns the payload (aliasing buf) and the framed size. The
// error is errIncomplete when buf ends inside the record, or a corruption
// reason otherwise.
func decodeRecord(buf []byte, index uint64) (payload []byte, size int, err error) {
	if len(buf) < recordHeaderSize {
		return nil, 0, errIncomplete
	}
	if crc32.Checksum(buf[0:8], castagnoli) != binary.LittleEndian.Uint32(buf[8:12]) {
		return nil, 0, errors.New("record header checksum mismatch")
	}
	n := binary.LittleEndian.Uint32(buf[0:4])
	if uint64(n) > uint64(len(buf)-recordHeaderSize) {
		return nil, 0, errIncomplete
	}
	payload = buf[recordHeaderSize : recordHeaderSize+int(n)]
	if recordCRC(payloadCRC(payload), index) != binary.LittleEndian.Uint32(buf[4:8]) {
		return nil, 0, errors.New("record checksum mismatch")
	}
	return payload, recordHeaderSize + int(n), nil
}

// scan is the result of decoding a whole segment.
type scan struct {
	// ends[k] is the byte offset just after record start+k; the record
	// itself begins at ends[k-1] (or segmentHeaderSize for k == 0).
	ends []int64
	// bad is the offset of the first byte that did not decode, or -1 when
	// the whole buffer decoded.
	bad int64
	// badErr says why decoding stopped at bad.
	badErr error
	// torn reports whether the damage looks like a torn write: the data
	// ends inside a record or header, or everything from bad on is zero.
	torn bool
}

// validEnd is the offset up to which the segment decoded.
func (s *scan) validEnd() int64 {
	if len(s.ends) == 0 {
		return segmentHeaderSize
	}
	return s.ends[len(s.ends)-1]
}

// scanSegment decodes a segment's bytes. The segment's first index must be
// start.
func scanSegment(buf []byte, start uint64) scan {
	s := scan{bad: -1}
	fail := func(off int64, err error) scan {
		s.bad, s.badErr = off, err
		s.torn = errors.Is(err, errIncomplete) || allZero(buf[off:])
		return s
	}
	if len(buf) < segmentHeaderSize {
		return fail(0, errIncomplete)
	}
	if !bytes.Equal(buf[:8], segmentMagic[:]) {
		return fail(0, errors.New("bad segment magic"))
	}
	if got := binary.LittleEndian.Uint64(buf[8:16]); got != start {
		return fail(8, errors.New("segment header names another first index"))
	}
	off := segmentHeaderSize
	for index := start; off < len(buf); index++ {
		_, n, err := decodeRecord(buf[off:], index)
		if err != nil {
			return fail(int64(off), err)
		}
		off += n
		s.ends = append(s.ends, int64(off))
	}
	return s
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
