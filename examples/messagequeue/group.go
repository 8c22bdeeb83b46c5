package messagequeue

import (
	"errors"
	"fmt"
	"slices"
)

// ErrRebalanced is returned by Consumer.Commit when the group's membership
// changed since the consumer's last Poll: its partitions may belong to
// another member now, so the commit is refused and the messages it covered
// will be delivered again (at-least-once), as Kafka's CommitFailedException.
var ErrRebalanced = errors.New("messagequeue: group rebalanced; poll again")

// TopicPartition names one partition.
type TopicPartition struct {
	Topic     string
	Partition int
}

// group is a consumer group: members share the partitions of the topics
// they subscribe to, each partition read by one member at a time.
type group struct {
	generation int                 // bumped on every join and leave
	members    map[string][]string // member ID -> subscribed topics
}

// Consumer is one member of a consumer group. It reads its share of the
// partitions from the group's committed offsets (or the oldest retained
// message when none was committed), and commits how far it processed.
// A Consumer is not safe for concurrent use; each goroutine owns one.
type Consumer struct {
	b          *Broker
	group, id  string
	generation int
	assigned   []TopicPartition
	position   map[TopicPartition]uint64
	closed     bool
}

// Join adds member id to a consumer group (creating the group), subscribed
// to topics. The group rebalances: every member's next Poll takes up the new
// assignment (range assignment per topic over the sorted member IDs).
func (b *Broker) Join(groupName, id string, topics ...string) (*Consumer, error) {
	if !validName.MatchString(groupName) || !validName.MatchString(id) || len(topics) == 0 {
		return nil, fmt.Errorf("%w: group %q, member %q, %d topics", ErrInvalid, groupName, id, len(topics))
	}
	for _, t := range topics {
		if _, err := b.topic(t); err != nil {
			return nil, err
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	g := b.groups[groupName]
	if g == nil {
		g = &group{members: map[string][]string{}}
		b.groups[groupName] = g
	}
	if _, dup := g.members[id]; dup {
		return nil, fmt.Errorf("%w: %s is already a member of %s", ErrInvalid, id, groupName)
	}
	g.members[id] = slices.Clone(topics)
	g.generation++
	return &Consumer{b: b, group: groupName, id: id, generation: -1}, nil
}

// Close leaves the group without committing; the group rebalances and
// whatever this consumer read but did not commit is delivered again.
func (c *Consumer) Close() error {
	if c.closed {
		return nil
	}
	c.closed = true
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	g := c.b.groups[c.group]
	delete(g.members, c.id)
	g.generation++
	return nil
}

// Assignment returns the partitions the consumer read at its last Poll.
func (c *Consumer) Assignment() []TopicPartition { return slices.Clone(c.assigned) }

// sync takes up the group's current assignment if it changed, restarting
// every partition at its committed offset. It reports whether it did.
func (c *Consumer) sync() (bool, error) {
	c.b.mu.RLock()
	g := c.b.groups[c.group]
	if g.generation == c.generation {
		c.b.mu.RUnlock()
		return false, nil
	}
	var mine []TopicPartition
	for _, topic := range g.members[c.id] {
		var subs []string
		for id, topics := range g.members {
			if slices.Contains(topics, topic) {
				subs = append(subs, id)
			}
		}
		slices.Sort(subs)
		n := len(c.b.topics[topic].parts)
		me := slices.Index(subs, c.id)
		// Range assignment: member i of m gets partitions [i*n/m, (i+1)*n/m).
		for p := me * n / len(subs); p < (me+1)*n/len(subs); p++ {
			mine = append(mine, TopicPartition{topic, p})
		}
	}
	c.generation = g.generation
	c.b.mu.RUnlock()

	c.assigned = mine
	c.position = map[TopicPartition]uint64{}
	for _, tp := range mine {
		off, ok := c.b.offsets.get(offsetKey{c.group, tp.Topic, tp.Partition})
		first, _, err := c.b.Offsets(tp.Topic, tp.Partition)
		if err != nil {
			return true, err
		}
		if !ok || off < first {
			off = first // nothing committed, or retention removed it: oldest retained
		}
		c.position[tp] = off
	}
	return true, nil
}

// Poll returns up to max messages from the consumer's partitions, in offset
// order within each partition, and advances its position past them. It does
// not wait: with nothing new it returns no messages.
func (c *Consumer) Poll(max int) ([]Message, error) {
	if c.closed {
		return nil, fmt.Errorf("%w: consumer %s closed", ErrInvalid, c.id)
	}
	if _, err := c.sync(); err != nil {
		return nil, err
	}
	var out []Message
	for _, tp := range c.assigned {
		if len(out) >= max {
			break
		}
		msgs, err := c.b.Fetch(tp.Topic, tp.Partition, c.position[tp], max-len(out))
		if err != nil {
			return out, err
		}
		if len(msgs) > 0 {
			c.position[tp] = msgs[len(msgs)-1].Offset + 1
		}
		out = append(out, msgs...)
	}
	// Start with another partition next time, so none starves.
	if len(c.assigned) > 1 {
		c.assigned = append(c.assigned[1:], c.assigned[0])
	}
	return out, nil
}

// Commit durably records, for every assigned partition, that everything
// before the consumer's position was processed. It fails with ErrRebalanced
// when the group changed since the last Poll.
func (c *Consumer) Commit() error {
	if c.closed {
		return fmt.Errorf("%w: consumer %s closed", ErrInvalid, c.id)
	}
	// The read lock keeps membership still while the commit is written.
	c.b.mu.RLock()
	defer c.b.mu.RUnlock()
	if c.b.groups[c.group].generation != c.generation {
		return ErrRebalanced
	}
	offsets := make(map[offsetKey]uint64, len(c.position))
	for tp, off := range c.position {
		offsets[offsetKey{c.group, tp.Topic, tp.Partition}] = off
	}
	return c.b.offsets.commit(offsets)
}

// Committed returns a group's committed offset for a partition.
func (b *Broker) Committed(groupName string, tp TopicPartition) (uint64, bool) {
	return b.offsets.get(offsetKey{groupName, tp.Topic, tp.Partition})
}
