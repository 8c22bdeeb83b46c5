package lsm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/raceflag"
)

// TestConcurrent runs writers, point readers, iterators and snapshots at
// once while flushes and compactions run. Each writer owns a key range and
// writes increasing versions, so readers can check monotonicity, and each
// batch writes a pair of keys that must always be seen together.
func TestConcurrent(t *testing.T) {
	n := 3000
	if raceflag.Enabled {
		n = 1000
	}
	db, err := Open(t.TempDir(), smallOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const writers = 3
	var wg sync.WaitGroup
	done := make(chan struct{})
	errc := make(chan error, 16)
	report := func(err error) {
		select {
		case errc <- err:
		default:
		}
	}
	var writersWG sync.WaitGroup
	for w := 0; w < writers; w++ {
		writersWG.Add(1)
		go func() {
			defer writersWG.Done()
			for i := 1; i <= n; i++ {
				var b Batch
				v := fmt.Appendf(nil, "%08d", i)
				b.Put(fmt.Appendf(nil, "w%d-a-%03d", w, i%50), v)
				b.Put(fmt.Appendf(nil, "w%d-b-%03d", w, i%50), v)
				if err := db.Apply(&b, nil); err != nil {
					report(err)
					return
				}
			}
		}()
	}
	// Iterators: a and b keys of one writer and slot always agree.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			snap := db.NewSnapshot()
			for w := 0; w < writers; w++ {
				it := snap.NewIter(&IterOptions{Prefix: fmt.Appendf(nil, "w%d-", w)})
				seen := map[string][]byte{}
				var last []byte
				for k, v := range it.All() {
					if last != nil && bytes.Compare(last, k) >= 0 {
						report(fmt.Errorf("iterator out of order: %q then %q", last, k))
					}
					last = append(last[:0], k...)
					seen[string(k)] = bytes.Clone(v)
				}
				if err := it.Close(); err != nil {
					report(err)
				}
				for k, v := range seen {
					if k[3] != 'a' {
						continue
					}
					kb := k[:3] + "b" + k[4:]
					if !bytes.Equal(seen[kb], v) {
						report(fmt.Errorf("snapshot saw %s=%s but %s=%s", k, v, kb, seen[kb]))
					}
					if got, err := snap.Get([]byte(kb)); err != nil || !bytes.Equal(got, v) {
						report(fmt.Errorf("snapshot Get(%s) = %s, %v; want %s", kb, got, err, v))
					}
				}
			}
			snap.Close()
		}
	}()
	// Point readers: versions of a key never go backwards.
	wg.Add(1)
	go func() {
		defer wg.Done()
		last := map[string]string{}
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			k := fmt.Sprintf("w%d-a-%03d", i%writers, i%50)
			v, err := db.Get([]byte(k))
			if errors.Is(err, ErrNotFound) {
				if last[k] != "" {
					report(fmt.Errorf("%s disappeared after %s", k, last[k]))
				}
				continue
			}
			if err != nil {
				report(err)
				return
			}
			if string(v) < last[k] {
				report(fmt.Errorf("%s went back from %s to %s", k, last[k], v))
			}
			last[k] = string(v)
		}
	}()
	writersWG.Wait()
	if err := db.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	close(done)
	wg.Wait()
	select {
	case err := <-errc:
		t.Fatal(err)
	default:
	}
	// Final state: the last version of every key.
	for w := 0; w < writers; w++ {
		for s := 0; s < 50; s++ {
			i := n - ((n-s)%50+50)%50
			v, err := db.Get(fmt.Appendf(nil, "w%d-b-%03d", w, s))
			if err != nil || string(v) != fmt.Sprintf("%08d", i) {
				t.Fatalf("w%d slot %d = %s, %v; want %08d", w, s, v, err, i)
			}
		}
	}
	st := db.Stats()
	if st.Flushes == 0 || st.Compactions+st.TrivialMoves == 0 {
		t.Fatalf("no background work happened: %+v", st)
	}
}
