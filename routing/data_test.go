package routing

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/shareddata"
)

// The real graphs and their hierarchies are loaded once per test binary.
var (
	luxOnce, andOnce sync.Once
	lux, and         realGraph
)

type realGraph struct {
	g   *Graph
	h   *Hierarchy
	err error
}

func loadLux(t testing.TB) (*Graph, *Hierarchy) {
	t.Helper()
	dir := shareddata.Dir(t, "roads")
	luxOnce.Do(func() {
		gf, err := os.Open(filepath.Join(dir, "luxembourg.osm.graph"))
		if err != nil {
			lux.err = err
			return
		}
		defer gf.Close()
		xf, err := os.Open(filepath.Join(dir, "luxembourg.osm.xyz"))
		if err != nil {
			lux.err = err
			return
		}
		defer xf.Close()
		if lux.g, lux.err = ReadMETIS(gf, xf); lux.err != nil {
			return
		}
		lux.h, lux.err = Contract(lux.g, ContractOptions{})
	})
	if lux.err != nil {
		t.Fatal(lux.err)
	}
	return lux.g, lux.h
}

func loadAndorra(t testing.TB) (*Graph, *Hierarchy) {
	t.Helper()
	dir := shareddata.Dir(t, "osm")
	andOnce.Do(func() {
		f, err := os.Open(filepath.Join(dir, "andorra.osm.pbf"))
		if err != nil {
			and.err = err
			return
		}
		defer f.Close()
		if and.g, and.err = ReadOSM(context.Background(), f, OSMOptions{}); and.err != nil {
			return
		}
		and.h, and.err = Contract(and.g, ContractOptions{})
	})
	if and.err != nil {
		t.Fatal(and.err)
	}
	return and.g, and.h
}
