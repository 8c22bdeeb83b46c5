package geohash

import "math"

// MaxBits is the largest integer geohash precision: 32 bits of longitude
// interleaved with 32 bits of latitude.
const MaxBits = 64

// quantLat returns the 32-bit fixed-point position of lat in [-90, 90]:
// floor((lat+90)/180 * 2^32), clamped. It reads the bits straight out of the
// float mantissa (lat/180 + 1.5 lies in [1, 2), whose 52-bit mantissa is the
// fraction), which is exact and needs no float-to-int conversion.
func quantLat(lat float64) uint32 {
	// The conversion forbids fusing into an FMA, so every platform (and the
	// amd64 assembly) rounds the product and the sum separately.
	f := float64(lat*(1.0/180)) + 1.5
	if !(f > 1) { // also NaN
		return 0
	}
	if f >= 2 {
		return math.MaxUint32
	}
	return uint32(math.Float64bits(f) >> 20)
}

// quantLon is quantLat for longitude in [-180, 180].
func quantLon(lon float64) uint32 {
	f := float64(lon*(1.0/360)) + 1.5
	if !(f > 1) {
		return 0
	}
	if f >= 2 {
		return math.MaxUint32
	}
	return uint32(math.Float64bits(f) >> 20)
}

// spread moves the 32 bits of x to the even bit positions of the result.
func spread(x uint32) uint64 {
	v := uint64(x)
	v = (v | v<<16) & 0x0000ffff0000ffff
	v = (v | v<<8) & 0x00ff00ff00ff00ff
	v = (v | v<<4) & 0x0f0f0f0f0f0f0f0f
	v = (v | v<<2) & 0x3333333333333333
	v = (v | v<<1) & 0x5555555555555555
	return v
}

// squash gathers the even bits of v into 32 bits (the inverse of spread).
func squash(v uint64) uint32 {
	v &= 0x5555555555555555
	v = (v | v>>1) & 0x3333333333333333
	v = (v | v>>2) & 0x0f0f0f0f0f0f0f0f
	v = (v | v>>4) & 0x00ff00ff00ff00ff
	v = (v | v>>8) & 0x0000ffff0000ffff
	v = (v | v>>16) & 0x00000000ffffffff
	return uint32(v)
}

// interleave puts lon bits on the odd positions (the top bit is longitude,
// as in every geohash) and lat bits on the even positions.
func interleave(latQ, lonQ uint32) uint64 { return spread(latQ) | spread(lonQ)<<1 }

// EncodeInt returns the integer geohash of (lat, lon) with the given number
// of bits (1..64), right-aligned: the first bit is the longitude half, the
// second the latitude half, alternating. Bits beyond 64 are treated as 64
// and 0 bits gives 0.
//
// Out-of-range input is clamped, not rejected (latitude to [-90, 90],
// longitude to [-180, 180], NaN to the minimum); use [CheckPoint] to reject it.
// Points on a cell edge belong to the cell to their north or east.
// It costs a few nanoseconds and never allocates.
func EncodeInt(lat, lon float64, bits uint) uint64 {
	if bits == 0 {
		return 0
	}
	if bits > MaxBits {
		bits = MaxBits
	}
	return encode64(lat, lon) >> (64 - bits)
}

// encodeGo is the pure-Go 64-bit encoder; encode64 may use assembly.
func encodeGo(lat, lon float64) uint64 { return interleave(quantLat(lat), quantLon(lon)) }

// latLonBits returns how many of bits are latitude and longitude bits.
func latLonBits(bits uint) (latBits, lonBits uint) {
	return bits / 2, bits - bits/2
}

// DecodeInt returns the cell of the integer geohash hash at the given
// precision (1..64 bits; other values are clamped). Only the low bits of
// hash are used.
func DecodeInt(hash uint64, bits uint) Box {
	if bits == 0 {
		return Box{MinLat: -90, MaxLat: 90, MinLon: -180, MaxLon: 180}
	}
	if bits > MaxBits {
		bits = MaxBits
	}
	full := hash << (64 - bits)
	latQ, lonQ := squash(full), squash(full>>1)
	latBits, lonBits := latLonBits(bits)
	h := 180 * pow2neg(latBits)
	w := 360 * pow2neg(lonBits)
	minLat := float64(latQ)*(180.0/(1<<32)) - 90
	minLon := float64(lonQ)*(360.0/(1<<32)) - 180
	return Box{MinLat: minLat, MaxLat: minLat + h, MinLon: minLon, MaxLon: minLon + w}
}

// DecodeIntCenter returns the centre of the cell of hash at the given
// precision; a shorthand for DecodeInt(hash, bits).Center().
func DecodeIntCenter(hash uint64, bits uint) (lat, lon float64) {
	return DecodeInt(hash, bits).Center()
}

// CellSize returns the height and width in degrees of a cell of the given
// precision in bits.
func CellSize(bits uint) (latDeg, lonDeg float64) {
	if bits > MaxBits {
		bits = MaxBits
	}
	latBits, lonBits := latLonBits(bits)
	return math.Ldexp(180, -int(latBits)), math.Ldexp(360, -int(lonBits))
}

// pow2neg returns 2^-n for n <= 64, built directly from its exponent bits.
func pow2neg(n uint) float64 { return math.Float64frombits(uint64(1023-n) << 52) }
