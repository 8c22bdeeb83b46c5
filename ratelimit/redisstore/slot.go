package redisstore

import "strings"

// Redis Cluster places a key in one of 16384 hash slots by the CRC16
// (XMODEM: polynomial 0x1021, initial value 0) of its hash tag, the part
// between the first '{' and the first '}' after it when that part is not
// empty, else of the whole key. go-redis's Ring shards by the same tag.
// See https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags.

var crc16Table = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i) << 8
		for range 8 {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

func crc16(s string) uint16 {
	var c uint16
	for i := 0; i < len(s); i++ {
		c = c<<8 ^ crc16Table[byte(c>>8)^s[i]]
	}
	return c
}

// hashTag returns the part of key that decides its slot, and whether it
// is a non-empty {tag} rather than the whole key.
func hashTag(key string) (string, bool) {
	if i := strings.IndexByte(key, '{'); i >= 0 {
		if j := strings.IndexByte(key[i+1:], '}'); j > 0 {
			return key[i+1 : i+1+j], true
		}
	}
	return key, false
}

// keySlot returns key's Redis Cluster hash slot.
func keySlot(key string) uint16 {
	tag, _ := hashTag(key)
	return crc16(tag) & 16383
}
