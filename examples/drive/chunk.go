package drive

import "math/rand/v2"

// Chunking cuts a file into blocks at content-defined boundaries (a gear
// rolling hash, as in FastCDC: Xia et al., USENIX ATC 2016): a boundary is
// where the hash of the last bytes has its top bits zero, so an insertion
// moves only the boundaries near it and every other block keeps its bytes
// and its hash. Fixed-size blocks would shift every block after the edit.
type Chunking struct {
	Min, Avg, Max int // block sizes; Avg a power of two
}

// DefaultChunking suits the files of the run: 2-16 KiB blocks, about 6 KiB
// on average (the 2 KiB minimum plus an expected 4 KiB to a boundary).
// Drive-like services use blocks of megabytes.
var DefaultChunking = Chunking{Min: 1 << 11, Avg: 1 << 12, Max: 1 << 14}

// gear maps each byte to a random 64-bit value (fixed seed: every client
// must cut the same content the same way).
var gear = func() (g [256]uint64) {
	r := rand.New(rand.NewPCG(0x6765_6172, 0x6364_6331))
	for i := range g {
		g[i] = r.Uint64()
	}
	return g
}()

// Split returns the blocks of data; they alias data.
func (c Chunking) Split(data []byte) [][]byte {
	var mask uint64
	for bits := 0; 1<<bits < c.Avg; bits++ {
		mask = mask>>1 | 1<<63 // top bits: log2(Avg) of them
	}
	var out [][]byte
	for len(data) > 0 {
		n := c.cut(data, mask)
		out = append(out, data[:n])
		data = data[n:]
	}
	return out
}

func (c Chunking) cut(data []byte, mask uint64) int {
	if len(data) <= c.Min {
		return len(data)
	}
	end := min(len(data), c.Max)
	var h uint64
	for i := c.Min; i < end; i++ {
		h = h<<1 + gear[data[i]]
		if h&mask == 0 {
			return i + 1
		}
	}
	return end
}
