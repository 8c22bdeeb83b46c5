//go:build !amd64 || purego

package geohash

// encode64 returns the 64-bit geohash of a point, clamped (pure Go).
func encode64(lat, lon float64) uint64 { return encodeGo(lat, lon) }

func asmInUse() bool { return false }
