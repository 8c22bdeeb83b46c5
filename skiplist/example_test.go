package skiplist_test

import (
	"context"
	"fmt"

	"github.com/sysdesign-go/sysdesign/skiplist"
)

func ExampleMap() {
	m, err := skiplist.NewOrdered[string, int](skiplist.Options{})
	if err != nil {
		panic(err)
	}
	for i, city := range []string{"Oslo", "Lima", "Bern", "Pune", "Kobe"} {
		m.Set(city, i)
	}
	r, _ := m.Rank("Lima")
	k, _, _ := m.At(3)
	fmt.Println("rank of Lima:", r, "- at rank 3:", k)
	for city := range m.Range("C", "P") {
		fmt.Println(city)
	}
	// Output:
	// rank of Lima: 2 - at rank 3: Oslo
	// Kobe
	// Lima
	// Oslo
}

func ExampleMap_RangeByRankBackward() {
	m, _ := skiplist.NewOrdered[int, string](skiplist.Options{})
	for i := range 10 {
		m.Set(i*i, fmt.Sprint("sq", i))
	}
	for k, v := range m.RangeByRankBackward(7, 10) {
		fmt.Println(k, v)
	}
	// Output:
	// 81 sq9
	// 64 sq8
	// 49 sq7
}

func ExampleSortedSet() {
	z, _ := skiplist.NewSortedSet(skiplist.Options{})
	// ZADD race 62.1 ana 59.8 ben 62.1 cai 61.0 dee
	z.Add(skiplist.AddOptions{},
		skiplist.Entry{Member: "ana", Score: 62.1},
		skiplist.Entry{Member: "ben", Score: 59.8},
		skiplist.Entry{Member: "cai", Score: 62.1},
		skiplist.Entry{Member: "dee", Score: 61.0})
	// ZADD race LT CH 60.5 ana: a better (lower) lap time replaces the old one.
	n, _ := z.Add(skiplist.AddOptions{LT: true, CH: true}, skiplist.Entry{Member: "ana", Score: 60.5})
	fmt.Println("changed:", n)
	// ZRANGE race 0 -1 WITHSCORES
	for _, e := range z.RangeByRank(0, -1, false) {
		fmt.Println(e.Member, e.Score)
	}
	// ZCOUNT race (60 62
	fmt.Println("between (60 and 62:", z.Count(skiplist.Exclusive(60), skiplist.Inclusive(62)))
	// Output:
	// changed: 1
	// ben 59.8
	// ana 60.5
	// dee 61
	// cai 62.1
	// between (60 and 62: 2
}

func ExampleSortedSet_RangeByScore() {
	z, _ := skiplist.NewSortedSet(skiplist.Options{})
	for i, m := range []string{"a", "b", "c", "d", "e", "f"} {
		z.Add(skiplist.AddOptions{}, skiplist.Entry{Member: m, Score: float64(i)})
	}
	// ZRANGE key +inf (1 BYSCORE REV LIMIT 1 2
	lo, _ := skiplist.ParseScoreBound("(1")
	for _, e := range z.RangeByScore(lo, skiplist.PosInf, true, skiplist.Limit{Offset: 1, Count: 2, Set: true}) {
		fmt.Println(e.Member, e.Score)
	}
	// Output:
	// e 4
	// d 3
}

func ExampleMemoryLeaderboard() {
	ctx := context.Background()
	lb, _ := skiplist.NewMemoryLeaderboard(skiplist.Options{})
	for i, user := range []string{"ava", "bo", "cy", "di", "ed", "flo", "gus"} {
		lb.Incr(ctx, user, float64(100+i*10))
	}
	top, _ := lb.Top(ctx, 2)
	fmt.Println("top:", top)
	me, _, _ := lb.Rank(ctx, "di")
	fmt.Println("di:", me)
	near, _ := lb.Around(ctx, "di", 1)
	fmt.Println("around di:", near)
	// Output:
	// top: [{gus 160 0} {flo 150 1}]
	// di: {di 130 3}
	// around di: [{ed 140 2} {di 130 3} {cy 120 4}]
}
