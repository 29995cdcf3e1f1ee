// Package rig runs the example app (examples/minimal) and redis-server as real processes
// on free loopback ports, and drives the app over HTTP as a browser with a software
// authenticator would, for the load command (e2e/load) and the fault tests (e2e/faults).
package rig

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/chirpkit/passkeys/internal/modroot"
	"github.com/chirpkit/passkeys/internal/redistest"
)

// Origin is the one public origin both instances are configured for, as behind a load
// balancer: clients reach the instances at their own ports, and the software
// authenticator signs for this origin.
const Origin = "http://localhost"

// BuildExample compiles examples/minimal with go build into dir and returns the binary's
// path.
func BuildExample(ctx context.Context, dir string) (string, error) {
	root, err := modroot.Find()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "minimal")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./minimal")
	cmd.Dir = filepath.Join(root, "examples")
	cmd.Env = append(os.Environ(), "GOWORK=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./minimal (in %s): %v\n%s", cmd.Dir, err, b)
	}
	return out, nil
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// tail keeps the last lines a process wrote, for error messages.
type tail struct {
	mu    sync.Mutex
	lines []string
}

func (t *tail) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.lines) == 40 {
		t.lines = t.lines[1:]
	}
	t.lines = append(t.lines, line)
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}

// Redis is a redis-server process.
type Redis struct {
	Addr       string
	port       int
	dir        string
	persistent bool
	cmd        *exec.Cmd
	done       chan struct{}
	out        *tail
}

// StartRedis runs redis-server on a free loopback port with its files in dir. With
// persistent, every write is appended and fsynced to an AOF file before Redis answers
// (appendfsync always), so a killed and restarted server still holds every key it
// acknowledged; without, it keeps nothing across a restart.
func StartRedis(dir string, persistent bool) (*Redis, error) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		return nil, errors.New("redis-server not found: run bash scripts/test-deps (Debian: apt-get install redis-server)")
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	r := &Redis{Addr: fmt.Sprintf("127.0.0.1:%d", port), port: port, dir: dir, persistent: persistent}
	return r, r.Start()
}

// URL is the redis:// URL of the server.
func (r *Redis) URL() string { return "redis://" + r.Addr + "/0" }

// Start starts the server (again, after Kill) on its port and waits until it answers PING.
func (r *Redis) Start() error {
	args := []string{"--port", fmt.Sprint(r.port), "--bind", "127.0.0.1", "--save", "", "--dir", r.dir,
		"--daemonize", "no", "--loglevel", "warning"}
	if r.persistent {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	} else {
		args = append(args, "--appendonly", "no")
	}
	r.out = &tail{}
	r.cmd = exec.Command("redis-server", args...)
	r.done = make(chan struct{})
	if err := startLogged(r.cmd, r.out, r.done, nil); err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for !Ping(r.Addr) {
		select {
		case <-r.done:
			return fmt.Errorf("redis-server exited: %s", r.out)
		default:
		}
		if time.Now().After(deadline) {
			r.Kill()
			return fmt.Errorf("redis-server did not answer on %s: %s", r.Addr, r.out)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// Pid is the process ID of the running server.
func (r *Redis) Pid() int { return r.cmd.Process.Pid }

// Kill stops the server with SIGKILL and waits for it to exit.
func (r *Redis) Kill() {
	if r.cmd != nil {
		_ = r.cmd.Process.Signal(syscall.SIGKILL) // also ends a frozen server
		<-r.done
		r.cmd = nil
	}
}

// Freeze stops the server with SIGSTOP: it keeps its connections and its port but
// answers nothing, as a Redis stuck in a long command or on a dead host does. Thaw
// resumes it.
func (r *Redis) Freeze() error { return r.cmd.Process.Signal(syscall.SIGSTOP) }

// Thaw resumes a frozen server (SIGCONT).
func (r *Redis) Thaw() error { return r.cmd.Process.Signal(syscall.SIGCONT) }

// Ping reports whether a Redis answers PING at addr.
func Ping(addr string) bool { return redistest.Ping(addr) }

// App is a running instance of the example app.
type App struct {
	// Base is http://127.0.0.1:PORT, where this instance listens.
	Base string
	cmd  *exec.Cmd
	done chan struct{}
	out  *tail
}

// AppOptions configures StartApp.
type AppOptions struct {
	DB       string   // SQLite file (shared by instances that should share users)
	RedisURL string   // "" for the in-memory ceremony store
	Args     []string // more flags, such as -client-limit off
}

// StartApp runs the example binary on a free loopback port, configured for Origin, and
// waits until it serves.
func StartApp(bin string, o AppOptions) (*App, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	args := []string{"-addr", fmt.Sprintf("127.0.0.1:%d", port), "-db", o.DB}
	if o.RedisURL != "" {
		args = append(args, "-redis", o.RedisURL)
	}
	args = append(args, o.Args...)
	a := &App{Base: fmt.Sprintf("http://127.0.0.1:%d", port), out: &tail{}, done: make(chan struct{})}
	a.cmd = exec.Command(bin, args...)
	a.cmd.Env = append(os.Environ(), "PASSKEY_ORIGIN="+Origin, "PASSKEY_RP_ID=localhost")
	ready := make(chan struct{})
	var once sync.Once
	if err := startLogged(a.cmd, a.out, a.done, func(line string) {
		if strings.Contains(line, "passkeys demo") {
			once.Do(func() { close(ready) })
		}
	}); err != nil {
		return nil, err
	}
	select {
	case <-ready:
	case <-a.done:
		return nil, fmt.Errorf("example app exited before serving:\n%s", a.out)
	case <-time.After(30 * time.Second):
		a.Kill()
		return nil, fmt.Errorf("example app did not start in 30 s:\n%s", a.out)
	}
	// The log line comes right before Serve; wait for the listener to accept.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", strings.TrimPrefix(a.Base, "http://"), time.Second)
		if err == nil {
			c.Close()
			return a, nil
		}
		if time.Now().After(deadline) {
			a.Kill()
			return nil, fmt.Errorf("example app does not accept on %s: %v", a.Base, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Pid is the process ID of the running instance.
func (a *App) Pid() int { return a.cmd.Process.Pid }

// Kill stops the instance with SIGKILL (no graceful shutdown) and waits for it to exit.
func (a *App) Kill() {
	if a.cmd != nil {
		_ = a.cmd.Process.Signal(syscall.SIGKILL)
		<-a.done
		a.cmd = nil
	}
}

// Stop stops the instance with SIGTERM (graceful shutdown), SIGKILL after 10 s.
func (a *App) Stop() {
	if a.cmd == nil {
		return
	}
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.done:
	case <-time.After(10 * time.Second):
		_ = a.cmd.Process.Signal(syscall.SIGKILL)
		<-a.done
	}
	a.cmd = nil
}

// Log returns the last lines the instance wrote.
func (a *App) Log() string { return a.out.String() }

// startLogged starts cmd with its stdout and stderr read line by line into out (and
// passed to each, if not nil); done is closed when the process has exited.
func startLogged(cmd *exec.Cmd, out *tail, done chan struct{}, each func(string)) error {
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() {
		err := cmd.Wait()
		pw.CloseWithError(err)
	}()
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			out.add(line)
			if each != nil {
				each(line)
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	return nil
}

// trim shortens b for error messages.
func trim(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
