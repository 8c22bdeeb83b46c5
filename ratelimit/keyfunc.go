package ratelimit

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// KeyFunc extracts the rate-limit key of a request. An error makes the
// middleware answer 400 Bad Request.
type KeyFunc func(r *http.Request) (string, error)

// ErrNoKey reports a request from which a KeyFunc could not take a key.
var ErrNoKey = errors.New("ratelimit: no key in request")

// ClientIP returns a KeyFunc keying requests by client address: an IPv4
// address as itself, an IPv6 address by its /64 prefix (one customer's
// allocation, so a client cannot escape its limit by rotating addresses).
//
// X-Forwarded-For is never trusted by default. When the connection's peer
// (r.RemoteAddr) is inside one of trusted, the header is read from right to
// left, skipping addresses that are themselves trusted proxies, and the first
// untrusted address is the client; if every address is trusted, the
// leftmost one is used. Malformed header entries stop the walk and the last
// trusted hop is used instead. The key of an IPv4 client that needs no
// rewriting is a substring of the request's fields, so keying allocates
// nothing.
func ClientIP(trusted []netip.Prefix) KeyFunc {
	tp := append([]netip.Prefix(nil), trusted...)
	for i, p := range tp {
		tp[i] = p.Masked()
	}
	isTrusted := func(a netip.Addr) bool {
		for _, p := range tp {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	return func(r *http.Request) (string, error) {
		if len(tp) == 0 {
			// fast path: "a.b.c.d:port", whose host part is the key
			if host, ok := ipv4HostPort(r.RemoteAddr); ok {
				return host, nil
			}
		}
		host := r.RemoteAddr
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		addr, err := netip.ParseAddr(host)
		if err != nil {
			return "", fmt.Errorf("%w: bad remote address %q", ErrNoKey, r.RemoteAddr)
		}
		addr = addr.Unmap()
		if len(tp) > 0 && isTrusted(addr) {
			if c, s, ok := forwardedClient(r.Header.Values("X-Forwarded-For"), isTrusted); ok {
				addr, host = c, s
			}
		}
		return ipKey(addr, host), nil
	}
}

// ipv4HostPort reports whether s is "a.b.c.d:port" with a canonical
// dotted-quad IPv4 address (octets 0-255 without leading zeros, as
// netip.ParseAddr requires) and a decimal port of one to five digits up to
// 65535, and returns the address part. It accepts a subset of what
// netip.ParseAddrPort accepts as an IPv4 address and port, the form
// net/http puts in Request.RemoteAddr, in about a fifth of the time;
// anything else is left to the general path.
func ipv4HostPort(s string) (string, bool) {
	dots, v, digits := 0, 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c-'0' < 10:
			if digits == 1 && v == 0 {
				return "", false // leading zero
			}
			v = v*10 + int(c-'0')
			digits++
			if v > 255 {
				return "", false
			}
		case c == '.':
			if digits == 0 || dots == 3 {
				return "", false
			}
			dots++
			v, digits = 0, 0
		case c == ':':
			if digits == 0 || dots != 3 {
				return "", false
			}
			p := s[i+1:]
			if len(p) == 0 || len(p) > 5 {
				return "", false
			}
			port := 0
			for j := 0; j < len(p); j++ {
				if p[j]-'0' >= 10 {
					return "", false
				}
				port = port*10 + int(p[j]-'0')
			}
			return s[:i], port <= 65535
		default:
			return "", false
		}
	}
	return "", false
}

// forwardedClient walks X-Forwarded-For values right to left and returns
// the first address that is not a trusted proxy (or the leftmost one).
func forwardedClient(values []string, trusted func(netip.Addr) bool) (netip.Addr, string, bool) {
	var last netip.Addr
	var lastS string
	found := false
	for vi := len(values) - 1; vi >= 0; vi-- {
		v := values[vi]
		for v != "" {
			var part string
			if i := strings.LastIndexByte(v, ','); i >= 0 {
				part, v = v[i+1:], v[:i]
			} else {
				part, v = v, ""
			}
			part = strings.TrimSpace(part)
			a, err := netip.ParseAddr(part)
			if err != nil {
				if ap, err2 := netip.ParseAddrPort(part); err2 == nil {
					a, part = ap.Addr(), ap.Addr().String()
				} else {
					return last, lastS, found
				}
			}
			a = a.Unmap()
			last, lastS, found = a, part, true
			if !trusted(a) {
				return a, part, true
			}
		}
	}
	return last, lastS, found
}

// ipKey returns the key for addr: IPv4 as text (s when it already is the
// canonical text), IPv6 as its /64 prefix.
func ipKey(addr netip.Addr, s string) string {
	if addr.Is4() {
		var buf [16]byte
		if string(addr.AppendTo(buf[:0])) == s {
			return s
		}
		return addr.String()
	}
	p, _ := addr.Prefix(64)
	return p.String()
}

// HeaderKey returns a KeyFunc keying requests by the value of header name
// (an API key, a user ID set by an authentication layer). A request without
// the header gets an error wrapping [ErrNoKey].
func HeaderKey(name string) KeyFunc {
	name = http.CanonicalHeaderKey(name)
	return func(r *http.Request) (string, error) {
		v := r.Header.Get(name)
		if v == "" {
			return "", fmt.Errorf("%w: missing header %s", ErrNoKey, name)
		}
		return v, nil
	}
}
