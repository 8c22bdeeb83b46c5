package main

import (
	"context"
	"io"

	"github.com/sysdesign-go/sysdesign/examples/uniqueid"
)

// system is one example under examples/, as the tour runs it.
type system struct {
	name    string // the folder under examples/
	summary string // what the run shows, in one line
	run     func(ctx context.Context, w io.Writer, args []string) error
}

// systems lists every example, in the order the tour runs them. A test checks
// that each folder under examples/ appears here.
var systems = []system{
	{"uniqueid", "snowflake IDs from several generators: unique, time-ordered, decodable", uniqueid.Run},
}
