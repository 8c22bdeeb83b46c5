package geohash

// Box is a latitude/longitude rectangle in degrees: the area of a geohash
// cell. MinLat <= MaxLat and MinLon <= MaxLon; a cell never crosses the
// antimeridian. The zero Box is the single point (0, 0).
type Box struct {
	MinLat, MaxLat float64
	MinLon, MaxLon float64
}

// Center returns the centre of the box.
func (b Box) Center() (lat, lon float64) {
	return (b.MinLat + b.MaxLat) / 2, (b.MinLon + b.MaxLon) / 2
}

// Contains reports whether (lat, lon) lies in the box, edges included.
func (b Box) Contains(lat, lon float64) bool {
	return b.MinLat <= lat && lat <= b.MaxLat && b.MinLon <= lon && lon <= b.MaxLon
}
