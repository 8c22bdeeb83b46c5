package wal

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/sysdesign-go/sysdesign/internal/raceflag"
)

// TestConcurrentMixedOps runs appenders, random readers, a tailing reader
// and a retention loop (TruncateFront) at once. Every successful read must
// return exactly what the appender of that index wrote; the only error a
// reader may see is ErrNotFound for a truncated index.
func TestConcurrentMixedOps(t *testing.T) {
	per := 300
	if raceflag.Enabled {
		per = 100
	}
	const appenders = 4
	l := mustOpen(t, NewMemFS(), Options{SegmentSize: 512, Sync: SyncAlways})
	defer l.Close()
	var written sync.Map // index -> payload
	var wg, bg sync.WaitGroup
	done := make(chan struct{})
	check := func(who string, i uint64, data []byte, err error) {
		if err != nil {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("%s: index %d: %v", who, i, err)
			}
			return
		}
		if want, ok := written.Load(i); ok && want.(string) != string(data) {
			t.Errorf("%s: index %d = %q; want %q", who, i, data, want)
		}
	}
	for w := range appenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range per {
				p := fmt.Sprintf("w%d-%d", w, k)
				var i uint64
				var err error
				if k%3 == 0 {
					i, err = l.AppendBatch([][]byte{[]byte(p)})
				} else {
					i, err = l.Append([]byte(p))
				}
				if err != nil {
					t.Error(err)
					return
				}
				written.Store(i, p)
				if w == 0 && k%25 == 24 && i > 50 {
					// Retention from inside the write path too, so it
					// happens however the goroutines are scheduled.
					// ErrOutOfRange: the background loop truncated further
					// between FirstIndex and the call.
					if err := l.TruncateFront(max(l.FirstIndex(), i-50)); err != nil && !errors.Is(err, ErrOutOfRange) {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	for range 2 {
		bg.Add(1)
		go func() {
			defer bg.Done()
			for k := uint64(0); ; k++ {
				select {
				case <-done:
					return
				default:
				}
				first, last := l.FirstIndex(), l.LastIndex()
				if last < first {
					continue
				}
				i := first + k%(last-first+1)
				data, err := l.Read(i)
				check("reader", i, data, err)
			}
		}()
	}
	bg.Add(1)
	go func() { // retention: keep roughly the newest 50 records
		defer bg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			if last := l.LastIndex(); last > 50 {
				first := l.FirstIndex()
				if target := last - 50; target > first {
					if err := l.TruncateFront(target); err != nil && !errors.Is(err, ErrOutOfRange) {
						t.Error(err)
						return
					}
				}
			}
		}
	}()
	tail := make(chan int)
	caughtUp := make(chan struct{})
	go func() { // tailing reader: follows the log, skipping what retention removed
		r := l.NewReader(1)
		n := 0
		for {
			i, data, err := r.NextWait(context.Background())
			if errors.Is(err, ErrNotFound) {
				r = l.NewReader(l.FirstIndex())
				continue
			}
			if err != nil {
				tail <- n
				return
			}
			check("tail", i, data, nil)
			n++
			if i == appenders*uint64(per) {
				close(caughtUp)
			}
		}
	}()
	wg.Wait()
	close(done)
	bg.Wait()
	if got, want := l.LastIndex(), uint64(appenders*per); got != want {
		t.Fatalf("LastIndex = %d; want %d", got, want)
	}
	if l.FirstIndex() == 1 {
		t.Fatal("retention never truncated")
	}
	for i := l.FirstIndex(); i <= l.LastIndex(); i++ {
		data, err := l.Read(i)
		check("final", i, data, err)
		if err != nil {
			t.Fatalf("final Read(%d): %v", i, err)
		}
	}
	<-caughtUp // the tailing reader reaches the last record
	l.Close()
	if n := <-tail; n == 0 {
		t.Fatal("tailing reader saw nothing")
	}
}
