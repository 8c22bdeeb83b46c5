package lsm

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

const crashChildEnv = "LSM_CRASH_CHILD_DIR"

func crashOptions() *Options {
	o := smallOptions()
	o.Sync = true
	o.WALBufferSize = 1 << 10 // Sync writes must flush it: nothing may be lost
	return o
}

func batchSize(i int) int { return 1 + i%7 }

func batchKey(i, j int) []byte { return fmt.Appendf(nil, "b%07d-%d", i, j) }

func batchValue(i, j int) []byte {
	return fmt.Appendf(nil, "value-%d-%d-%s", i, j, strings.Repeat("x", i%50))
}

// TestCrashChild is the child process of TestCrash; it does nothing unless
// started by it.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		return // run directly: nothing to do (the parent test asserts)
	}
	db, err := openSmallManifest(dir, crashOptions())
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	start := 0
	if v, err := db.Get([]byte("next")); err == nil {
		start, _ = strconv.Atoi(string(v))
	}
	w := bufio.NewWriter(os.Stdout)
	for i := start; ; i++ {
		var b Batch
		for j := 0; j < batchSize(i); j++ {
			b.Put(batchKey(i, j), batchValue(i, j))
		}
		if i > 0 {
			b.Delete(batchKey(i-1, 0)) // tombstones in the same batch
		}
		b.Put([]byte("next"), []byte(strconv.Itoa(i+1)))
		if err := db.Apply(&b, nil); err != nil {
			fmt.Fprintln(w, "error", err)
			w.Flush()
			os.Exit(2)
		}
		fmt.Fprintln(w, "ack", i)
		w.Flush()
	}
}

// TestCrash kills a child writing synced batches with SIGKILL at random
// moments, then checks that every acknowledged batch is whole and no
// unacknowledged batch is partly visible. LSM_CRASH_ROUNDS sets the rounds.
func TestCrash(t *testing.T) {
	rounds := 6
	if n, err := strconv.Atoi(os.Getenv("LSM_CRASH_ROUNDS")); err == nil {
		rounds = n
	}
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(42, 7))
	lastAck := -1
	for round := 0; round < rounds; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		killAfter := 50 + r.IntN(400)
		sc := bufio.NewScanner(out)
		acks := 0
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "error") {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("round %d: child: %s", round, line)
			}
			var i int
			if _, err := fmt.Sscanf(line, "ack %d", &i); err != nil {
				continue
			}
			if i != lastAck+1 {
				t.Fatalf("round %d: ack %d after %d", round, i, lastAck)
			}
			lastAck = i
			acks++
			if acks == killAfter {
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				break
			}
		}
		for sc.Scan() {
			// Drain acks written before the kill landed.
			var i int
			if _, err := fmt.Sscanf(sc.Text(), "ack %d", &i); err == nil && i == lastAck+1 {
				lastAck = i
			}
		}
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatalf("round %d: child exited with %v; want killed", round, err)
		}
		lastAck = checkCrashState(t, dir, lastAck, round)
	}
}

func checkCrashState(t *testing.T, dir string, lastAck, round int) (applied int) {
	t.Helper()
	db, err := Open(dir, crashOptions())
	if err != nil {
		t.Fatalf("round %d: reopen: %v", round, err)
	}
	defer db.Close()
	// applied is the last batch in the DB: at least the last acknowledged
	// one, perhaps one more written before the kill.
	applied = -1
	if v, err := db.Get([]byte("next")); err == nil {
		n, _ := strconv.Atoi(string(v))
		applied = n - 1
	}
	if applied < lastAck || applied > lastAck+1 {
		t.Fatalf("round %d: last applied batch %d; acknowledged %d", round, applied, lastAck)
	}
	for i := 0; i <= lastAck+3; i++ {
		present := 0
		for j := 0; j < batchSize(i); j++ {
			v, err := db.Get(batchKey(i, j))
			deletedLater := j == 0 && i < applied
			switch {
			case err == nil:
				if string(v) != string(batchValue(i, j)) {
					t.Fatalf("round %d: batch %d key %d = %q: wrong value", round, i, j, v)
				}
				if deletedLater {
					t.Fatalf("round %d: batch %d key 0 deleted by batch %d is present", round, i, i+1)
				}
				present++
			case errors.Is(err, ErrNotFound):
				if deletedLater {
					present++ // counted as the expected state
				}
			default:
				t.Fatalf("round %d: Get: %v", round, err)
			}
		}
		n := batchSize(i)
		if i <= applied && present != n {
			t.Fatalf("round %d: batch %d (acknowledged up to %d) has %d of %d keys", round, i, lastAck, present, n)
		}
		if i > applied && present != 0 {
			t.Fatalf("round %d: batch %d after the last applied %d has %d of %d keys", round, i, applied, present, n)
		}
	}
	if st := db.Stats(); st.Levels[0].Tables+st.Levels[1].Tables == 0 && round > 0 {
		t.Logf("round %d: no tables yet", round)
	}
	return applied
}
