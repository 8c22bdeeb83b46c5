package snowflake_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/sysdesign-go/sysdesign/snowflake"
)

func Example() {
	g, err := snowflake.New(snowflake.Config{Datacenter: 1, Machine: 7})
	if err != nil {
		panic(err)
	}
	a, _ := g.Next()
	b, _ := g.Next()
	p := g.Decode(b)
	fmt.Println(a < b, p.Datacenter, p.Machine, time.Since(p.Time) < time.Minute)
	// Output: true 1 7 true
}

func ExampleLayout_Decode() {
	// A tweet ID; its time matches the tweet (checked independently in Python).
	p := snowflake.Classic().Decode(1541815603606036480)
	fmt.Println(p.Time.Format(time.RFC3339Nano), p.Datacenter, p.Machine, p.Sequence)
	// Output: 2022-06-28T16:07:40.105Z 11 26 0
}

func ExampleID_MarshalJSON() {
	b, _ := json.Marshal(map[string]snowflake.ID{"id": 1541815603606036480})
	fmt.Println(string(b), snowflake.ID(1541815603606036480).Base62())
	// Output: {"id":"1541815603606036480"} 1ptWyK4WgZU
}

// A fixed clock makes the output repeatable; real programs leave Clock nil.
type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time        { return c.t }
func (c *fixedClock) Sleep(d time.Duration) { c.t = c.t.Add(d) }

func ExampleConfig_maxLead() {
	l := snowflake.Layout{TimeBits: 41, MachineBits: 20, SequenceBits: 2, Unit: time.Millisecond, Epoch: snowflake.TwitterEpoch}
	clk := &fixedClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	g, _ := snowflake.New(snowflake.Config{Layout: l, Clock: clk, MaxLead: 2 * time.Millisecond})
	// 4 IDs per millisecond; a burst of 10 borrows two milliseconds ahead.
	for i := 0; i < 10; i++ {
		id, _ := g.Next()
		p := l.Decode(id)
		fmt.Printf("%v+%d ", p.Time.Sub(clk.Now()), p.Sequence)
	}
	// Output: 0s+0 0s+1 0s+2 0s+3 1ms+0 1ms+1 1ms+2 1ms+3 2ms+0 2ms+1
}
