//go:build unix

package wal

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const killChildEnv = "WAL_KILL_CHILD_DIR"

// TestCrashSIGKILL re-executes the test binary as a child that appends
// from several goroutines with SyncAlways and prints each index as its
// Append returns; the parent kills it with SIGKILL at a random moment,
// reopens the log and checks that every acknowledged record is there, byte
// for byte, in order, across WAL_KILLS (default 20) kills of the same log.
func TestCrashSIGKILL(t *testing.T) {
	if dir := os.Getenv(killChildEnv); dir != "" {
		killChild(dir, false)
		return
	}
	testKills(t, "TestCrashSIGKILL", 20)
}

// TestCrashSIGKILLBuffered is TestCrashSIGKILL with a buffered log
// (SyncNever, Options.BufferSize): the child prints a record only once a
// Sync after its Append has returned, since later ones are in the
// documented loss window; those must all survive, and the log must still
// be a gap-free prefix of what was appended.
func TestCrashSIGKILLBuffered(t *testing.T) {
	if dir := os.Getenv(killChildEnv); dir != "" {
		killChild(dir, true)
		return
	}
	testKills(t, "TestCrashSIGKILLBuffered", 10)
}

// testKills runs WAL_KILLS (default defKills) kills of the child test name.
func testKills(t *testing.T, name string, defKills int) {
	dir := t.TempDir()
	kills := envInt("WAL_KILLS", defKills)
	rng := rand.New(rand.NewPCG(uint64(envInt("WAL_KILL_SEED", 1)), 7))
	acked := map[uint64]string{}
	torn := 0
	for run := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^"+name+"$")
		cmd.Env = append(os.Environ(), killChildEnv+"="+dir, "WAL_KILL_RUN="+strconv.Itoa(run))
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			defer close(lines)
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
		}()
		if l := <-lines; l != "ready" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("run %d: child said %q; want ready", run, l)
		}
		// Let it append for a random while, then kill it mid-flight.
		time.Sleep(time.Duration(5+rng.IntN(60)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		n := 0
		for l := range lines { // a line is only complete if Append returned
			f := strings.Fields(l)
			if len(f) != 3 || f[0] != "ack" {
				continue // a line cut by the kill
			}
			i, err := strconv.ParseUint(f[1], 10, 64)
			if err != nil {
				t.Fatalf("run %d: bad line %q", run, l)
			}
			if prev, ok := acked[i]; ok && prev != f[2] {
				t.Fatalf("run %d: index %d acknowledged twice: %q and %q", run, i, prev, f[2])
			}
			acked[i] = f[2]
			n++
		}
		cmd.Wait()

		l, err := Open(dir, nil)
		if err != nil {
			t.Fatalf("run %d: Open after SIGKILL: %v", run, err)
		}
		if l.Recovery().TornSegment != "" {
			torn++
		}
		for i, want := range acked {
			got, err := l.Read(i)
			if err != nil || string(got) != want {
				l.Close()
				t.Fatalf("run %d: acknowledged record %d: Read = %q, %v; want %q", run, i, got, err, want)
			}
		}
		// In order: the reader sees indexes 1..last with no gap.
		r := l.NewReader(1)
		for want := uint64(1); ; want++ {
			i, _, err := r.Next()
			if err != nil {
				if want != l.LastIndex()+1 {
					t.Fatalf("run %d: reader stopped at %d: %v; last is %d", run, want, err, l.LastIndex())
				}
				break
			}
			if i != want {
				t.Fatalf("run %d: reader returned %d; want %d", run, i, want)
			}
		}
		last := l.LastIndex()
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("run %d: %d acknowledged this run, %d in all, log ends at %d", run, n, len(acked), last)
	}
	if len(acked) == 0 {
		t.Fatal("no record was ever acknowledged")
	}
	l, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	i, err := l.Append([]byte("final"))
	if err != nil || i != l.LastIndex() {
		t.Fatalf("final Append = %d, %v", i, err)
	}
	t.Logf("%d kills, %d records acknowledged, %d recoveries cut a torn tail", kills, len(acked), torn)
}

// killChild appends until it is killed (or 20 s pass). With buffered, the
// log buffers appends and each goroutine syncs after every third, printing
// its records only then.
func killChild(dir string, buffered bool) {
	run := os.Getenv("WAL_KILL_RUN")
	opts := &Options{SegmentSize: 32 << 10}
	if buffered {
		opts.Sync, opts.BufferSize = SyncNever, 4<<10
	}
	l, err := Open(dir, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(2)
	}
	var mu sync.Mutex
	os.Stdout.WriteString("ready\n")
	deadline := time.Now().Add(20 * time.Second)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			var unsynced []string
			for k := 0; time.Now().Before(deadline); k++ {
				payload := fmt.Sprintf("r%s-w%d-k%d-%s", run, w, k, bytes.Repeat([]byte{'a' + byte(w)}, rng.IntN(3000)))
				var i uint64
				var err error
				if k%4 == 3 {
					i, err = l.AppendBatch([][]byte{[]byte(payload)})
				} else {
					i, err = l.Append([]byte(payload))
				}
				if err != nil {
					fmt.Fprintln(os.Stderr, "child append:", err)
					os.Exit(2)
				}
				unsynced = append(unsynced, "ack "+strconv.FormatUint(i, 10)+" "+payload+"\n")
				if buffered && k%3 != 2 {
					continue
				}
				if buffered {
					if err := l.Sync(); err != nil {
						fmt.Fprintln(os.Stderr, "child sync:", err)
						os.Exit(2)
					}
				}
				mu.Lock()
				for _, line := range unsynced {
					os.Stdout.WriteString(line)
				}
				mu.Unlock()
				unsynced = unsynced[:0]
			}
		}()
	}
	wg.Wait()
	os.Exit(0)
}
