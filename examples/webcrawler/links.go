package webcrawler

import (
	"net/url"
	"strings"
)

// extractLinks returns the href targets of the anchors in an HTML page,
// resolved against base and normalised; links that are not http(s) are
// dropped. It is a scanner for `href="..."` and `href='...'`, enough for
// the pages of this system's test web and for most real pages, not a full
// HTML parser.
func extractLinks(base *url.URL, page string) []string {
	var out []string
	for {
		i := strings.Index(page, "href=")
		if i < 0 || i+6 > len(page) {
			return out
		}
		page = page[i+5:]
		quote := page[0]
		if quote != '"' && quote != '\'' {
			continue
		}
		end := strings.IndexByte(page[1:], quote)
		if end < 0 {
			return out
		}
		ref := page[1 : 1+end]
		page = page[1+end:]
		u, err := base.Parse(strings.TrimSpace(ref))
		if err != nil {
			continue
		}
		if n, ok := normalize(u); ok {
			out = append(out, n)
		}
	}
}

// normalize makes equal URLs compare equal as strings: lower-case scheme
// and host, no default port, no fragment, "/" for an empty path. Query
// strings are kept: two URLs that differ only there may still be different
// pages (content dedupe catches those that are not).
//
// A URL whose normal form does not parse back to itself (malformed hosts
// such as "::80") is rejected.
func normalize(u *url.URL) (string, bool) {
	s, ok := normalizeOnce(u)
	if !ok {
		return "", false
	}
	back, err := url.Parse(s)
	if err != nil {
		return "", false
	}
	if again, ok := normalizeOnce(back); !ok || again != s {
		return "", false
	}
	return s, true
}

func normalizeOnce(u *url.URL) (string, bool) {
	if u.Scheme != "http" && u.Scheme != "https" || u.Hostname() == "" || u.User != nil {
		return "", false
	}
	n := *u
	n.Scheme = strings.ToLower(n.Scheme)
	n.Host = strings.ToLower(n.Host)
	if port := n.Port(); port == "80" && n.Scheme == "http" || port == "443" && n.Scheme == "https" {
		n.Host = n.Hostname()
	}
	n.Fragment, n.RawFragment = "", ""
	if n.Path == "" {
		n.Path = "/"
	}
	return n.String(), true
}
