package routing_test

import (
	"fmt"
	"strings"

	"github.com/sysdesign-go/sysdesign/routing"
)

// A small town: two routes from the station (0) to the market (3).
func townGraph() *routing.Graph {
	arcs := []routing.Arc{
		{From: 0, To: 1, Weight: 400}, {From: 1, To: 0, Weight: 400},
		{From: 1, To: 3, Weight: 300}, {From: 3, To: 1, Weight: 300},
		{From: 0, To: 2, Weight: 250}, {From: 2, To: 0, Weight: 250},
		{From: 2, To: 3, Weight: 600}, {From: 3, To: 2, Weight: 600},
		{From: 2, To: 4, Weight: 100}, // one-way lane
		{From: 4, To: 3, Weight: 200}, {From: 3, To: 4, Weight: 200},
	}
	coords := []routing.Point{{X: 0, Y: 0}, {X: 400, Y: 0}, {X: 0, Y: 250}, {X: 400, Y: 300}, {X: 100, Y: 250}}
	g, err := routing.NewGraph(5, arcs, routing.Planar, coords)
	if err != nil {
		panic(err)
	}
	return g
}

func ExampleSearch_Dijkstra() {
	g := townGraph()
	s := routing.NewSearch(g)
	r, err := s.Dijkstra(0, 3)
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Dist, r.Path)
	r, _ = s.AStar(0, 3)
	fmt.Println(r.Dist, r.Path)
	r, _ = s.Bidirectional(4, 2) // the lane 2->4 is one-way: go round
	fmt.Println(r.Dist, r.Path)
	_, err = s.Dijkstra(0, 9)
	fmt.Println(err)
	// Output:
	// 550 [0 2 4 3]
	// 550 [0 2 4 3]
	// 800 [4 3 2]
	// routing: unknown node: 9
}

func ExampleContract() {
	g := townGraph()
	h, err := routing.Contract(g, routing.ContractOptions{})
	if err != nil {
		panic(err)
	}
	q := h.NewQuery() // one per goroutine; h is shared
	r, err := q.Route(0, 3)
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Dist, r.Path)
	table, _ := q.Table([]int{0, 3}, []int{1, 2, 4}, nil)
	fmt.Println(table)
	// Output:
	// 550 [0 2 4 3]
	// [400 250 350 300 600 200]
}

func ExampleReadMETIS() {
	graph := "% a triangle\n3 3\n2 3\n1 3\n1 2\n"
	xyz := "0 0 0\n30 40 0\n0 80 0\n"
	g, err := routing.ReadMETIS(strings.NewReader(graph), strings.NewReader(xyz))
	if err != nil {
		panic(err)
	}
	w, _ := g.ArcWeight(0, 1)
	fmt.Println(g.NumNodes(), g.NumArcs(), w)
	_, err = routing.ReadMETIS(strings.NewReader("3 3\n2 3\n1 9\n"), strings.NewReader(xyz))
	fmt.Println(err)
	// Output:
	// 3 6 50
	// routing: metis line 3: neighbour "9" not in 1..3
}

func ExampleHierarchy_Recontract() {
	g := townGraph()
	h, _ := routing.Contract(g, routing.ContractOptions{})
	// A jam on the lane 2->4: ten times slower.
	jammed, _ := g.WithWeights(func(from, to int, w int64) int64 {
		if from == 2 && to == 4 {
			return 10 * w
		}
		return w
	})
	h2, _ := h.Recontract(jammed, routing.ContractOptions{})
	r, _ := h2.NewQuery().Route(0, 3)
	fmt.Println(r.Dist, r.Path)
	// Output:
	// 700 [0 1 3]
}

func ExampleSearch_ALT() {
	g := townGraph()
	lm, _ := routing.NewLandmarks(g, routing.LandmarkOptions{Count: 2})
	r, _ := routing.NewSearch(g).ALT(lm, 1, 4)
	fmt.Println(r.Dist, r.Path)
	// Output:
	// 500 [1 3 4]
}
