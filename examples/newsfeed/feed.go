package newsfeed

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sysdesign-go/sysdesign/base62"
	"github.com/sysdesign-go/sysdesign/hashring"
	"github.com/sysdesign-go/sysdesign/skiplist"
	"github.com/sysdesign-go/sysdesign/snowflake"
)

// Post is one post.
type Post struct {
	ID     snowflake.ID
	Author int
	At     time.Time
	Text   string
}

// Options configure a Service.
type Options struct {
	// Shards is the number of feed-cache shards. Default 4.
	Shards int
	// CelebrityFollowers is the follower count from which an author's posts
	// are not fanned out on write but merged in on read. Default 500.
	CelebrityFollowers int
	// FeedLen caps each cached feed. Default 200.
	FeedLen int
}

// Service is the news feed system: a follow graph, a post store, and feed
// caches sharded over a consistent-hash ring (hashring), each feed a
// sorted set (skiplist.SortedSet) of post IDs scored by time.
//
// Publishing pushes a post into every follower's cached feed (fanout on
// write), except for celebrities, whose followers are too many: their posts
// stay in the author's own sorted set and are merged into a follower's feed
// when it is read (fanout on read). Feed members are fixed-width base62
// post IDs, so posts with equal timestamps order by ID.
//
// A Service is safe for concurrent use.
type Service struct {
	opts  Options
	ids   *snowflake.Generator
	ring  *hashring.Ring
	cache map[string]*shard // shard name -> shard

	mu        sync.RWMutex
	posts     map[snowflake.ID]Post
	followers map[int][]int               // author -> followers
	following map[int][]int               // user -> authors
	byAuthor  map[int]*skiplist.SortedSet // every author's own posts

	FanoutWrites int64 // feed insertions done by publishing (guarded by mu)
}

// shard is one cache node: the feeds of the users the ring gives it.
type shard struct {
	mu    sync.Mutex
	feeds map[int]*skiplist.SortedSet
}

// NewService returns an empty service.
func NewService(opts Options) (*Service, error) {
	if opts.Shards == 0 {
		opts.Shards = 4
	}
	if opts.CelebrityFollowers == 0 {
		opts.CelebrityFollowers = 500
	}
	if opts.FeedLen == 0 {
		opts.FeedLen = 200
	}
	if opts.Shards < 1 || opts.CelebrityFollowers < 1 || opts.FeedLen < 1 {
		return nil, fmt.Errorf("newsfeed: invalid options %+v", opts)
	}
	ids, err := snowflake.New(snowflake.Config{MaxLead: time.Second})
	if err != nil {
		return nil, err
	}
	s := &Service{opts: opts, ids: ids, cache: map[string]*shard{}, posts: map[snowflake.ID]Post{},
		followers: map[int][]int{}, following: map[int][]int{}, byAuthor: map[int]*skiplist.SortedSet{}}
	var nodes []hashring.Node
	for i := range opts.Shards {
		name := fmt.Sprintf("cache-%d", i)
		nodes = append(nodes, hashring.Node{ID: name})
		s.cache[name] = &shard{feeds: map[int]*skiplist.SortedSet{}}
	}
	if s.ring, err = hashring.New(hashring.Options{}, nodes...); err != nil {
		return nil, err
	}
	return s, nil
}

// Follow makes user follow author. It affects posts published afterwards
// (a production system would also backfill the feed).
func (s *Service) Follow(user, author int) error {
	if user == author {
		return errors.New("newsfeed: a user cannot follow themselves")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.Contains(s.following[user], author) {
		return nil
	}
	s.following[user] = append(s.following[user], author)
	s.followers[author] = append(s.followers[author], user)
	return nil
}

// Celebrity reports whether author's posts are merged on read.
func (s *Service) Celebrity(author int) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.followers[author]) >= s.opts.CelebrityFollowers
}

// member is a post's entry in a sorted set: 11 base62 digits of the ID,
// whose byte order is the IDs' order.
func member(id snowflake.ID) string { return base62.StdEncoding.EncodeUint64Fixed(uint64(id)) }

func score(t time.Time) float64 { return float64(t.UnixMilli()) }

// Publish stores a post by author and delivers it.
func (s *Service) Publish(author int, text string, at time.Time) (Post, error) {
	id, err := s.ids.Next()
	if err != nil {
		return Post{}, err
	}
	p := Post{ID: id, Author: author, At: at, Text: text}
	entry := skiplist.Entry{Member: member(id), Score: score(at)}
	s.mu.Lock()
	s.posts[id] = p
	own := s.byAuthor[author]
	if own == nil {
		own, _ = skiplist.NewSortedSet(skiplist.Options{})
		s.byAuthor[author] = own
	}
	own.Add(skiplist.AddOptions{}, entry)
	var fanout []int
	if len(s.followers[author]) < s.opts.CelebrityFollowers {
		fanout = slices.Clone(s.followers[author])
		s.FanoutWrites += int64(len(fanout))
	}
	s.mu.Unlock()
	for _, f := range fanout {
		s.push(f, entry)
	}
	return p, nil
}

// push adds entry to user's cached feed, keeping the newest FeedLen.
func (s *Service) push(user int, e skiplist.Entry) {
	sh := s.shardOf(user)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	feed := sh.feeds[user]
	if feed == nil {
		feed, _ = skiplist.NewSortedSet(skiplist.Options{})
		sh.feeds[user] = feed
	}
	feed.Add(skiplist.AddOptions{}, e)
	if over := feed.Card() - s.opts.FeedLen; over > 0 {
		feed.RemRangeByRank(0, over-1)
	}
}

func (s *Service) shardOf(user int) *shard {
	name, _ := s.ring.Get(fmt.Sprint(user))
	return s.cache[name]
}

// Feed returns up to n posts for user, newest first: the cached feed merged
// with the recent posts of the celebrities the user follows. after is the
// last post of the previous page, or nil for the first page.
func (s *Service) Feed(user, n int, after *Post) ([]Post, error) {
	if n < 1 {
		return nil, errors.New("newsfeed: n must be positive")
	}
	var cur *skiplist.Entry
	if after != nil {
		cur = &skiplist.Entry{Member: member(after.ID), Score: score(after.At)}
	}
	sh := s.shardOf(user)
	sh.mu.Lock()
	var entries []skiplist.Entry
	if feed := sh.feeds[user]; feed != nil {
		entries = page(feed, n, cur)
	}
	sh.mu.Unlock()
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, a := range s.following[user] {
		if len(s.followers[a]) >= s.opts.CelebrityFollowers {
			entries = append(entries, page(s.byAuthor[a], n, cur)...)
		}
	}
	slices.SortFunc(entries, newestFirst)
	entries = slices.CompactFunc(entries, func(a, b skiplist.Entry) bool { return a.Member == b.Member })
	if len(entries) > n {
		entries = entries[:n]
	}
	out := make([]Post, 0, len(entries))
	for _, e := range entries {
		id, err := base62.StdEncoding.DecodeUint64(e.Member)
		if err != nil {
			return nil, err
		}
		out = append(out, s.posts[snowflake.ID(id)])
	}
	return out, nil
}

// newestFirst is the order of a reversed sorted set: higher score first,
// equal scores by member, descending.
func newestFirst(a, b skiplist.Entry) int {
	switch {
	case a.Score > b.Score:
		return -1
	case a.Score < b.Score:
		return 1
	}
	return strings.Compare(b.Member, a.Member)
}

// page returns up to n entries of set, newest first, that come after cur in
// that order. Entries sharing cur's score are fetched too and filtered, so a
// page boundary inside one millisecond neither skips nor repeats a post.
func page(set *skiplist.SortedSet, n int, cur *skiplist.Entry) []skiplist.Entry {
	if cur == nil {
		return set.RangeByScore(skiplist.NegInf, skiplist.PosInf, true, skiplist.Limit{Count: n, Set: true})
	}
	at := skiplist.Inclusive(cur.Score)
	same := set.Count(at, at)
	es := set.RangeByScore(skiplist.NegInf, at, true, skiplist.Limit{Count: n + same, Set: true})
	return slices.DeleteFunc(es, func(e skiplist.Entry) bool { return newestFirst(e, *cur) <= 0 })
}

// ShardLoads returns how many users' feeds each cache shard holds.
func (s *Service) ShardLoads() map[string]int {
	out := map[string]int{}
	for name, sh := range s.cache {
		sh.mu.Lock()
		out[name] = len(sh.feeds)
		sh.mu.Unlock()
	}
	return out
}
