//go:build amd64 && !purego

package geohash

// hasBMI2 reports whether the CPU has the BMI2 instructions (PDEP), read
// once at start-up with CPUID. It is a hardware fact, not configuration;
// encode_amd64.s reads it.
var hasBMI2 = func() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, ebx, _, _ := cpuid(7, 0)
	return ebx&(1<<8) != 0
}()

// cpuid executes CPUID (encode_amd64.s).
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

// encode64 returns the 64-bit geohash of a point, clamped. On CPUs with
// BMI2 it computes the same fixed point as quantLat and quantLon and
// interleaves with PDEP (encode_amd64.s); points whose fixed point is not
// in the mantissa (the north and east edges, out of range, NaN) and CPUs
// without BMI2 jump to encodeGo.
func encode64(lat, lon float64) uint64

func asmInUse() bool { return hasBMI2 }
