package bloom

import (
	"fmt"
	"math"
)

// ScalableOptions configures a [Scalable] filter. The zero value means the
// defaults of each field.
type ScalableOptions struct {
	// InitialCapacity is the number of keys the first stage holds.
	// Default 1024.
	InitialCapacity uint64
	// Growth is the capacity ratio between consecutive stages, at least 1.
	// Default 2 (Almeida et al. recommend 2 for moderate growth, 4 for fast).
	Growth float64
	// Tightening is the FPR ratio r between consecutive stages, in (0, 1).
	// Stage i gets rate fpr*(1-r)*r^i, so the rates sum to less than fpr.
	// Default 0.85.
	Tightening float64
}

func (o *ScalableOptions) setDefaults() {
	if o.InitialCapacity == 0 {
		o.InitialCapacity = 1024
	}
	if o.Growth == 0 {
		o.Growth = 2
	}
	if o.Tightening == 0 {
		o.Tightening = 0.85
	}
}

// Validate reports an error wrapping [ErrConfig] if a set field is out of
// range.
func (o ScalableOptions) Validate() error {
	o.setDefaults()
	if !(o.Growth >= 1 && o.Growth <= 16) {
		return fmt.Errorf("%w: Growth %v not in [1, 16]", ErrConfig, o.Growth)
	}
	if !(o.Tightening > 0 && o.Tightening < 1) {
		return fmt.Errorf("%w: Tightening %v not in (0, 1)", ErrConfig, o.Tightening)
	}
	if o.InitialCapacity > 1<<34 {
		return fmt.Errorf("%w: InitialCapacity %d too large", ErrConfig, o.InitialCapacity)
	}
	return nil
}

// Scalable is a scalable Bloom filter (Almeida, Baquero, Preguiça and
// Hutchison, "Scalable Bloom Filters", 2007) for when the number of keys is
// not known: it is a series of classic [Filter] stages, each with Growth
// times the capacity and Tightening times the FPR of the one before. Keys go
// into the newest stage; a lookup checks every stage. The compound FPR stays
// below the target however many keys arrive, at about log_Growth(n) stages
// of lookup cost.
//
// The zero value is not usable; create one with [NewScalable]. A Scalable
// is not safe for concurrent use.
type Scalable struct {
	stages []*Filter
	caps   []uint64 // capacity of each stage
	n      uint64   // keys in the newest stage
	total  uint64   // keys added overall
	fpr    float64
	opts   ScalableOptions
}

// NewScalable returns an empty scalable filter whose compound
// false-positive rate stays below fpr, in (0, 1).
func NewScalable(fpr float64, opts ScalableOptions) (*Scalable, error) {
	if err := checkRate(fpr); err != nil {
		return nil, err
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts.setDefaults()
	s := &Scalable{fpr: fpr, opts: opts}
	if err := s.grow(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Scalable) grow() error {
	i := len(s.stages)
	c := float64(s.opts.InitialCapacity) * math.Pow(s.opts.Growth, float64(i))
	p := s.fpr * (1 - s.opts.Tightening) * math.Pow(s.opts.Tightening, float64(i))
	if c > 1<<40 || p < 1e-300 {
		return fmt.Errorf("%w: scalable filter cannot grow past %d stages", ErrConfig, i)
	}
	f, err := New(uint64(c), p)
	if err != nil {
		return err
	}
	s.stages = append(s.stages, f)
	s.caps = append(s.caps, uint64(c))
	s.n = 0
	return nil
}

// Add inserts key unless it is already (possibly) present, and reports
// whether it was inserted. Skipping present keys keeps duplicates from
// filling stages. Adding starts a new stage when the newest is at capacity.
func (s *Scalable) Add(key []byte) bool { return s.AddHash(Hash(key)) }

// AddString is [Scalable.Add] for a string.
func (s *Scalable) AddString(key string) bool { return s.AddHash(HashString(key)) }

// AddHash is [Scalable.Add] for a key given its [Hash].
func (s *Scalable) AddHash(h uint64) bool {
	if s.ContainsHash(h) {
		return false
	}
	if s.n >= s.caps[len(s.caps)-1] {
		if err := s.grow(); err != nil {
			// Out of stages (astronomically many keys): keep filling the
			// last stage rather than dropping the key.
			s.n = 0
		}
	}
	s.stages[len(s.stages)-1].AddHash(h)
	s.n++
	s.total++
	return true
}

// Contains reports whether key may have been added.
func (s *Scalable) Contains(key []byte) bool { return s.ContainsHash(Hash(key)) }

// ContainsString is [Scalable.Contains] for a string.
func (s *Scalable) ContainsString(key string) bool { return s.ContainsHash(HashString(key)) }

// ContainsHash is [Scalable.Contains] for a key given its [Hash]. Newer,
// larger stages are checked first.
func (s *Scalable) ContainsHash(h uint64) bool {
	for i := len(s.stages) - 1; i >= 0; i-- {
		if s.stages[i].ContainsHash(h) {
			return true
		}
	}
	return false
}

// Stages returns the number of stages.
func (s *Scalable) Stages() int { return len(s.stages) }

// ApproxCount returns the number of keys Add inserted (duplicates and false
// positives excluded, so it can undercount by the FPR).
func (s *Scalable) ApproxCount() uint64 { return s.total }

// FPRBound returns the compound false-positive bound of the current stages,
// 1 - prod(1 - p_i), which is below the configured rate.
func (s *Scalable) FPRBound() float64 {
	q := 1.0
	for i := range s.stages {
		q *= 1 - s.fpr*(1-s.opts.Tightening)*math.Pow(s.opts.Tightening, float64(i))
	}
	return 1 - q
}

// AppendBinary appends the encoding of s to dst: the options, then each
// stage as a length-prefixed [Filter] encoding. It implements
// [encoding.BinaryAppender].
func (s *Scalable) AppendBinary(dst []byte) ([]byte, error) {
	start := len(dst)
	dst = appendHeader(dst, kindScalable)
	dst = appendU64(dst, math.Float64bits(s.fpr))
	dst = appendU64(dst, s.opts.InitialCapacity)
	dst = appendU64(dst, math.Float64bits(s.opts.Growth))
	dst = appendU64(dst, math.Float64bits(s.opts.Tightening))
	dst = appendU64(dst, s.n)
	dst = appendU64(dst, s.total)
	dst = appendU32(dst, uint32(len(s.stages)))
	dst = appendU32(dst, 0)
	for _, f := range s.stages {
		lenAt := len(dst)
		dst = appendU64(dst, 0)
		dst, _ = f.AppendBinary(dst)
		putU64(dst[lenAt:], uint64(len(dst)-lenAt-8))
	}
	return appendSum(dst, start), nil
}

// MarshalBinary returns the encoding of s. It implements
// [encoding.BinaryMarshaler].
func (s *Scalable) MarshalBinary() ([]byte, error) { return s.AppendBinary(nil) }

// UnmarshalBinary replaces s with the filter encoded in data, which it
// copies. Bad input returns an error and leaves s unchanged.
func (s *Scalable) UnmarshalBinary(data []byte) error {
	body, err := open(data, kindScalable)
	if err != nil {
		return err
	}
	r := reader{b: body}
	fpr := math.Float64frombits(r.u64("fpr"))
	opts := ScalableOptions{
		InitialCapacity: r.u64("initial capacity"),
		Growth:          math.Float64frombits(r.u64("growth")),
		Tightening:      math.Float64frombits(r.u64("tightening")),
	}
	n := r.u64("stage count")
	total := r.u64("total")
	ns := r.u32("stages")
	pad := r.u32("padding")
	if r.err != nil {
		return r.err
	}
	if checkRate(fpr) != nil || opts.InitialCapacity == 0 || opts.Growth == 0 || opts.Tightening == 0 || opts.Validate() != nil || ns == 0 || ns > 64 || pad != 0 {
		return corrupt("scalable filter parameters")
	}
	t := Scalable{fpr: fpr, opts: opts, n: n, total: total}
	for i := range ns {
		ln := r.u64("stage length")
		if r.err == nil && ln > uint64(len(r.b)) {
			return corrupt("stage %d length %d exceeds %d remaining bytes", i, ln, len(r.b))
		}
		b := r.bytes(ln, "stage")
		if r.err != nil {
			return r.err
		}
		f := new(Filter)
		if err := f.UnmarshalBinary(b); err != nil {
			return fmt.Errorf("stage %d: %w", i, err)
		}
		c := float64(opts.InitialCapacity) * math.Pow(opts.Growth, float64(i))
		if m, k := Optimal(uint64(c), fpr*(1-opts.Tightening)*math.Pow(opts.Tightening, float64(i))); f.m != m || f.k != k {
			return corrupt("stage %d has m=%d k=%d, want m=%d k=%d", i, f.m, f.k, m, k)
		}
		t.stages = append(t.stages, f)
		t.caps = append(t.caps, uint64(c))
	}
	if err := r.done(); err != nil {
		return err
	}
	if n > t.caps[len(t.caps)-1] {
		return corrupt("newest stage holds %d keys, capacity %d", n, t.caps[len(t.caps)-1])
	}
	*s = t
	return nil
}
