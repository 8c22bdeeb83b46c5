package geohash

import (
	"fmt"
	"math"
)

// The Redis GEO grid (geohash.h): latitude is limited to the Web Mercator
// range, longitude is the full circle, and scores use 26 bits of each.
const (
	redisLatMin = -85.05112878
	redisLatMax = 85.05112878
	redisLonMin = -180.0
	redisLonMax = 180.0

	// RedisBits is the precision of a Redis GEOADD score: 26 bits of
	// longitude interleaved with 26 bits of latitude.
	RedisBits = 52
	// RedisMaxLat is the largest latitude Redis GEOADD accepts.
	RedisMaxLat = redisLatMax
)

// redisIndex is Redis's fixed-point conversion (geohashEncode): the offset
// of v in [lo, hi] scaled by 2^bits and truncated to uint32, clamped here to
// the last cell (Redis itself lets v == hi spill into the next bit).
func redisIndex(v, lo, hi float64, bits uint) uint32 {
	off := (v - lo) / (hi - lo)
	off *= float64(uint64(1) << bits)
	if !(off > 0) {
		return 0
	}
	m := float64(uint64(1)<<bits - 1)
	if off > m {
		return uint32(m)
	}
	return uint32(off)
}

// RedisScore returns the 52-bit score Redis GEOADD stores for (lat, lon) in
// a sorted set, bit for bit: the offsets of longitude in [-180, 180] and
// latitude in [-85.05112878, 85.05112878] scaled to 26-bit integers and
// interleaved with longitude on the odd bits. Points Redis rejects (latitude
// beyond ±85.05112878) return [ErrOutOfRedisRange]. As in Redis, a point
// exactly on the upper limit (lat 85.05112878 or lon 180) carries into bit
// 52 or 53, and like Redis's double the result is then rounded to 53
// significant bits.
func RedisScore(lat, lon float64) (uint64, error) {
	if err := CheckPoint(lat, lon); err != nil {
		return 0, err
	}
	if lat < redisLatMin || lat > redisLatMax {
		return 0, fmt.Errorf("%w: lat %v", ErrOutOfRedisRange, lat)
	}
	latOff := (lat - redisLatMin) / (redisLatMax - redisLatMin) * (1 << 26)
	lonOff := (lon - redisLonMin) / (redisLonMax - redisLonMin) * (1 << 26)
	// Redis keeps the score as a double; only the upper-limit carries exceed
	// 53 bits and lose their lowest bit there, so round the same way.
	return uint64(float64(interleave(uint32(latOff), uint32(lonOff)))), nil
}

// RedisDecode returns the point Redis reports (GEOPOS) for a score: the
// centre of its 52-bit cell, clamped to the Redis limits.
func RedisDecode(score uint64) (lat, lon float64) {
	latQ, lonQ := squash(score), squash(score>>1)
	const cells = 1 << 26
	latLo := redisLatMin + (redisLatMax-redisLatMin)*float64(latQ)/cells
	latHi := redisLatMin + (redisLatMax-redisLatMin)*float64(latQ+1)/cells
	lonLo := redisLonMin + (redisLonMax-redisLonMin)*float64(lonQ)/cells
	lonHi := redisLonMin + (redisLonMax-redisLonMin)*float64(lonQ+1)/cells
	lat = math.Max(redisLatMin, math.Min(redisLatMax, (latLo+latHi)/2))
	lon = math.Max(redisLonMin, math.Min(redisLonMax, (lonLo+lonHi)/2))
	return lat, lon
}

// RedisRanges returns the score ranges (inclusive) that hold every point
// stored with GEOADD whose GEOPOS position lies within radius metres of
// (lat, lon): what GEOSEARCH ... BYRADIUS scans internally, here at most
// maxCells ranges (0 means 9, like Redis). Run ZRANGEBYSCORE key Min Max
// for each and keep members whose decoded position passes the distance
// test ([RedisDistance] gives Redis's own answer), and you reproduce
// GEOSEARCH on a sorted set, in Redis or in any ordered store.
func RedisRanges(lat, lon, radius float64, maxCells int) ([]Range, error) {
	if maxCells == 0 {
		maxCells = 9
	}
	cells, err := coverCircle(grid{redis: true}, lat, lon, radius, CoverOptions{MaxCells: maxCells, Step: 2, MaxBits: RedisBits})
	if err != nil {
		return nil, err
	}
	rs := make([]Range, 0, len(cells))
	for _, c := range cells {
		r := c.rangeAt(RedisBits)
		if r.Max == 1<<RedisBits-1 {
			r.Max = 1<<(RedisBits+2) - 1 // scores of points on the upper limits carry past bit 51
		}
		rs = append(rs, r)
	}
	return mergeRanges(rs, 0), nil
}
