package bloom

import (
	"fmt"
	"math"
)

// Optimal returns the classic Bloom filter size for n items at false-positive
// rate fpr: m = ceil(-n ln(fpr) / ln(2)^2) bits and k = round(m/n ln 2) hash
// functions (Bloom 1970; Broder and Mitzenmacher 2004). At fpr 0.01 that is
// 9.59 bits and 7 probes per item.
func Optimal(n uint64, fpr float64) (m uint64, k uint32) {
	if n == 0 {
		n = 1
	}
	mf := math.Ceil(-float64(n) * math.Log(fpr) / (math.Ln2 * math.Ln2))
	m = uint64(mf)
	if m < 64 {
		m = 64
	}
	kf := math.Round(float64(m) / float64(n) * math.Ln2)
	k = uint32(min(max(kf, 1), maxK))
	return m, k
}

const maxK = 32

func checkRate(fpr float64) error {
	if !(fpr > 0 && fpr < 1) {
		return fmt.Errorf("%w: false-positive rate %v not in (0, 1)", ErrConfig, fpr)
	}
	return nil
}

// blockedRate is the false-positive rate of a blocked filter in the word
// layout with c bits per item and k probes: probe j tests one bit of word
// j mod 8, so a block holding L keys has word w filled to
// 1 - (1 - 1/64)^(L*k_w), where k_w is the number of probes that word
// gets, and a query hits with probability the product over the words of
// that fill to the power k_w. That is averaged over the Poisson-distributed
// load of a block (Putze, Sanders, Singler 2007).
func blockedRate(c float64, k int) float64 {
	lambda := blockBits / c
	sd := math.Sqrt(lambda)
	lo := max(0, math.Floor(lambda-12*sd-10))
	hi := lambda + 12*sd + 10
	lg, _ := math.Lgamma(lo + 1)
	logp := -lambda + lo*math.Log(lambda) - lg
	q := math.Log1p(-1.0 / 64)
	sum := 0.0
	for l := lo; l <= hi; l++ {
		hit := 1.0
		for w := range 8 {
			kw := float64(k / 8)
			if w < k%8 {
				kw++
			}
			if kw > 0 {
				hit *= math.Pow(-math.Expm1(l*kw*q), kw)
			}
		}
		sum += math.Exp(logp) * hit
		logp += math.Log(lambda) - math.Log(l+1)
	}
	return sum
}

// blockedParams chooses the bits per item and probes per block that reach
// fpr with the fewest bits.
func blockedParams(fpr float64) (bitsPerItem float64, k int) {
	best := func(c float64) (float64, int) {
		br, bk := 2.0, 1
		for k := 1; k <= maxK; k++ {
			if r := blockedRate(c, k); r < br {
				br, bk = r, k
			}
		}
		return br, bk
	}
	lo, hi := 1.0, 64.0
	if r, k := best(hi); r > fpr {
		return hi, k
	}
	for range 40 {
		mid := (lo + hi) / 2
		if r, _ := best(mid); r > fpr {
			lo = mid
		} else {
			hi = mid
		}
	}
	_, k = best(hi)
	return hi, k
}
