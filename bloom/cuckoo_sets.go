package bloom

import "fmt"

func (c *Cuckoo) compatible(o *Cuckoo) error {
	if c.nb != o.nb || c.fpBits != o.fpBits {
		return fmt.Errorf("%w: cuckoo %d buckets of %d-bit fingerprints vs %d of %d-bit",
			ErrIncompatible, c.nb, c.fpBits, o.nb, o.fpBits)
	}
	return nil
}

// each calls fn for every stored fingerprint and its bucket, stash included.
func (c *Cuckoo) each(fn func(i uint64, fp uint16)) {
	for i := range c.nb {
		for l := range uint(4) {
			if fp := c.lane(i, l); fp != 0 {
				fn(i, fp)
			}
		}
	}
	if c.stash != 0 {
		fn(c.stashIdx, c.stash)
	}
}

// Union adds every fingerprint of o to c, which must have the same Cap and
// FingerprintBits. Because both filters place a key's fingerprint in the
// same pair of buckets, the result answers true for every key added to
// either, and Len becomes the sum of both (keys in both count twice, as
// with Add).
//
// Unlike Bloom filters, cuckoo filters cannot be merged by a bitwise OR:
// their union can need more slots than one filter has. If it does not fit,
// Union returns an error wrapping [ErrFull] and leaves c unchanged (it
// works on a copy, so it needs memory for one more filter).
func (c *Cuckoo) Union(o *Cuckoo) error {
	if err := c.compatible(o); err != nil {
		return err
	}
	t := c.Clone()
	var err error
	o.each(func(i uint64, fp uint16) {
		if err == nil {
			err = t.insert(i, fp)
		}
	})
	if err != nil {
		return fmt.Errorf("%w: union needs more than %d slots", err, c.Cap())
	}
	*c = *t
	return nil
}

// Intersect keeps in c only the fingerprints that o also holds in the same
// bucket pair; o must have the same Cap and FingerprintBits. Every key added
// to both still answers true; like the Bloom filters' Intersect, the
// false-positive rate can be higher than that of a filter built from the
// intersection alone (a fingerprint survives if another key of o shares it
// and its buckets). Copies are not matched one to one: a key added twice
// to c and once to o keeps both copies. Intersect never fails for
// compatible filters.
func (c *Cuckoo) Intersect(o *Cuckoo) error {
	if err := c.compatible(o); err != nil {
		return err
	}
	holds := func(i uint64, fp uint16) bool {
		j := o.altIndex(i, fp)
		return o.has(i, fp) || o.has(j, fp) || (o.stash == fp && (o.stashIdx == i || o.stashIdx == j))
	}
	var count uint64
	for i := range c.nb {
		for l := range uint(4) {
			fp := c.lane(i, l)
			if fp == 0 {
				continue
			}
			if holds(i, fp) {
				count++
			} else {
				c.swap(i, l, 0)
			}
		}
	}
	if c.stash != 0 {
		if holds(c.stashIdx, c.stash) {
			count++
		} else {
			c.stash, c.stashIdx = 0, 0
		}
	}
	c.count = count
	c.unstash()
	return nil
}
