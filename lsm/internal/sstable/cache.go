package sstable

import (
	"container/list"
	"sync"
	"sync/atomic"
)

// Cache is a sharded LRU cache of verified blocks keyed by (file, offset),
// bounded by the total bytes of the blocks it holds. It is safe for
// concurrent use. A nil *Cache caches nothing.
//
// Blocks are reference counted: the cache holds one reference while a
// block is resident and every reader holds one while it uses the block, so
// an evicted block's buffer goes back to a pool (and is reused for the next
// miss) only when the last reader has released it. A reader that never
// releases only costs a buffer the garbage collector frees.
type Cache struct {
	shards [16]cacheShard
	hits   atomic.Int64
	misses atomic.Int64
	bufs   sync.Pool // *Block with a pooled buffer, refs 0
}

// Block is a verified block (the data, trailer stripped) with a reference
// count. Release it when done; its data must not be used afterwards.
type Block struct {
	Data   []byte
	buf    []byte // the pooled buffer Data lies in; nil if not pooled
	refs   atomic.Int32
	cache  *Cache
	key    cacheKey
	elem   *list.Element
	charge int64
}

// Release drops one reference. The last release returns a pooled buffer to
// the cache's pool. Release on a nil *Block does nothing.
func (b *Block) Release() {
	if b == nil {
		return
	}
	if n := b.refs.Add(-1); n == 0 && b.buf != nil && b.cache != nil {
		b.Data, b.elem = nil, nil
		b.cache.bufs.Put(b)
	} else if n < 0 {
		panic("sstable: block released too often")
	}
}

type cacheKey struct{ file, off uint64 }

type cacheShard struct {
	mu       sync.Mutex
	capacity int64
	size     int64
	ll       list.List // of *Block, most recent first
	m        map[cacheKey]*Block
}

// NewCache returns a cache holding at most capacity bytes of blocks
// (capacity <= 0 returns nil, which caches nothing).
func NewCache(capacity int64) *Cache {
	if capacity <= 0 {
		return nil
	}
	c := &Cache{}
	for i := range c.shards {
		c.shards[i].capacity = max(capacity/int64(len(c.shards)), 1)
		c.shards[i].m = make(map[cacheKey]*Block)
	}
	return c
}

func (c *Cache) shard(k cacheKey) *cacheShard {
	h := (k.file*0x9E3779B97F4A7C15 ^ k.off*0xC2B2AE3D27D4EB4F) >> 60
	return &c.shards[h]
}

// bufClass rounds a buffer size up so that blocks of slightly different
// sizes share pooled buffers.
func bufClass(n int) int { return (n + 511) &^ 511 }

// newBlock returns a block with one reference whose buffer has length n,
// from the pool when a large enough buffer is there. With a nil cache the
// buffer is simply allocated.
func (c *Cache) newBlock(n int) *Block {
	if c == nil {
		b := &Block{buf: make([]byte, n)}
		b.refs.Store(1)
		return b
	}
	if b, _ := c.bufs.Get().(*Block); b != nil && cap(b.buf) >= n && cap(b.buf) <= 2*bufClass(n) {
		b.buf = b.buf[:n]
		b.refs.Store(1)
		return b
	}
	b := &Block{buf: make([]byte, n, bufClass(n)), cache: c}
	b.refs.Store(1)
	return b
}

// Get returns a cached block with a reference the caller must release, or
// nil.
func (c *Cache) Get(file, off uint64) *Block {
	if c == nil {
		return nil
	}
	k := cacheKey{file, off}
	s := c.shard(k)
	s.mu.Lock()
	b, ok := s.m[k]
	if ok {
		b.refs.Add(1)
		s.ll.MoveToFront(b.elem)
	}
	s.mu.Unlock()
	if !ok {
		c.misses.Add(1)
		return nil
	}
	c.hits.Add(1)
	return b
}

// Insert caches b (which the caller holds a reference to) under (file,
// off) and returns the block the caller now holds a reference to: b, or
// the block another reader inserted first (b is then released).
func (c *Cache) Insert(file, off uint64, b *Block) *Block {
	if c == nil {
		return b
	}
	k := cacheKey{file, off}
	s := c.shard(k)
	s.mu.Lock()
	if old, ok := s.m[k]; ok {
		old.refs.Add(1)
		s.ll.MoveToFront(old.elem)
		s.mu.Unlock()
		b.Release()
		return old
	}
	b.key = k
	b.charge = int64(len(b.Data))
	if b.buf != nil {
		b.charge = int64(cap(b.buf))
	}
	b.refs.Add(1) // the cache's reference
	b.elem = s.ll.PushFront(b)
	s.m[k] = b
	s.size += b.charge
	var evicted []*Block
	var one [4]*Block
	evicted = one[:0]
	for s.size > s.capacity && s.ll.Len() > 1 {
		back := s.ll.Back()
		old := back.Value.(*Block)
		s.ll.Remove(back)
		delete(s.m, old.key)
		s.size -= old.charge
		evicted = append(evicted, old)
	}
	s.mu.Unlock()
	for _, old := range evicted {
		old.Release()
	}
	return b
}

// EvictFile drops every block of file (called when a table is deleted).
func (c *Cache) EvictFile(file uint64) {
	if c == nil {
		return
	}
	for i := range c.shards {
		s := &c.shards[i]
		var evicted []*Block
		s.mu.Lock()
		for e := s.ll.Front(); e != nil; {
			next := e.Next()
			b := e.Value.(*Block)
			if b.key.file == file {
				s.ll.Remove(e)
				delete(s.m, b.key)
				s.size -= b.charge
				evicted = append(evicted, b)
			}
			e = next
		}
		s.mu.Unlock()
		for _, b := range evicted {
			b.Release()
		}
	}
}

// Stats returns hits, misses and the bytes currently held.
func (c *Cache) Stats() (hits, misses, size int64) {
	if c == nil {
		return 0, 0, 0
	}
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		size += s.size
		s.mu.Unlock()
	}
	return c.hits.Load(), c.misses.Load(), size
}
