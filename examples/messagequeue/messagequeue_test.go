package messagequeue

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	var out strings.Builder
	if err := Run(context.Background(), &out, []string{"-messages", "400", "-producers", "3"}); err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"produced 400 orders", "in the order they were produced", "exactly those", "none lost, none repeated", "dropped 400 orders"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := Run(context.Background(), new(strings.Builder), []string{"-partitions", "1"}); err == nil {
		t.Error("Run accepted one partition")
	}
}

// testBroker opens a broker on a clock the test moves.
func testBroker(t *testing.T, dir string) (*Broker, *atomic.Int64) {
	t.Helper()
	clock := new(atomic.Int64)
	clock.Store(time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC).UnixNano())
	b, err := Open(dir, &Options{Now: func() time.Time { return time.Unix(0, clock.Load()) }, SegmentSize: 64 << 10, MaxMessageSize: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b, clock
}

func TestMessageEncoding(t *testing.T) {
	at := time.Unix(1_700_000_000, 123)
	for _, tt := range []struct{ key, value []byte }{{nil, []byte("v")}, {[]byte{}, nil}, {[]byte("k"), []byte("value")}} {
		got, key, value, err := decodeMessage(appendMessage(nil, at, tt.key, tt.value))
		if err != nil || !got.Equal(at) || !bytes.Equal(key, tt.key) || (key == nil) != (tt.key == nil) || !bytes.Equal(value, tt.value) {
			t.Errorf("round trip of %q/%q: %v %q %q %v", tt.key, tt.value, got, key, value, err)
		}
	}
	for _, bad := range [][]byte{nil, {2, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {1, 0, 0, 0, 0, 0, 0, 0, 0, 9}, {1, 0, 0, 0, 0, 0, 0, 0, 0, 0x80}} {
		if _, _, _, err := decodeMessage(bad); !errors.Is(err, ErrCorruptMessage) {
			t.Errorf("decodeMessage(%x) error = %v", bad, err)
		}
	}
}

func FuzzDecodeMessage(f *testing.F) {
	f.Add(appendMessage(nil, time.Unix(5, 0), []byte("k"), []byte("v")))
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		at, key, value, err := decodeMessage(data)
		if err != nil {
			return
		}
		if again := appendMessage(nil, at, key, value); !bytes.Equal(again, data) {
			t.Fatalf("decode(%x) re-encodes to %x", data, again)
		}
	})
}

func FuzzDecodeOffset(f *testing.F) {
	f.Add(appendOffset(nil, offsetKey{"g", "t", 3}, 42))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, off, err := decodeOffset(data)
		if err != nil {
			return
		}
		if again := appendOffset(nil, k, off); !bytes.Equal(again, data) {
			t.Fatalf("decode(%x) re-encodes to %x", data, again)
		}
	})
}

func TestProduceAndFetch(t *testing.T) {
	b, _ := testBroker(t, t.TempDir())
	if err := b.CreateTopic("t", TopicConfig{Partitions: 4}); err != nil {
		t.Fatal(err)
	}
	home := -1
	for i := range 20 {
		p, off, err := b.Produce("t", []byte("same-key"), []byte(fmt.Sprint(i)))
		if err != nil {
			t.Fatal(err)
		}
		if home >= 0 && p != home || off != uint64(i+1) {
			t.Fatalf("message %d went to %d/%d; want partition %d offset %d", i, p, off, home, i+1)
		}
		home = p
	}
	used := map[int]bool{}
	for range 8 {
		p, _, err := b.Produce("t", nil, []byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		used[p] = true
	}
	if len(used) != 4 {
		t.Errorf("unkeyed messages used partitions %v; want all 4 (round robin)", used)
	}
	msgs, err := b.Fetch("t", home, 0, 5)
	if err != nil || len(msgs) != 5 || msgs[0].Offset != 1 || string(msgs[4].Value) != "4" || string(msgs[0].Key) != "same-key" {
		t.Fatalf("Fetch = %+v, %v", msgs, err)
	}
	if msgs, err := b.Fetch("t", home, 100, 5); err != nil || len(msgs) != 0 {
		t.Errorf("Fetch past the end = %v, %v; want nothing", msgs, err)
	}
	for _, err := range []error{
		func() error { _, _, err := b.Produce("nope", nil, nil); return err }(),
		func() error { _, err := b.Fetch("nope", 0, 0, 1); return err }(),
	} {
		if !errors.Is(err, ErrUnknownTopic) {
			t.Errorf("unknown topic: %v", err)
		}
	}
	for _, err := range []error{
		func() error { _, err := b.Fetch("t", 4, 0, 1); return err }(),
		func() error { _, _, err := b.Produce("t", nil, make([]byte, 2<<10)); return err }(),
		b.CreateTopic("bad/name", TopicConfig{Partitions: 1}),
		b.CreateTopic("zero", TopicConfig{}),
		b.CreateTopic("neg", TopicConfig{Partitions: 1, Retention: -1}),
	} {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("invalid argument: %v", err)
		}
	}
	if err := b.CreateTopic("t", TopicConfig{Partitions: 1}); !errors.Is(err, ErrTopicExists) {
		t.Errorf("CreateTopic twice: %v", err)
	}
}

func TestReopenKeepsMessagesAndOffsets(t *testing.T) {
	dir := t.TempDir()
	b, _ := testBroker(t, dir)
	if err := b.CreateTopic("t", TopicConfig{Partitions: 2, Retention: time.Hour}); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if _, _, err := b.Produce("t", []byte(fmt.Sprint(i)), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	c, err := b.Join("g", "m", "t")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := drain(c, 20, true); err != nil || n != 20 {
		t.Fatalf("drain = %d, %v", n, err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b2, _ := testBroker(t, dir)
	if n, err := b2.Partitions("t"); err != nil || n != 2 {
		t.Fatalf("after reopen: %d partitions, %v", n, err)
	}
	c, err = b2.Join("g", "m", "t")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := drain(c, 1000, true); err != nil || n != 30 {
		t.Errorf("after reopen the group read %d, %v; want the 30 it had not committed", n, err)
	}
}

func TestGroupAssignmentCoversEveryPartitionOnce(t *testing.T) {
	b, _ := testBroker(t, t.TempDir())
	if err := b.CreateTopic("t", TopicConfig{Partitions: 7}); err != nil {
		t.Fatal(err)
	}
	var cs []*Consumer
	for i := range 3 {
		c, err := b.Join("g", fmt.Sprintf("m%d", i), "t")
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	if _, err := b.Join("g", "m0", "t"); !errors.Is(err, ErrInvalid) {
		t.Errorf("duplicate member: %v", err)
	}
	check := func(cs []*Consumer) {
		t.Helper()
		var all []int
		for _, c := range cs {
			if _, err := c.Poll(1); err != nil {
				t.Fatal(err)
			}
			for _, tp := range c.Assignment() {
				all = append(all, tp.Partition)
			}
		}
		slices.Sort(all)
		if !slices.Equal(all, []int{0, 1, 2, 3, 4, 5, 6}) {
			t.Errorf("assignment covers %v; want each of 7 partitions once", all)
		}
	}
	check(cs)
	if err := cs[1].Commit(); err != nil {
		t.Fatal(err)
	}
	cs[1].Close()
	if err := cs[0].Commit(); !errors.Is(err, ErrRebalanced) {
		t.Errorf("commit after a member left: %v; want ErrRebalanced", err)
	}
	check([]*Consumer{cs[0], cs[2]})
	if _, err := cs[1].Poll(1); err == nil {
		t.Error("Poll on a closed consumer succeeded")
	}
}

func TestRetentionDropsOnlyExpiredMessages(t *testing.T) {
	b, clock := testBroker(t, t.TempDir())
	if err := b.CreateTopic("t", TopicConfig{Partitions: 2, Retention: 5 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	if err := b.CreateTopic("forever", TopicConfig{Partitions: 1}); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		for _, topic := range []string{"t", "forever"} {
			if _, _, err := b.Produce(topic, []byte("k"), []byte(fmt.Sprint(i))); err != nil {
				t.Fatal(err)
			}
		}
		clock.Add(int64(time.Hour))
	}
	// Now is 10h after the first message; 5h retention keeps hours 5-9.
	dropped, err := b.EnforceRetention()
	if err != nil || dropped != 5 {
		t.Fatalf("EnforceRetention = %d, %v; want 5", dropped, err)
	}
	p, _, _ := b.Produce("t", []byte("k"), []byte("new"))
	msgs, err := b.Fetch("t", p, 0, 100)
	if err != nil || len(msgs) != 6 || string(msgs[0].Value) != "5" {
		t.Errorf("after retention: %d messages starting %q, %v; want 6 from \"5\"", len(msgs), msgs[0].Value, err)
	}
	if msgs, _ := b.Fetch("forever", 0, 0, 100); len(msgs) != 10 {
		t.Errorf("a topic without retention lost messages: %d left", len(msgs))
	}
	if dropped, err := b.EnforceRetention(); err != nil || dropped != 0 {
		t.Errorf("second EnforceRetention = %d, %v; want 0", dropped, err)
	}
}

func TestOffsetsLogCompacts(t *testing.T) {
	dir := t.TempDir()
	b, _ := testBroker(t, dir)
	if err := b.CreateTopic("t", TopicConfig{Partitions: 2}); err != nil {
		t.Fatal(err)
	}
	c, err := b.Join("g", "m", "t")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		if _, _, err := b.Produce("t", []byte(fmt.Sprint(i)), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Poll(10); err != nil {
			t.Fatal(err)
		}
		if err := c.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	if n := b.offsets.records(); n > 64+2 {
		t.Errorf("offsets log holds %d records for 2 keys; want it compacted", n)
	}
	want := [2]uint64{}
	for p := range 2 {
		want[p], _ = b.Committed("g", TopicPartition{"t", p})
	}
	b.Close()
	b2, _ := testBroker(t, dir)
	for p := range 2 {
		if got, ok := b2.Committed("g", TopicPartition{"t", p}); !ok || got != want[p] {
			t.Errorf("partition %d: committed %d after reopen; want %d", p, got, want[p])
		}
	}
}
