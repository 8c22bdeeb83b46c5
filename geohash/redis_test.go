package geohash_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sysdesign-go/sysdesign/geohash"
	"github.com/sysdesign-go/sysdesign/internal/redistest"
)

// redisPoint returns a random point Redis accepts, often on its edges.
func redisPoint(r *rand.Rand) (float64, float64) {
	switch r.IntN(8) {
	case 0:
		return []float64{-geohash.RedisMaxLat, geohash.RedisMaxLat, 0, 85.05112877}[r.IntN(4)], []float64{-180, 180, 0, 179.9999999}[r.IntN(4)]
	case 1:
		return (r.Float64()*2 - 1) * geohash.RedisMaxLat, 180 - r.Float64()*1e-3
	}
	return (r.Float64()*2 - 1) * geohash.RedisMaxLat, r.Float64()*360 - 180
}

// TestRedisScoreMatchesRedis adds points with GEOADD to a real redis-server
// and checks ZSCORE against RedisScore bit for bit.
func TestRedisScoreMatchesRedis(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	c := srv.Client(t)
	r := rand.New(rand.NewPCG(11, 12))
	const n = 2000
	locs := make([]*redis.GeoLocation, n)
	for i := range locs {
		lat, lon := redisPoint(r)
		locs[i] = &redis.GeoLocation{Name: strconv.Itoa(i), Latitude: lat, Longitude: lon}
	}
	if err := c.GeoAdd(ctx, "pts", locs...).Err(); err != nil {
		t.Fatal(err)
	}
	for i, l := range locs {
		score, err := c.ZScore(ctx, "pts", l.Name).Result()
		if err != nil {
			t.Fatal(err)
		}
		want, err := geohash.RedisScore(l.Latitude, l.Longitude)
		if err != nil {
			t.Fatal(err)
		}
		if uint64(score) != want || float64(want) != score {
			t.Fatalf("point %d (%v, %v): Redis score %v; RedisScore %d", i, l.Latitude, l.Longitude, score, want)
		}
		pos, err := c.GeoPos(ctx, "pts", l.Name).Result()
		if err != nil || pos[0] == nil {
			t.Fatal(err)
		}
		lat, lon := geohash.RedisDecode(want)
		if d := geohash.Distance(lat, lon, pos[0].Latitude, pos[0].Longitude); d > 0.01 {
			t.Fatalf("RedisDecode(%d) = %v,%v; GEOPOS %v,%v", want, lat, lon, pos[0].Latitude, pos[0].Longitude)
		}
	}
	// Redis rejects what RedisScore rejects.
	if err := c.GeoAdd(ctx, "pts", &redis.GeoLocation{Name: "x", Latitude: 85.06, Longitude: 0}).Err(); err == nil {
		t.Fatal("Redis accepted lat 85.06")
	}
	if _, err := geohash.RedisScore(85.06, 0); err == nil {
		t.Fatal("RedisScore accepted lat 85.06")
	}
}

// TestRedisRangesMatchGeosearch answers radius queries with ZRANGEBYSCORE
// over RedisRanges plus a RedisDistance filter and compares with GEOSEARCH.
func TestRedisRangesMatchGeosearch(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	c := srv.Client(t)
	r := rand.New(rand.NewPCG(13, 14))
	// Clusters around a few centres (including the antimeridian and high
	// latitudes) so queries find plenty.
	centres := [][2]float64{{48.85, 2.35}, {0, 179.99}, {80, -120}, {-84.9, 10}, {35.68, 139.69}}
	for k, ce := range centres {
		var locs []*redis.GeoLocation
		for i := 0; i < 3000; i++ {
			lat, lon := geohash.Destination(ce[0], ce[1], r.Float64()*360, r.Float64()*50000)
			if lat > geohash.RedisMaxLat || lat < -geohash.RedisMaxLat {
				continue
			}
			locs = append(locs, &redis.GeoLocation{Name: fmt.Sprintf("%d-%d", k, i), Latitude: lat, Longitude: lon})
		}
		if err := c.GeoAdd(ctx, "pts", locs...).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for q := 0; q < 60; q++ {
		ce := centres[q%len(centres)]
		lat, lon := geohash.Destination(ce[0], ce[1], r.Float64()*360, r.Float64()*20000)
		radius := 200 + r.Float64()*30000
		want, err := c.GeoSearch(ctx, "pts", &redis.GeoSearchQuery{Latitude: lat, Longitude: lon, Radius: radius, RadiusUnit: "m"}).Result()
		if err != nil {
			t.Fatal(err)
		}
		rs, err := geohash.RedisRanges(lat, lon, radius, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) > 9 {
			t.Fatalf("%d ranges", len(rs))
		}
		var got []string
		for _, rg := range rs {
			zs, err := c.ZRangeByScoreWithScores(ctx, "pts", &redis.ZRangeBy{Min: strconv.FormatUint(rg.Min, 10), Max: strconv.FormatUint(rg.Max, 10)}).Result()
			if err != nil {
				t.Fatal(err)
			}
			for _, z := range zs {
				plat, plon := geohash.RedisDecode(uint64(z.Score))
				if geohash.RedisDistance(lat, lon, plat, plon) <= radius {
					got = append(got, z.Member.(string))
				}
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("query %d (%v,%v r=%v): ranges found %d members, GEOSEARCH %d", q, lat, lon, radius, len(got), len(want))
		}
		if q == 0 && len(want) == 0 {
			t.Fatal("query found nothing; the test data is wrong")
		}
	}
}
