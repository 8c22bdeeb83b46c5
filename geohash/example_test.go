package geohash_test

import (
	"fmt"

	"github.com/sysdesign-go/sysdesign/geohash"
)

func Example() {
	// The Eiffel Tower.
	s := geohash.Encode(48.8584, 2.2945, 9)
	box, _ := geohash.Decode(s)
	lat, lon := box.Center()
	fmt.Println(s)
	fmt.Printf("%.4f %.4f\n", lat, lon)
	// Output:
	// u09tunquc
	// 48.8584 2.2945
}

func ExampleEncodeInt() {
	// 45 bits = 9 characters; github.com/mmcloughlin/geohash agrees.
	h := geohash.EncodeInt(48.8584, 2.2945, 45)
	fmt.Println(h, geohash.FormatInt(h, 9))
	// Output: 28597832801099 u09tunquc
}

func ExampleNeighbor() {
	east, ok, _ := geohash.Neighbor("zzz", geohash.East) // across the antimeridian
	fmt.Println(east, ok)
	_, ok, _ = geohash.Neighbor("zzz", geohash.North) // beyond the north pole
	fmt.Println(ok)
	// Output:
	// bpb true
	// false
}

func ExampleNineCells() {
	cells, _ := geohash.NineCells(48.8584, 2.2945, 500)
	for _, c := range cells {
		fmt.Print(c, " ")
	}
	fmt.Println()
	// Output: u09tgv u09tgy u09tgz u09tuj u09tum u09tun u09tup u09tuq u09tur
}

func ExampleCoverCircle() {
	cells, _ := geohash.CoverCircle(48.8584, 2.2945, 500, geohash.CoverOptions{MaxCells: 8, Step: 5})
	fmt.Println(len(cells), "cells:", cells)
	fmt.Println(len(geohash.Ranges(cells)), "range scans")
	// Output:
	// 6 cells: [u09tuj u09tum u09tun u09tup u09tuq u09tur]
	// 2 range scans
}

func ExampleRedisScore() {
	// GEOADD Sicily 13.361389 38.115556 "Palermo"; ZSCORE Sicily Palermo
	score, _ := geohash.RedisScore(38.115556, 13.361389)
	fmt.Println(score)
	// Output: 3479099956230698
}

func ExampleDistance() {
	// Palermo to Catania, as in the Redis GEODIST documentation (166274.1516 m).
	fmt.Printf("%.0f m\n", geohash.RedisDistance(38.115556, 13.361389, 37.502669, 15.087269))
	fmt.Printf("%.0f°\n", geohash.Bearing(38.115556, 13.361389, 37.502669, 15.087269))
	// Output:
	// 166274 m
	// 114°
}

func ExampleIndex_Nearby() {
	ix, _ := geohash.NewIndex[string](geohash.IndexOptions{})
	ix.Add("louvre", 48.8606, 2.3376)
	ix.Add("notre-dame", 48.8530, 2.3499)
	ix.Add("eiffel", 48.8584, 2.2945)
	ix.Add("sacre-coeur", 48.8867, 2.3431)

	// Within 3 km of the Pont Neuf, two per page.
	page, next, _ := ix.Nearby(48.8573, 2.3414, 3000, 2, nil)
	for next != nil || page != nil {
		for _, r := range page {
			fmt.Printf("%s %.0f m\n", r.ID, r.Dist)
		}
		if next == nil {
			break
		}
		page, next, _ = ix.Nearby(48.8573, 2.3414, 3000, 2, next)
	}
	// Output:
	// louvre 460 m
	// notre-dame 784 m
}
