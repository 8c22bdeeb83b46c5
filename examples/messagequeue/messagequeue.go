// Package messagequeue is the distributed message queue system, on one
// broker: topics split into partitions, each partition a write-ahead log
// (wal) whose record indexes are the offsets; keyed messages stay in order
// per key; consumer groups share partitions (range assignment, rebalanced
// when members join or leave) and commit offsets durably, so delivery is
// at-least-once; retention drops old messages by time.
//
// The run produces orders from concurrent producers, consumes them with a
// "billing" group that gains a member and loses one mid-stream without
// committing (its messages are delivered again), restarts the broker under
// an "analytics" group that resumes from its committed offsets, and ages
// the log past its retention.
//
//	go run ./examples/tour messagequeue [-messages 3000] [-producers 4] [-partitions 3]
package messagequeue

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Run runs the system with command-line args and writes its report to w.
func Run(ctx context.Context, w io.Writer, args []string) error {
	fs := flag.NewFlagSet("messagequeue", flag.ContinueOnError)
	fs.SetOutput(w)
	total := fs.Int("messages", 3000, "orders to produce")
	producers := fs.Int("producers", 4, "concurrent producers")
	partitions := fs.Int("partitions", 3, "partitions of the orders topic")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *total < 100 || *producers < 1 || *producers > 64 || *partitions < 2 || *partitions > 64 {
		return errors.New("messagequeue: need >= 100 messages, 1-64 producers and 2-64 partitions")
	}
	dir, err := os.MkdirTemp("", "messagequeue")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var clock atomic.Int64 // a clock the run can move forward, for retention
	clock.Store(time.Now().UnixNano())
	opts := &Options{Now: func() time.Time { return time.Unix(0, clock.Load()) }}
	b, err := Open(dir, opts)
	if err != nil {
		return err
	}
	defer func() { b.Close() }()
	const topic = "orders"
	if err := b.CreateTopic(topic, TopicConfig{Partitions: *partitions, Retention: 24 * time.Hour}); err != nil {
		return err
	}

	// Produce: customer k's orders come from one producer, in sequence.
	customers := 100
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, *producers)
	for p := range *producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range *total {
				k := i % customers
				if k%*producers != p {
					continue // another producer's customer
				}
				key := fmt.Sprintf("customer-%03d", k)
				if _, _, err := b.Produce(topic, []byte(key), []byte("order "+strconv.Itoa(i))); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	took := time.Since(start)
	var sizes []string
	for p := range *partitions {
		first, next, _ := b.Offsets(topic, p)
		sizes = append(sizes, strconv.FormatUint(next-first, 10))
	}
	fmt.Fprintf(w, "produced %d orders from %d producers in %v (%.0f/s, each acknowledged after fsync; group commit shares them); partitions hold %s\n",
		*total, *producers, took.Round(time.Millisecond), float64(*total)/took.Seconds(), strings.Join(sizes, " / "))
	if err := checkKeyOrder(b, topic, *partitions); err != nil {
		return err
	}
	fmt.Fprintln(w, "every customer's orders sit in one partition, in the order they were produced")

	if err := billing(w, b, topic, *total); err != nil {
		return err
	}

	// Analytics reads half, commits, and the broker restarts.
	a, err := b.Join("analytics", "a1", topic)
	if err != nil {
		return err
	}
	firstHalf, err := drain(a, *total/2, true)
	if err != nil {
		return err
	}
	if err := b.Close(); err != nil {
		return err
	}
	if b, err = Open(dir, opts); err != nil {
		return err
	}
	if a, err = b.Join("analytics", "a1", topic); err != nil {
		return err
	}
	rest, err := drain(a, *total, true)
	if err != nil {
		return err
	}
	if firstHalf+rest != *total {
		return fmt.Errorf("messagequeue: analytics read %d + %d across the restart; want %d", firstHalf, rest, *total)
	}
	fmt.Fprintf(w, "analytics: read %d, committed, broker restarted, resumed from the committed offsets and read the other %d: none lost, none repeated\n", firstHalf, rest)

	// Retention: a day later the old orders are gone.
	clock.Add(int64(25 * time.Hour))
	for i := range 10 {
		if _, _, err := b.Produce(topic, nil, []byte("late order "+strconv.Itoa(i))); err != nil {
			return err
		}
	}
	dropped, err := b.EnforceRetention()
	if err != nil {
		return err
	}
	audit, err := b.Join("audit", "x1", topic)
	if err != nil {
		return err
	}
	n, err := drain(audit, *total, false)
	if err != nil {
		return err
	}
	if dropped != *total || n != 10 {
		return fmt.Errorf("messagequeue: retention dropped %d (want %d); a new group read %d (want 10)", dropped, *total, n)
	}
	fmt.Fprintf(w, "25 hours later: retention (24h) dropped %d orders; a new group reads only the 10 newer ones; the offsets log holds %d records after compaction\n",
		dropped, b.offsets.records())
	return nil
}

// billing consumes the topic with a group that gains a member and then loses
// one that processed messages without committing them.
func billing(w io.Writer, b *Broker, topic string, total int) error {
	seen := map[string]int{} // message -> times processed
	process := func(msgs []Message) {
		for _, m := range msgs {
			seen[fmt.Sprintf("%d/%d", m.Partition, m.Offset)]++
		}
	}
	c1, err := b.Join("billing", "b1", topic)
	if err != nil {
		return err
	}
	c2, err := b.Join("billing", "b2", topic)
	if err != nil {
		return err
	}
	consumers := []*Consumer{c1, c2}
	// Both poll and commit in turns for a while.
	for round := 0; round < 4; round++ {
		for _, c := range consumers {
			msgs, err := c.Poll(total / 20)
			if err != nil {
				return err
			}
			process(msgs)
			if err := c.Commit(); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(w, "billing: b1 has %v, b2 has %v\n", c1.Assignment(), c2.Assignment())
	c3, err := b.Join("billing", "b3", topic)
	if err != nil {
		return err
	}
	if err := c1.Commit(); !errors.Is(err, ErrRebalanced) {
		return fmt.Errorf("messagequeue: commit after a join: %v; want ErrRebalanced", err)
	}
	consumers = append(consumers, c3)
	for _, c := range consumers {
		msgs, err := c.Poll(total / 20)
		if err != nil {
			return err
		}
		process(msgs)
		if err := c.Commit(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "billing: b3 joined; after the rebalance b1 has %v, b2 %v, b3 %v\n", c1.Assignment(), c2.Assignment(), c3.Assignment())
	// b1 processes a batch and dies before committing it.
	lost, err := c1.Poll(total / 20)
	if err != nil {
		return err
	}
	process(lost)
	c1.Close()
	for _, c := range consumers[1:] {
		if _, err := drainFunc(c, total, true, process); err != nil {
			return err
		}
	}
	twice := 0
	for _, n := range seen {
		if n > 1 {
			twice++
		}
	}
	if len(seen) != total || twice != len(lost) {
		return fmt.Errorf("messagequeue: billing processed %d distinct messages (%d twice); want %d, %d twice", len(seen), twice, total, len(lost))
	}
	fmt.Fprintf(w, "billing: b1 processed %d orders and crashed before committing; b2 and b3 took over its partitions from the committed offsets: all %d orders processed, exactly those %d twice (at-least-once)\n",
		len(lost), total, len(lost))
	return nil
}

// drain polls until nothing is left (or limit messages were read),
// committing after each poll when commit is set.
func drain(c *Consumer, limit int, commit bool) (int, error) {
	return drainFunc(c, limit, commit, nil)
}

func drainFunc(c *Consumer, limit int, commit bool, process func([]Message)) (int, error) {
	n := 0
	for n < limit {
		msgs, err := c.Poll(min(100, limit-n))
		if err != nil {
			return n, err
		}
		if len(msgs) == 0 {
			break
		}
		if process != nil {
			process(msgs)
		}
		n += len(msgs)
		if commit {
			if err := c.Commit(); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// checkKeyOrder reads every partition and checks that each key lives in one
// partition with its order numbers increasing.
func checkKeyOrder(b *Broker, topic string, partitions int) error {
	home := map[string]int{}
	last := map[string]int{}
	for p := range partitions {
		msgs, err := b.Fetch(topic, p, 0, 1<<30)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			key := string(m.Key)
			if q, ok := home[key]; ok && q != p {
				return fmt.Errorf("messagequeue: %s in partitions %d and %d", key, q, p)
			}
			home[key] = p
			seq, err := strconv.Atoi(strings.TrimPrefix(string(m.Value), "order "))
			if err != nil {
				return err
			}
			if prev, ok := last[key]; ok && seq <= prev {
				return fmt.Errorf("messagequeue: %s: order %d after %d", key, seq, prev)
			}
			last[key] = seq
		}
	}
	return nil
}
