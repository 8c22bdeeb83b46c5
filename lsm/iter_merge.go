package lsm

import (
	"bytes"
	"errors"

	"github.com/sysdesign-go/sysdesign/lsm/internal/base"
)

// mergingIter merges children ordered by internal key with a binary heap;
// it moves both ways, re-seeking the other children when the direction
// changes (as LevelDB's MergingIterator does). Internal keys are unique
// across children.
//
// Each heap entry keeps its child's current key, so sifting compares keys
// without an interface call per probe; a child's key stays valid until that
// child moves, and only the top child moves between rebuilds.
type mergingIter struct {
	children []base.Iterator
	heap     []mergeItem
	reverse  bool
	err      error
}

type mergeItem struct {
	key   []byte // children[child].Key()
	child int
}

func newMergingIter(children []base.Iterator) *mergingIter {
	return &mergingIter{children: children, heap: make([]mergeItem, 0, len(children))}
}

func (m *mergingIter) less(i, j int) bool {
	c := base.Compare(m.heap[i].key, m.heap[j].key)
	if m.reverse {
		return c > 0
	}
	return c < 0
}

func (m *mergingIter) down(i int) {
	n := len(m.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		s := l
		if r := l + 1; r < n && m.less(r, l) {
			s = r
		}
		if !m.less(s, i) {
			return
		}
		m.heap[i], m.heap[s] = m.heap[s], m.heap[i]
		i = s
	}
}

func (m *mergingIter) build(reverse bool) bool {
	m.reverse = reverse
	m.heap = m.heap[:0]
	for i, c := range m.children {
		if c.Valid() {
			m.heap = append(m.heap, mergeItem{c.Key(), i})
		} else if err := c.Error(); err != nil && m.err == nil {
			m.err = err
		}
	}
	if m.err != nil {
		m.heap = m.heap[:0]
		return false
	}
	for i := len(m.heap)/2 - 1; i >= 0; i-- {
		m.down(i)
	}
	return len(m.heap) > 0
}

// fix restores the heap after the top child moved.
func (m *mergingIter) fix() bool {
	top := m.children[m.heap[0].child]
	if top.Valid() {
		m.heap[0].key = top.Key()
	} else {
		if err := top.Error(); err != nil {
			m.err = err
			m.heap = m.heap[:0]
			return false
		}
		last := len(m.heap) - 1
		m.heap[0] = m.heap[last]
		m.heap = m.heap[:last]
	}
	if len(m.heap) > 0 {
		m.down(0)
	}
	return len(m.heap) > 0
}

func (m *mergingIter) SeekGE(ik []byte) bool {
	for _, c := range m.children {
		c.SeekGE(ik)
	}
	return m.build(false)
}

func (m *mergingIter) SeekLT(ik []byte) bool {
	for _, c := range m.children {
		c.SeekLT(ik)
	}
	return m.build(true)
}

func (m *mergingIter) First() bool {
	for _, c := range m.children {
		c.First()
	}
	return m.build(false)
}

func (m *mergingIter) Last() bool {
	for _, c := range m.children {
		c.Last()
	}
	return m.build(true)
}

func (m *mergingIter) Next() bool {
	if len(m.heap) == 0 {
		return false
	}
	if m.reverse {
		key := bytes.Clone(m.Key())
		cur := m.heap[0].child
		for i, c := range m.children {
			if i == cur {
				continue
			}
			if c.SeekGE(key) && base.Compare(c.Key(), key) == 0 {
				c.Next()
			}
		}
		m.children[cur].Next()
		return m.build(false)
	}
	m.children[m.heap[0].child].Next()
	return m.fix()
}

func (m *mergingIter) Prev() bool {
	if len(m.heap) == 0 {
		return false
	}
	if !m.reverse {
		key := bytes.Clone(m.Key())
		cur := m.heap[0].child
		for i, c := range m.children {
			if i != cur {
				c.SeekLT(key)
			}
		}
		m.children[cur].Prev()
		return m.build(true)
	}
	m.children[m.heap[0].child].Prev()
	return m.fix()
}

func (m *mergingIter) Valid() bool   { return len(m.heap) > 0 }
func (m *mergingIter) Key() []byte   { return m.heap[0].key }
func (m *mergingIter) Value() []byte { return m.children[m.heap[0].child].Value() }
func (m *mergingIter) Error() error  { return m.err }

func (m *mergingIter) Close() error {
	var errs []error
	for _, c := range m.children {
		errs = append(errs, c.Close())
	}
	m.heap = m.heap[:0]
	return errors.Join(errs...)
}
