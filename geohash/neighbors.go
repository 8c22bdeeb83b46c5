package geohash

// Direction is one of the eight compass directions from a cell.
type Direction int

// The eight directions, clockwise from north.
const (
	North Direction = iota
	NorthEast
	East
	SouthEast
	South
	SouthWest
	West
	NorthWest
)

var dirNames = [...]string{"N", "NE", "E", "SE", "S", "SW", "W", "NW"}

// String returns the compass abbreviation, such as "NE".
func (d Direction) String() string {
	if d < 0 || int(d) >= len(dirNames) {
		return "Direction(?)"
	}
	return dirNames[d]
}

// offsets returns the latitude and longitude cell steps of d.
func (d Direction) offsets() (dLat, dLon int) {
	switch d {
	case North:
		return 1, 0
	case NorthEast:
		return 1, 1
	case East:
		return 0, 1
	case SouthEast:
		return -1, 1
	case South:
		return -1, 0
	case SouthWest:
		return -1, -1
	case West:
		return 0, -1
	case NorthWest:
		return 1, -1
	}
	return 0, 0
}

// cellIndex splits a right-aligned integer geohash into its latitude and
// longitude row and column indexes.
func cellIndex(h uint64, bits uint) (latIdx, lonIdx uint32, latBits, lonBits uint) {
	latBits, lonBits = latLonBits(bits)
	full := h << (64 - bits)
	return squash(full) >> (32 - latBits), squash(full>>1) >> (32 - lonBits), latBits, lonBits
}

// cellFromIndex is the inverse of cellIndex.
func cellFromIndex(latIdx, lonIdx uint32, bits uint) uint64 {
	latBits, lonBits := latLonBits(bits)
	var la, lo uint32
	if latBits > 0 {
		la = latIdx << (32 - latBits)
	}
	if lonBits > 0 {
		lo = lonIdx << (32 - lonBits)
	}
	return interleave(la, lo) >> (64 - bits)
}

// NeighborInt returns the neighbour in direction d of the integer geohash h
// at the given precision (1..64 bits). Longitude wraps across the
// antimeridian; ok is false when the neighbour would lie beyond a pole (no
// cell is north of the top row). It never allocates.
func NeighborInt(h uint64, bits uint, d Direction) (n uint64, ok bool) {
	if bits == 0 || bits > MaxBits || d < North || d > NorthWest {
		return 0, false
	}
	latIdx, lonIdx, latBits, lonBits := cellIndex(h, bits)
	dLat, dLon := d.offsets()
	maxLat := uint64(1)<<latBits - 1
	switch {
	case dLat > 0 && uint64(latIdx) == maxLat, dLat < 0 && latIdx == 0:
		return 0, false
	}
	latIdx = uint32(int64(latIdx) + int64(dLat))
	lonMask := uint32(uint64(1)<<lonBits - 1)
	lonIdx = uint32(int64(lonIdx)+int64(dLon)) & lonMask
	return cellFromIndex(latIdx, lonIdx, bits), true
}

// NeighborsInt returns the eight neighbours of h in [Direction] order and a
// mask whose bit d is set when neighbour d exists (see [NeighborInt]). It
// deinterleaves h once and spreads the three rows and columns once, so it
// costs about as much as two NeighborInt calls, and never allocates.
func NeighborsInt(h uint64, bits uint) (ns [8]uint64, exists uint8) {
	if bits == 0 || bits > MaxBits {
		return ns, 0
	}
	latIdx, lonIdx, latBits, lonBits := cellIndex(h, bits)
	shift := 64 - bits
	latShift, lonShift := 32-latBits, 32-lonBits
	spreadLat := func(i uint32) uint64 {
		if latBits == 0 {
			return 0
		}
		return spread(i << latShift)
	}
	spreadLon := func(i uint32) uint64 {
		if lonBits == 0 {
			return 0
		}
		return spread(i<<lonShift) << 1
	}
	lonMask := uint32(uint64(1)<<lonBits - 1)
	west, mid, east := spreadLon((lonIdx-1)&lonMask), spreadLon(lonIdx), spreadLon((lonIdx+1)&lonMask)
	exists = 1<<East | 1<<West
	ns[East], ns[West] = (spreadLat(latIdx)|east)>>shift, (spreadLat(latIdx)|west)>>shift
	if uint64(latIdx) < uint64(1)<<latBits-1 {
		n := spreadLat(latIdx + 1)
		ns[North], ns[NorthEast], ns[NorthWest] = (n|mid)>>shift, (n|east)>>shift, (n|west)>>shift
		exists |= 1<<North | 1<<NorthEast | 1<<NorthWest
	}
	if latIdx > 0 {
		s := spreadLat(latIdx - 1)
		ns[South], ns[SouthEast], ns[SouthWest] = (s|mid)>>shift, (s|east)>>shift, (s|west)>>shift
		exists |= 1<<South | 1<<SouthEast | 1<<SouthWest
	}
	return ns, exists
}

// Neighbor returns the neighbour of the string geohash s in direction d,
// with the same length. ok is false (and err nil) when the neighbour would
// lie beyond a pole; err is a [*SyntaxError] for invalid s.
func Neighbor(s string, d Direction) (n string, ok bool, err error) {
	if len(s) <= MaxIntChars {
		h, bits, err := ParseInt(s)
		if err != nil {
			return "", false, err
		}
		nh, ok := NeighborInt(h, bits, d)
		if !ok {
			return "", false, nil
		}
		return FormatInt(nh, len(s)), true, nil
	}
	box, err := Decode(s)
	if err != nil {
		return "", false, err
	}
	if d < North || d > NorthWest {
		return "", false, nil
	}
	dLat, dLon := d.offsets()
	lat, lon := box.Center()
	lat += float64(dLat) * (box.MaxLat - box.MinLat)
	lon += float64(dLon) * (box.MaxLon - box.MinLon)
	if lat > 90 || lat < -90 {
		return "", false, nil
	}
	if lon >= 180 {
		lon -= 360
	} else if lon < -180 {
		lon += 360
	}
	return Encode(lat, lon, len(s)), true, nil
}

// Neighbors returns the eight neighbours of s in [Direction] order; a
// neighbour beyond a pole is "".
func Neighbors(s string) ([8]string, error) {
	var out [8]string
	if len(s) <= MaxIntChars {
		h, bits, err := ParseInt(s)
		if err != nil {
			return out, err
		}
		ns, ok := NeighborsInt(h, bits)
		for d := range ns {
			if ok&(1<<uint(d)) != 0 {
				out[d] = FormatInt(ns[d], len(s))
			}
		}
		return out, nil
	}
	for d := North; d <= NorthWest; d++ {
		n, _, err := Neighbor(s, d)
		if err != nil {
			return out, err
		}
		out[d] = n
	}
	return out, nil
}
