// Package shareddata finds the project's shared data sets (road graphs, an
// OpenStreetMap extract, a word list) for tests and benchmarks.
//
// The data lives outside the repository, in a folder named shared/data beside
// the project checkout (../shared/data from the module root). It is present in
// CI and in development sessions but absent from a user's clone, so tests that
// need it call [Dir], which skips the test with a clear message when it is
// missing. SYSDESIGN_DATA overrides the location.
package shareddata

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Env names the environment variable that overrides the data location.
const Env = "SYSDESIGN_DATA"

// Dir returns the path of the named data set (for example "roads", "osm" or
// "words"), or skips tb with a message saying where it looked.
func Dir(tb testing.TB, name string) string {
	tb.Helper()
	dir, err := Find(name)
	if err != nil {
		tb.Skipf("shareddata: %v; these tests run where ../shared/data is present (CI and dev sessions)", err)
	}
	return dir
}

// Find returns the path of the named data set, or an error saying where it
// looked. Programs (the examples) use it to fall back to generated data.
func Find(name string) (string, error) {
	if root := os.Getenv(Env); root != "" {
		return check(filepath.Join(root, name))
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	// Walk up to the module root (the first go.mod that is not in benchmarks/),
	// then look beside it.
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && filepath.Base(dir) != "benchmarks" {
			return check(filepath.Join(dir, "..", "shared", "data", name))
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("data set %q not found: no go.mod above %s", name, wd)
		}
	}
}

func check(dir string) (string, error) {
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return "", fmt.Errorf("data set not found at %s", dir)
	}
	return filepath.Clean(dir), nil
}
