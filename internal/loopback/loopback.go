// Package loopback serves an example's HTTP handler on a free port of the
// loopback interface, as every system example that runs a server does.
package loopback

import (
	"net"
	"net/http"
	"time"
)

// Serve starts serving h on 127.0.0.1 at a free port and returns its base
// URL ("http://127.0.0.1:port") and a function that stops the server,
// closing its listener and connections.
func Serve(h http.Handler) (baseURL string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}
