// Package redistest starts a real redis-server for tests, on a free loopback port, with
// no persistence, and stops it when the test ends.
//
// With REDIS_ADDR set (host:port of a Redis without a password), the tests use that Redis
// instead of starting one: a machine that already runs Redis needs no redis-server binary.
// Each test then keeps to a key prefix of its own (Server.Prefix), and a test that needs to
// stop the server (an outage) skips, since it does not own that one.
package redistest

import (
	"bufio"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Server is a running redis-server.
type Server struct {
	// Addr is host:port.
	Addr string
	// Prefix is a key prefix no other test uses ("t", 13 random base32 letters, ":").
	Prefix string
	owned  bool
	port   int
	dir    string
	cmd    *exec.Cmd
}

// Start runs redis-server for t, or uses the Redis at REDIS_ADDR when that is set. Without
// either the test fails with how to install redis-server, unless REDIS=skip is set.
func Start(t testing.TB) *Server {
	t.Helper()
	prefix := "t" + rand.Text()[:13] + ":"
	if addr := os.Getenv("REDIS_ADDR"); addr != "" {
		if !Ping(addr) {
			t.Fatalf("REDIS_ADDR=%s: no Redis answers PING there", addr)
		}
		return &Server{Addr: addr, Prefix: prefix}
	}
	path, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("REDIS") == "skip" {
			t.Skip("redis-server not found and REDIS=skip")
		}
		t.Fatal("redis-server not found: install it (Debian: apt-get install redis-server), set REDIS_ADDR to a running Redis, or set REDIS=skip to skip these tests")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &Server{Addr: fmt.Sprintf("127.0.0.1:%d", port), Prefix: prefix, owned: true, port: port, dir: t.TempDir()}
	s.start(t, path)
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) start(t testing.TB, path string) {
	t.Helper()
	s.cmd = exec.Command(path, "--port", fmt.Sprint(s.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", s.dir, "--daemonize", "no", "--loglevel", "warning")
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if Ping(s.Addr) {
			return
		}
		if time.Now().After(deadline) {
			s.Stop()
			t.Fatalf("redis-server did not answer on %s", s.Addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// RequireOwned skips t when the server is not one this package started (REDIS_ADDR), for
// tests that stop and restart it.
func (s *Server) RequireOwned(t testing.TB) {
	t.Helper()
	if !s.owned {
		t.Skip("REDIS_ADDR is set: this test stops the server, so it needs one of its own")
	}
}

// Stop kills the server and waits for it to exit. It does nothing to a Redis it did not start.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
		s.cmd = nil
	}
}

// Restart starts the server again on the same port (after Stop).
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if !s.owned {
		t.Fatal("redistest: Restart of a Redis this package did not start (call RequireOwned first)")
	}
	path, _ := exec.LookPath("redis-server")
	s.start(t, path)
}

// Ping reports whether a Redis answers PING at addr (host:port), within about a second.
func Ping(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "+PONG")
}
