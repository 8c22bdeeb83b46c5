package skiplist

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sysdesign-go/sysdesign/internal/redistest"
)

// exec runs one Redis sorted-set command on s, parsing arguments the way
// redis-server does, and returns its reply in RESP2 shape: int64, string,
// nil, []any or an error.
func exec(s *SortedSet, args []string) any {
	cmd := strings.ToUpper(args[0])
	a := args[2:] // skip the key
	fl := func(x string) float64 {
		v, err := strconv.ParseFloat(x, 64)
		if err != nil {
			panic(err)
		}
		return v
	}
	fmtScore := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	flat := func(es []Entry, withScores bool) []any {
		out := []any{}
		for _, e := range es {
			out = append(out, e.Member)
			if withScores {
				out = append(out, fmtScore(e.Score))
			}
		}
		return out
	}
	sb := func(x string) ScoreBound {
		b, err := ParseScoreBound(x)
		if err != nil {
			panic(err)
		}
		return b
	}
	lb := func(x string) LexBound {
		b, err := ParseLexBound(x)
		if err != nil {
			panic(err)
		}
		return b
	}
	switch cmd {
	case "ZADD":
		var o AddOptions
		incr := false
		for len(a) > 0 {
			switch strings.ToUpper(a[0]) {
			case "NX":
				o.NX = true
			case "XX":
				o.XX = true
			case "GT":
				o.GT = true
			case "LT":
				o.LT = true
			case "CH":
				o.CH = true
			case "INCR":
				incr = true
			default:
				goto pairs
			}
			a = a[1:]
		}
	pairs:
		if incr {
			v, ok, err := s.AddIncr(o, a[1], fl(a[0]))
			if err != nil {
				return err
			}
			if !ok {
				return nil
			}
			return fmtScore(v)
		}
		var es []Entry
		for i := 0; i+1 < len(a); i += 2 {
			es = append(es, Entry{a[i+1], fl(a[i])})
		}
		n, err := s.Add(o, es...)
		if err != nil {
			return err
		}
		return int64(n)
	case "ZINCRBY":
		v, err := s.IncrBy(a[1], fl(a[0]))
		if err != nil {
			return err
		}
		return fmtScore(v)
	case "ZREM":
		return int64(s.Remove(a...))
	case "ZSCORE":
		if v, ok := s.Score(a[0]); ok {
			return fmtScore(v)
		}
		return nil
	case "ZMSCORE":
		vs, ok := s.MScore(a...)
		out := []any{}
		for i := range vs {
			if ok[i] {
				out = append(out, fmtScore(vs[i]))
			} else {
				out = append(out, nil)
			}
		}
		return out
	case "ZCARD":
		return int64(s.Card())
	case "ZCOUNT":
		return int64(s.Count(sb(a[0]), sb(a[1])))
	case "ZLEXCOUNT":
		return int64(s.LexCount(lb(a[0]), lb(a[1])))
	case "ZRANK", "ZREVRANK":
		f := s.Rank
		if cmd == "ZREVRANK" {
			f = s.RevRank
		}
		if r, _, ok := f(a[0]); ok {
			return int64(r)
		}
		return nil
	case "ZRANGE":
		lo, hi := a[0], a[1]
		by, rev, with := "", false, false
		var lim Limit
		for i := 2; i < len(a); i++ {
			switch strings.ToUpper(a[i]) {
			case "BYSCORE", "BYLEX":
				by = strings.ToUpper(a[i])
			case "REV":
				rev = true
			case "WITHSCORES":
				with = true
			case "LIMIT":
				off, _ := strconv.Atoi(a[i+1])
				cnt, _ := strconv.Atoi(a[i+2])
				lim = Limit{Offset: off, Count: cnt, Set: true}
				i += 2
			}
		}
		if rev && by != "" {
			lo, hi = hi, lo
		}
		switch by {
		case "BYSCORE":
			return flat(s.RangeByScore(sb(lo), sb(hi), rev, lim), with)
		case "BYLEX":
			return flat(s.RangeByLex(lb(lo), lb(hi), rev, lim), false)
		}
		start, _ := strconv.Atoi(lo)
		stop, _ := strconv.Atoi(hi)
		return flat(s.RangeByRank(start, stop, rev), with)
	case "ZPOPMIN", "ZPOPMAX":
		n := 1
		if len(a) > 0 {
			n, _ = strconv.Atoi(a[0])
		}
		f := s.PopMin
		if cmd == "ZPOPMAX" {
			f = s.PopMax
		}
		es, err := f(n)
		if err != nil {
			return err
		}
		return flat(es, true)
	case "ZREMRANGEBYRANK":
		start, _ := strconv.Atoi(a[0])
		stop, _ := strconv.Atoi(a[1])
		return int64(s.RemRangeByRank(start, stop))
	case "ZREMRANGEBYSCORE":
		return int64(s.RemRangeByScore(sb(a[0]), sb(a[1])))
	case "ZREMRANGEBYLEX":
		return int64(s.RemRangeByLex(lb(a[0]), lb(a[1])))
	}
	panic("unknown command " + cmd)
}

// norm renders a reply canonically: floats are compared by value, since
// Redis 7.0 prints them with %.17g.
func norm(v any) string {
	switch v := v.(type) {
	case nil:
		return "nil"
	case error:
		return "ERR"
	case int64:
		return fmt.Sprintf("i:%d", v)
	case string:
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return "f:" + strconv.FormatFloat(f, 'g', -1, 64)
		}
		return "s:" + v
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = norm(x)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return fmt.Sprintf("?%T:%v", v, v)
}

// gen makes random sorted-set commands over a small member and score space,
// so that collisions, ties, updates and empty ranges are all frequent. Key
// "z" gets every command; key "lex" keeps all scores 0 for the BYLEX family.
type gen struct{ r *rand.Rand }

var members = []string{"a", "b", "c", "d", "e", "f", "g", "h", "aa", "ab", "ba", "bb", "abc", "x", "xy", "xyz", "m1", "m2", "m10", ""}

func (g gen) member() string { return members[g.r.IntN(len(members))] }

func (g gen) score() string {
	switch g.r.IntN(12) {
	case 0:
		return "inf"
	case 1:
		return "-inf"
	case 2:
		return strconv.FormatFloat(float64(g.r.IntN(21)-10)/4, 'g', -1, 64)
	}
	return strconv.Itoa(g.r.IntN(11) - 5)
}

func (g gen) scoreBound() string {
	switch g.r.IntN(8) {
	case 0:
		return "-inf"
	case 1:
		return "+inf"
	case 2, 3:
		return "(" + strconv.Itoa(g.r.IntN(11)-5)
	}
	return strconv.Itoa(g.r.IntN(11) - 5)
}

func (g gen) lexBound() string {
	switch g.r.IntN(8) {
	case 0:
		return "-"
	case 1:
		return "+"
	case 2, 3:
		return "(" + g.member()
	}
	return "[" + g.member()
}

func (g gen) idx() string { return strconv.Itoa(g.r.IntN(30) - 15) }

func (g gen) limit(args []string) []string {
	if g.r.IntN(3) == 0 {
		args = append(args, "LIMIT", strconv.Itoa(g.r.IntN(8)-1), strconv.Itoa(g.r.IntN(8)-2))
	}
	return args
}

func (g gen) command() []string {
	switch g.r.IntN(20) {
	case 0, 1, 2, 3:
		args := []string{"ZADD", "z"}
		for _, f := range []string{"NX", "XX", "GT", "LT", "CH"} {
			if g.r.IntN(6) == 0 {
				args = append(args, f)
			}
		}
		if g.r.IntN(6) == 0 {
			return append(args, "INCR", g.score(), g.member())
		}
		for range 1 + g.r.IntN(3) {
			args = append(args, g.score(), g.member())
		}
		return args
	case 4:
		args := []string{"ZADD", "lex"}
		if g.r.IntN(4) == 0 {
			args = append(args, "NX")
		}
		return append(args, "0", g.member(), "0", g.member())
	case 5:
		return []string{"ZINCRBY", "z", g.score(), g.member()}
	case 6:
		return []string{"ZREM", []string{"z", "lex"}[g.r.IntN(2)], g.member(), g.member()}
	case 7:
		return []string{"ZSCORE", "z", g.member()}
	case 8:
		return []string{"ZMSCORE", "z", g.member(), g.member(), g.member()}
	case 9:
		return []string{[]string{"ZRANK", "ZREVRANK"}[g.r.IntN(2)], "z", g.member()}
	case 10:
		return []string{"ZCOUNT", "z", g.scoreBound(), g.scoreBound()}
	case 11:
		return []string{"ZLEXCOUNT", "lex", g.lexBound(), g.lexBound()}
	case 12:
		args := []string{"ZRANGE", "z", g.idx(), g.idx()}
		if g.r.IntN(2) == 0 {
			args = append(args, "REV")
		}
		if g.r.IntN(2) == 0 {
			args = append(args, "WITHSCORES")
		}
		return args
	case 13, 14:
		args := []string{"ZRANGE", "z", g.scoreBound(), g.scoreBound(), "BYSCORE"}
		if g.r.IntN(2) == 0 {
			args = append(args, "REV")
		}
		args = g.limit(args)
		if g.r.IntN(2) == 0 {
			args = append(args, "WITHSCORES")
		}
		return args
	case 15:
		args := []string{"ZRANGE", "lex", g.lexBound(), g.lexBound(), "BYLEX"}
		if g.r.IntN(2) == 0 {
			args = append(args, "REV")
		}
		return g.limit(args)
	case 16:
		args := []string{[]string{"ZPOPMIN", "ZPOPMAX"}[g.r.IntN(2)], []string{"z", "lex"}[g.r.IntN(2)]}
		if g.r.IntN(3) > 0 {
			args = append(args, strconv.Itoa(g.r.IntN(5)-1))
		}
		return args
	case 17:
		return []string{"ZREMRANGEBYRANK", "z", g.idx(), g.idx()}
	case 18:
		if g.r.IntN(3) > 0 {
			return []string{"ZCARD", []string{"z", "lex"}[g.r.IntN(2)]}
		}
		return []string{"ZREMRANGEBYSCORE", "z", g.scoreBound(), g.scoreBound()}
	default:
		if g.r.IntN(3) > 0 {
			return []string{"ZCARD", "lex"}
		}
		return []string{"ZREMRANGEBYLEX", "lex", g.lexBound(), g.lexBound()}
	}
}

// TestRedisDifferential applies thousands of random commands to a real
// redis-server and to SortedSets (on each index) and compares every reply.
// Set SKIPLIST_DIFF_N to run more commands (default 6000 per index).
func TestRedisDifferential(t *testing.T) {
	srv := redistest.Start(t)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2})
	defer c.Close()
	n := 6000
	if v, err := strconv.Atoi(os.Getenv("SKIPLIST_DIFF_N")); err == nil {
		n = v
	}
	for _, index := range []Index{SkiplistIndex, BTreeIndex} {
		for seed := uint64(1); seed <= 3; seed++ {
			redisDiff(t, c, index, seed, n/3)
		}
	}
}

func redisDiff(t *testing.T, c *redis.Client, index Index, seed uint64, n int) {
	ctx := context.Background()
	{
		if err := c.FlushAll(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		sets := map[string]*SortedSet{}
		for _, k := range []string{"z", "lex"} {
			sets[k], _ = NewSortedSet(Options{Seed: seed, Index: index})
		}
		g := gen{rand.New(rand.NewPCG(seed, 99))}
		var history []string
		for i := 0; i < n; i++ {
			args := g.command()
			history = append(history, strings.Join(args, " "))
			iargs := make([]any, len(args))
			for j, a := range args {
				iargs[j] = a
			}
			want, err := c.Do(ctx, iargs...).Result()
			if errors.Is(err, redis.Nil) {
				want, err = nil, nil
			}
			if err != nil {
				var re redis.Error
				if !errors.As(err, &re) {
					t.Fatalf("redis: %v", err)
				}
				want = err
			}
			got := exec(sets[args[1]], args)
			if norm(got) != norm(want) {
				start := max(0, len(history)-8)
				t.Fatalf("index %d seed %d command %d: %s\nredis:    %s (%v)\nsortedset: %s (%v)\nlast commands:\n  %s",
					index, seed, i, history[len(history)-1], norm(want), want, norm(got), got,
					strings.Join(history[start:], "\n  "))
			}
		}
		// Final state must agree too.
		for k, s := range sets {
			want, err := c.Do(ctx, "ZRANGE", k, 0, -1, "WITHSCORES").Result()
			if err != nil {
				t.Fatal(err)
			}
			got := exec(s, []string{"ZRANGE", k, "0", "-1", "WITHSCORES"})
			if norm(got) != norm(want) {
				t.Fatalf("index %d seed %d final %s: redis %s; sortedset %s", index, seed, k, norm(want), norm(got))
			}
		}
	}
}
