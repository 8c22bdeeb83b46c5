package sstable

import (
	"container/list"
	"sync"
	"sync/atomic"
)

// Cache is a sharded LRU cache of verified blocks keyed by (file, offset),
// bounded by the total bytes of the blocks it holds. It is safe for
// concurrent use. A nil *Cache caches nothing.
type Cache struct {
	shards [16]cacheShard
	hits   atomic.Int64
	misses atomic.Int64
}

type cacheKey struct{ file, off uint64 }

type cacheEntry struct {
	key  cacheKey
	data []byte
}

type cacheShard struct {
	mu       sync.Mutex
	capacity int64
	size     int64
	ll       list.List
	m        map[cacheKey]*list.Element
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
		c.shards[i].m = make(map[cacheKey]*list.Element)
	}
	return c
}

func (c *Cache) shard(k cacheKey) *cacheShard {
	h := (k.file*0x9E3779B97F4A7C15 ^ k.off*0xC2B2AE3D27D4EB4F) >> 60
	return &c.shards[h]
}

// Get returns a cached block.
func (c *Cache) Get(file, off uint64) ([]byte, bool) {
	if c == nil {
		return nil, false
	}
	k := cacheKey{file, off}
	s := c.shard(k)
	s.mu.Lock()
	e, ok := s.m[k]
	if ok {
		s.ll.MoveToFront(e)
	}
	s.mu.Unlock()
	if !ok {
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	return e.Value.(*cacheEntry).data, true
}

// Set inserts a block, evicting least recently used ones.
func (c *Cache) Set(file, off uint64, data []byte) {
	if c == nil {
		return
	}
	k := cacheKey{file, off}
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.m[k]; ok {
		s.ll.MoveToFront(e)
		return
	}
	s.m[k] = s.ll.PushFront(&cacheEntry{k, data})
	s.size += int64(len(data))
	for s.size > s.capacity && s.ll.Len() > 1 {
		back := s.ll.Back()
		ent := back.Value.(*cacheEntry)
		s.ll.Remove(back)
		delete(s.m, ent.key)
		s.size -= int64(len(ent.data))
	}
}

// EvictFile drops every block of file (called when a table is deleted).
func (c *Cache) EvictFile(file uint64) {
	if c == nil {
		return
	}
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		for e := s.ll.Front(); e != nil; {
			next := e.Next()
			ent := e.Value.(*cacheEntry)
			if ent.key.file == file {
				s.ll.Remove(e)
				delete(s.m, ent.key)
				s.size -= int64(len(ent.data))
			}
			e = next
		}
		s.mu.Unlock()
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
