// Package redistest starts a real redis-server for a test (or, with
// [Launch], for an example program).
//
// Tests of the Redis-backed parts of sysdesign (ratelimit/redisstore, the
// skiplist differential test, snowflake worker leases, leaderboards) talk to a
// real server, never a mock. [Start] launches redis-server on a free loopback
// port with persistence off, waits until it answers PING, and stops it when
// the test ends.
//
// Without a redis-server binary on PATH the test is skipped with a clear
// message, unless the environment variable SYSDESIGN_REQUIRE_REDIS is set to
// 1, in which case it fails: .ci/run sets it after installing redis-server, so
// CI can never pass by skipping.
package redistest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RequireEnv is the environment variable that turns a missing redis-server
// from a skip into a failure.
const RequireEnv = "SYSDESIGN_REQUIRE_REDIS"

// Server is a running redis-server owned by one test.
type Server struct {
	// Addr is the server's host:port on the loopback interface.
	Addr string
	cmd  *exec.Cmd
}

// Start launches a redis-server for t and registers its shutdown with
// t.Cleanup. It skips t when the binary is missing (fails when
// SYSDESIGN_REQUIRE_REDIS=1) and fails t if the server does not come up.
func Start(t testing.TB) *Server {
	t.Helper()
	if !Available() {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("redistest: redis-server not found on PATH and %s=1", RequireEnv)
		}
		t.Skipf("redistest: redis-server not found on PATH; install it (apt-get install redis-server) to run this test")
	}
	s, err := Launch(t.TempDir())
	if err != nil {
		t.Fatalf("redistest: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Available reports whether a redis-server binary is on PATH.
func Available() bool {
	_, err := exec.LookPath("redis-server")
	return err == nil
}

// Launch starts a redis-server on a free loopback port with its working
// files in dir, for programs (the examples) that want a real Redis when one
// is installed. The caller must call Stop.
func Launch(dir string) (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server not found on PATH: %w", err)
	}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		s, err := launch(bin, dir)
		if err == nil {
			return s, nil
		}
		lastErr = err // the port may have been taken between probe and bind; retry
	}
	return nil, lastErr
}

func launch(bin, dir string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cmd := exec.Command(bin,
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", dir,
		"--protected-mode", "no",
	)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start redis-server: %w", err)
	}
	// Drain output so the server never blocks on a full pipe.
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
		}
	}()
	s := &Server{Addr: addr, cmd: cmd}
	if err := s.waitReady(5 * time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// Client returns a go-redis client connected to the server, closed when the
// test ends.
func (s *Server) Client(t testing.TB) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.Addr})
	t.Cleanup(func() { c.Close() })
	return c
}

// Stop kills the server. Tests call it to see what happens when Redis goes
// away; it is safe to call more than once.
func (s *Server) Stop() {
	if s.cmd.Process == nil || s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

func (s *Server) waitReady(timeout time.Duration) error {
	c := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server on %s not ready after %v: %w", s.Addr, timeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
