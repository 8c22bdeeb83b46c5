package messagequeue

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/sysdesign-go/sysdesign/internal/varint"
)

// Message is one record of a partition.
type Message struct {
	Topic     string
	Partition int
	Offset    uint64 // the record's index in its partition log, from 1
	Time      time.Time
	Key       []byte // nil for an unkeyed message
	Value     []byte
}

// ErrCorruptMessage is matched by errors about a stored message that does
// not decode (the log's checksums passed, so this means a bug or a log
// written by something else).
var ErrCorruptMessage = errors.New("messagequeue: corrupt message")

// messageVersion is the first byte of every stored message.
const messageVersion = 1

// Stored form of a message, inside one wal record:
//
//	version (1B) | time, Unix ns (8B LE) | key length + 1 (uvarint; 0 = nil key) | key | value
func appendMessage(dst []byte, t time.Time, key, value []byte) []byte {
	dst = append(dst, messageVersion)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(t.UnixNano()))
	if key == nil {
		dst = binary.AppendUvarint(dst, 0)
	} else {
		dst = binary.AppendUvarint(dst, uint64(len(key))+1)
	}
	dst = append(dst, key...)
	return append(dst, value...)
}

// decodeMessage parses a stored message; key and value alias data.
func decodeMessage(data []byte) (t time.Time, key, value []byte, err error) {
	if len(data) < 10 || data[0] != messageVersion {
		return time.Time{}, nil, nil, fmt.Errorf("%w: %d bytes, version %v", ErrCorruptMessage, len(data), first(data))
	}
	t = time.Unix(0, int64(binary.LittleEndian.Uint64(data[1:9])))
	n, w, ok := varint.Uvarint(data[9:])
	rest := data[9:]
	if !ok || n > uint64(len(rest)-w)+1 {
		return time.Time{}, nil, nil, fmt.Errorf("%w: bad key length", ErrCorruptMessage)
	}
	rest = rest[w:]
	if n > 0 {
		key, rest = rest[:n-1:n-1], rest[n-1:]
	}
	return t, key, rest, nil
}

func first(b []byte) any {
	if len(b) == 0 {
		return "none"
	}
	return b[0]
}

// messageTime reads only the time of a stored message.
func messageTime(data []byte) (time.Time, error) {
	t, _, _, err := decodeMessage(data)
	return t, err
}
