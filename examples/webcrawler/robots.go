package webcrawler

import (
	"bufio"
	"strconv"
	"strings"
	"time"
)

// robots is the part of a robots.txt (RFC 9309) that applies to one user
// agent: its allow and disallow path prefixes, and the Crawl-delay
// extension most crawlers honour.
type robots struct {
	allow, disallow []string
	delay           time.Duration // 0: none given
}

// parseRobots reads robots.txt text for agent. The group naming agent (case
// insensitive, by product token prefix) wins over "*"; lines it does not
// understand are ignored, as the RFC asks.
func parseRobots(text, agent string) robots {
	agent = strings.ToLower(agent)
	type group struct {
		agents []string
		rules  robots
	}
	var groups []*group
	var cur *group
	inAgents := false // consecutive User-agent lines share one group
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key, val = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(val)
		switch key {
		case "user-agent":
			if !inAgents || cur == nil {
				cur = &group{}
				groups = append(groups, cur)
			}
			cur.agents = append(cur.agents, strings.ToLower(val))
			inAgents = true
			continue
		case "allow", "disallow":
			if cur != nil && val != "" {
				if key == "allow" {
					cur.rules.allow = append(cur.rules.allow, val)
				} else {
					cur.rules.disallow = append(cur.rules.disallow, val)
				}
			}
		case "crawl-delay":
			if secs, err := strconv.ParseFloat(val, 64); err == nil && cur != nil && secs >= 0 && secs <= 60 {
				cur.rules.delay = time.Duration(secs * float64(time.Second))
			}
		}
		inAgents = false
	}
	var star *robots
	for _, g := range groups {
		for _, a := range g.agents {
			if a != "*" && strings.HasPrefix(agent, a) {
				return g.rules
			}
			if a == "*" && star == nil {
				star = &g.rules
			}
		}
	}
	if star != nil {
		return *star
	}
	return robots{}
}

// allowed applies the longest matching rule; Allow wins a tie (RFC 9309
// section 2.2.2). Wildcards ('*', '$') are not supported; to stay on the
// cautious side a Disallow rule with one is cut before it (blocking more than
// written) and an Allow rule with one is ignored.
func (r robots) allowed(path string) bool {
	best, allow := -1, true
	for _, p := range r.disallow {
		if i := strings.IndexAny(p, "*$"); i >= 0 {
			p = p[:i]
		}
		if strings.HasPrefix(path, p) && len(p) > best {
			best, allow = len(p), false
		}
	}
	for _, p := range r.allow {
		if strings.ContainsAny(p, "*$") {
			continue
		}
		if strings.HasPrefix(path, p) && len(p) >= best {
			best, allow = len(p), true
		}
	}
	return allow
}
