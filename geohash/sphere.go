package geohash

import "math"

// EarthRadius is the mean Earth radius in metres (IUGG R1), used by
// [Distance] and every radius in this package.
const EarthRadius = 6371008.8

// RedisEarthRadius is the radius in metres Redis uses for GEODIST and
// GEOSEARCH (geohash_helper.c), used by [RedisDistance].
const RedisEarthRadius = 6372797.560856

const rad = math.Pi / 180

// Distance returns the great-circle (haversine) distance in metres between
// two points given in degrees, on a sphere of radius [EarthRadius].
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	return EarthRadius * angle(lat1*rad, lon1*rad, lat2*rad, lon2*rad)
}

// RedisDistance is [Distance] on a sphere of radius [RedisEarthRadius], the
// formula Redis uses for GEODIST and GEOSEARCH.
func RedisDistance(lat1, lon1, lat2, lon2 float64) float64 {
	return RedisEarthRadius * angle(lat1*rad, lon1*rad, lat2*rad, lon2*rad)
}

// angle is the haversine central angle between two points in radians.
func angle(phi1, lam1, phi2, lam2 float64) float64 {
	sdp := math.Sin((phi2 - phi1) / 2)
	sdl := math.Sin((lam2 - lam1) / 2)
	h := sdp*sdp + math.Cos(phi1)*math.Cos(phi2)*sdl*sdl
	if h > 1 {
		h = 1
	}
	return 2 * math.Asin(math.Sqrt(h))
}

// Bearing returns the initial great-circle bearing in degrees, in [0, 360)
// clockwise from north, for travelling from point 1 to point 2.
func Bearing(lat1, lon1, lat2, lon2 float64) float64 {
	phi1, phi2 := lat1*rad, lat2*rad
	dl := (lon2 - lon1) * rad
	y := math.Sin(dl) * math.Cos(phi2)
	x := math.Cos(phi1)*math.Sin(phi2) - math.Sin(phi1)*math.Cos(phi2)*math.Cos(dl)
	b := math.Atan2(y, x) / rad
	b = math.Mod(b+360, 360)
	if b >= 360 {
		b = 0
	}
	return b
}

// Destination returns the point reached by travelling dist metres from
// (lat, lon) on the initial bearing (degrees clockwise from north), with
// longitude normalised to [-180, 180).
func Destination(lat, lon, bearing, dist float64) (float64, float64) {
	d := dist / EarthRadius
	phi1, lam1, th := lat*rad, lon*rad, bearing*rad
	phi2 := math.Asin(math.Sin(phi1)*math.Cos(d) + math.Cos(phi1)*math.Sin(d)*math.Cos(th))
	lam2 := lam1 + math.Atan2(math.Sin(th)*math.Sin(d)*math.Cos(phi1), math.Cos(d)-math.Sin(phi1)*math.Sin(phi2))
	return phi2 / rad, normLon(lam2 / rad)
}

// normLon wraps a longitude in degrees into [-180, 180).
func normLon(lon float64) float64 {
	if lon >= -180 && lon < 180 {
		return lon
	}
	lon = math.Mod(lon+180, 360)
	if lon < 0 {
		lon += 360
	}
	return lon - 180
}

// DistanceToBox returns the great-circle distance in metres from (lat, lon)
// to the nearest point of box b (0 inside). It is exact, not a bound, and is
// what coverings and the quadtree use to prune cells.
func DistanceToBox(lat, lon float64, b Box) float64 {
	return EarthRadius * angleToBox(lat*rad, lon*rad, b)
}

func angleToBox(phi, lam float64, b Box) float64 {
	lon := lam / rad
	if lon >= b.MinLon && lon <= b.MaxLon {
		lat := phi / rad
		switch {
		case lat > b.MaxLat:
			return phi - b.MaxLat*rad
		case lat < b.MinLat:
			return b.MinLat*rad - phi
		}
		return 0
	}
	// Of the two meridian edges the one with the larger cos(lam-mu) is
	// nearer at every latitude, so only it matters.
	mu := b.MinLon * rad
	if c1, c2 := math.Cos(lam-mu), math.Cos(lam-b.MaxLon*rad); c2 > c1 {
		mu = b.MaxLon * rad
	}
	return angleToMeridian(phi, lam, mu, b.MinLat*rad, b.MaxLat*rad)
}

// angleToMeridian is the central angle from (phi, lam) to the meridian arc
// at longitude mu between latitudes lo and hi. The distance from the point
// to the meridian's great circle has one minimum c and one maximum (its
// antipode). When cos(lam-mu) >= 0, c lies on this half meridian and the
// distance rises away from it, so the nearest point of the arc is c clamped
// to [lo, hi]. Otherwise c lies on the far half and the maximum on this
// one, so the nearest point of the arc is one of its ends.
func angleToMeridian(phi, lam, mu, lo, hi float64) float64 {
	cd := math.Cos(lam - mu)
	if cd < 0 {
		return math.Min(angle(phi, lam, lo, mu), angle(phi, lam, hi, mu))
	}
	c := math.Atan2(math.Sin(phi), math.Cos(phi)*cd)
	c = math.Max(lo, math.Min(hi, c))
	return angle(phi, lam, c, mu)
}

// CircleBounds returns the latitude/longitude boxes that together contain
// every point within radius metres of (lat, lon): one box, or two when the
// circle crosses the antimeridian. A circle reaching a pole spans every
// longitude. The boxes are exact (Matuschek's bounding-coordinates method)
// widened by about a millimetre for floating-point safety.
func CircleBounds(lat, lon, radius float64) (boxes [2]Box, n int) {
	d := radius/EarthRadius + 2e-10
	if d >= math.Pi {
		return [2]Box{{MinLat: -90, MaxLat: 90, MinLon: -180, MaxLon: 180}}, 1
	}
	dDeg := d / rad
	minLat, maxLat := lat-dDeg, lat+dDeg
	if maxLat >= 90 || minLat <= -90 {
		return [2]Box{{MinLat: max(minLat, -90), MaxLat: min(maxLat, 90), MinLon: -180, MaxLon: 180}}, 1
	}
	s := math.Sin(d) / math.Cos(lat*rad)
	if s >= 1 {
		return [2]Box{{MinLat: minLat, MaxLat: maxLat, MinLon: -180, MaxLon: 180}}, 1
	}
	dl := math.Asin(s)/rad + 1e-9
	minLon, maxLon := lon-dl, lon+dl
	switch {
	case maxLon-minLon >= 360:
		return [2]Box{{MinLat: minLat, MaxLat: maxLat, MinLon: -180, MaxLon: 180}}, 1
	case minLon < -180:
		return [2]Box{
			{MinLat: minLat, MaxLat: maxLat, MinLon: minLon + 360, MaxLon: 180},
			{MinLat: minLat, MaxLat: maxLat, MinLon: -180, MaxLon: maxLon},
		}, 2
	case maxLon > 180:
		return [2]Box{
			{MinLat: minLat, MaxLat: maxLat, MinLon: minLon, MaxLon: 180},
			{MinLat: minLat, MaxLat: maxLat, MinLon: -180, MaxLon: maxLon - 360},
		}, 2
	}
	return [2]Box{{MinLat: minLat, MaxLat: maxLat, MinLon: minLon, MaxLon: maxLon}}, 1
}
