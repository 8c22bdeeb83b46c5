package notification

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/sysdesign-go/sysdesign/internal/varint"
	"github.com/sysdesign-go/sysdesign/snowflake"
)

// Channel is a way to reach a user.
type Channel uint8

// The channels, each with its own queues, workers and provider.
const (
	Push Channel = iota
	SMS
	Email
	numChannels
)

var channelNames = [numChannels]string{"push", "sms", "email"}

func (c Channel) String() string {
	if c < numChannels {
		return channelNames[c]
	}
	return fmt.Sprintf("channel(%d)", uint8(c))
}

// Message is one notification to one user on one channel.
type Message struct {
	ID        snowflake.ID // given at Send; the provider's idempotency key
	EventID   string       // the caller's ID for the event, for dedupe
	User      int64
	Channel   Channel
	Body      string
	Attempt   int       // deliveries tried so far
	NotBefore time.Time // a retry waits until then
}

// ErrCorrupt is matched by errors about a stored message that does not
// decode.
var ErrCorrupt = errors.New("notification: corrupt message")

const messageVersion = 1

// Stored form, one wal record:
//
//	version (1B) | id (8B) | user (8B) | channel (1B) | attempt (1B) |
//	not-before Unix ns (8B) | event length (uvarint) | event | body
func appendMessage(dst []byte, m Message) []byte {
	dst = append(dst, messageVersion)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(m.ID))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(m.User))
	dst = append(dst, byte(m.Channel), byte(m.Attempt))
	var nb int64
	if !m.NotBefore.IsZero() {
		nb = m.NotBefore.UnixNano()
	}
	dst = binary.LittleEndian.AppendUint64(dst, uint64(nb))
	dst = binary.AppendUvarint(dst, uint64(len(m.EventID)))
	dst = append(dst, m.EventID...)
	return append(dst, m.Body...)
}

func decodeMessage(b []byte) (Message, error) {
	const fixed = 1 + 8 + 8 + 2 + 8
	if len(b) < fixed+1 || b[0] != messageVersion {
		return Message{}, fmt.Errorf("%w: %d bytes", ErrCorrupt, len(b))
	}
	m := Message{
		ID:      snowflake.ID(binary.LittleEndian.Uint64(b[1:])),
		User:    int64(binary.LittleEndian.Uint64(b[9:])),
		Channel: Channel(b[17]),
		Attempt: int(b[18]),
	}
	if nb := int64(binary.LittleEndian.Uint64(b[19:])); nb != 0 {
		m.NotBefore = time.Unix(0, nb)
	}
	event, body, ok := varint.Bytes(b[fixed:])
	if !ok || m.Channel >= numChannels || m.ID < 0 {
		return Message{}, fmt.Errorf("%w: bad header", ErrCorrupt)
	}
	m.EventID, m.Body = string(event), string(body)
	return m, nil
}
