package quadtree_test

import (
	"fmt"

	"github.com/sysdesign-go/sysdesign/quadtree"
)

func Example() {
	tr, _ := quadtree.New[string](quadtree.Options{})
	tr.Insert(48.8606, 2.3376, "Louvre")
	tr.Insert(48.8530, 2.3499, "Notre-Dame")
	eiffel, _ := tr.Insert(48.8584, 2.2945, "Eiffel Tower")
	tr.Insert(51.5007, -0.1246, "Big Ben")

	// The two places nearest the Pont Neuf.
	for _, r := range tr.AppendNearest(nil, 48.8573, 2.3414, 2) {
		fmt.Printf("%s %.0f m\n", r.Value, r.Dist)
	}
	// Everything within 5 km.
	fmt.Println(tr.CountRadius(48.8573, 2.3414, 5000), "within 5 km")

	// The tower moves (in the example); its handle stays valid.
	tr.Move(eiffel, 51.5, -0.12)
	fmt.Println(tr.CountRadius(48.8573, 2.3414, 5000), "within 5 km")
	// Output:
	// Louvre 460 m
	// Notre-Dame 784 m
	// 3 within 5 km
	// 2 within 5 km
}

func ExampleTree_AppendBox() {
	tr, _ := quadtree.New[string](quadtree.Options{})
	tr.Insert(-17.7, 178.0, "Fiji")
	tr.Insert(-14.3, -170.7, "American Samoa")
	tr.Insert(-36.8, 174.8, "Auckland")
	// A box across the antimeridian: MinLon > MaxLon.
	var buf []quadtree.Result[string]
	buf = tr.AppendBox(buf[:0], quadtree.Rect{MinLat: -20, MaxLat: -10, MinLon: 175, MaxLon: -170})
	fmt.Println(len(buf), "places")
	// Output: 2 places
}

func ExampleLoad() {
	pts := []quadtree.Point[int]{{Lat: 0, Lon: 0, Value: 7}, {Lat: 89.9, Lon: 0, Value: 8}, {Lat: 89.9, Lon: 180, Value: 9}}
	tr, _ := quadtree.Load(pts, quadtree.Options{})
	// Across the north pole the nearest point to 89.9N 0E is 89.9N 180E, 22 km away.
	nn := tr.AppendNearest(nil, 89.95, 90, 2)
	fmt.Printf("%d %d %.0f km\n", nn[0].Value, nn[1].Value, tr.AppendNearest(nil, 89.9, 0, 2)[1].Dist/1000)
	// Output: 8 9 22 km
}
