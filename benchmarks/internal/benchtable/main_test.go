package main

import (
	"bytes"
	"strings"
	"testing"
)

const sample = `goos: linux
goarch: amd64
cpu: Test CPU
BenchmarkSnowflake_Next/impl=sysdesign-2   	1000	  10.0 ns/op	 0 B/op	 0 allocs/op	 100 ids/s
BenchmarkSnowflake_Next/impl=sysdesign-2   	1000	  12.0 ns/op	 0 B/op	 0 allocs/op	 100 ids/s
BenchmarkSnowflake_Next/impl=sysdesign-2   	1000	  30.0 ns/op	 0 B/op	 0 allocs/op	 100 ids/s
BenchmarkSnowflake_Next/impl=bwmarrin-2    	1000	  40.0 ns/op	 0 B/op	 0 allocs/op
BenchmarkSnowflake_Next/impl=bwmarrin-2    	1000	  48.0 ns/op	 0 B/op	 0 allocs/op
BenchmarkNoImpl-2                          	1000	  1 ns/op
PASS
`

func TestRenderMediansAndRatio(t *testing.T) {
	rows, env, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || len(env) != 3 {
		t.Fatalf("got %d rows, %d env lines; want 2, 3", len(rows), len(env))
	}
	var buf bytes.Buffer
	render(&buf, rows, env)
	out := buf.String()
	for _, want := range []string{
		"| snowflake | Next | sysdesign | 12.0 | 0 | 0 | 100 ids/s |  |",
		"| snowflake | Next | bwmarrin | 44.0 | 0 | 0 |  | 0.27 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output misses %q:\n%s", want, out)
		}
	}
}

func TestSplit(t *testing.T) {
	pkg, op, impl, ok := split("BenchmarkBase62_Encode/size=20/impl=jxskiss/parallel")
	if !ok || pkg != "base62" || op != "Encode/size=20/parallel" || impl != "jxskiss" {
		t.Fatalf("split = %q %q %q %v", pkg, op, impl, ok)
	}
	if _, _, _, ok := split("BenchmarkFoo"); ok {
		t.Fatal("split(BenchmarkFoo) ok; want not ok")
	}
}
