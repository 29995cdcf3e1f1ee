// Package faults tests the example app (examples/minimal, built with go build) as real
// processes under faults: Redis restarted between a begin and its finish, an instance
// killed with SIGKILL between them, and SIGKILL in the middle of SQLite writes. No browser:
// the clients are HTTP clients with a software authenticator (e2e/internal/rig).
package faults

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/e2e/internal/rig"
	"github.com/chirpkit/passkeys/internal/softauth"
	_ "modernc.org/sqlite"
)

// bin is the example app, built once for all tests.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "passkeys-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin, err = rig.BuildExample(context.Background(), dir)
	code := 1
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// deadline bounds every request: an answer that does not come in time is a hang.
const deadline = 5 * time.Second

func startRedis(t *testing.T, persistent bool) *rig.Redis {
	t.Helper()
	r, err := rig.StartRedis(t.TempDir(), persistent)
	if err != nil {
		if os.Getenv("REDIS") == "skip" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	t.Cleanup(r.Kill)
	return r
}

func startApp(t *testing.T, o rig.AppOptions) *rig.App {
	t.Helper()
	// bcrypt at its least cost: the tests need passwords, not their cost (CPU is shared
	// with the browser suite).
	o.Args = append(o.Args, "-bcrypt-cost", "4")
	a, err := rig.StartApp(bin, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log of %s:\n%s", a.Base, a.Log())
		}
		a.Kill()
	})
	return a
}

func newBrowser() *rig.Browser {
	b := rig.NewBrowser(nil)
	b.Timeout = deadline
	return b
}

// signedUp returns a browser signed up on base as name, with one passkey registered.
func signedUp(t *testing.T, base, name string) *rig.Browser {
	t.Helper()
	b := newBrowser()
	if err := b.Signup(base, name, "correct horse battery staple"); err != nil {
		t.Fatal(err)
	}
	if err := b.Register(base, base); err != nil {
		t.Fatal(err)
	}
	return b
}

// pending is a begun ceremony: the browser's answer, ready to post to the finish verb.
type pending struct {
	verb string // "register/finish" or "login/finish"
	body string
	auth *softauth.Authenticator // the authenticator that answered
}

// beginLogin begins a usernameless sign-in on base and signs it.
func beginLogin(t *testing.T, b *rig.Browser, base string) pending {
	t.Helper()
	r, err := b.Verb(base, "login/begin", "{}")
	if err != nil {
		t.Fatal(err)
	}
	body, err := b.Get(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return pending{"login/finish", body, b.Auth}
}

// beginRegister begins a registration on base and answers it with a new authenticator
// (another device of the user).
func beginRegister(t *testing.T, b *rig.Browser, base string) pending {
	t.Helper()
	r, err := b.Verb(base, "register/begin", "{}")
	if err != nil {
		t.Fatal(err)
	}
	auth := softauth.New()
	body, _, err := auth.Create(r.Body, rig.Origin, softauth.Tamper{})
	if err != nil {
		t.Fatal(err)
	}
	return pending{"register/finish", string(body), auth}
}

// finish posts p to base and returns the answer; a transport error (no answer within the
// deadline, a reset connection) fails the test.
func finish(t *testing.T, b *rig.Browser, base string, p pending) rig.Response {
	t.Helper()
	start := time.Now()
	r, err := b.PostJSON(base, "/auth/passkey/"+p.verb, p.body)
	if err != nil {
		t.Fatalf("%s on %s: no answer after %v: %v", p.verb, base, time.Since(start).Round(time.Millisecond), err)
	}
	return r
}

// signInWith signs in on base in a fresh browser with auth, and fails unless it works.
func signInWith(t *testing.T, base string, auth *softauth.Authenticator) {
	t.Helper()
	b := newBrowser()
	b.Auth = auth
	if err := b.Page(base, "/login"); err != nil {
		t.Fatal(err)
	}
	if err := b.Login(base, base); err != nil {
		t.Fatalf("sign-in with the passkey: %v", err)
	}
}

// TestRedisRestartBetweenBeginAndFinish restarts Redis (SIGKILL, then a new redis-server
// on the same port) between a begin and its finish. While Redis is down the finish is
// answered 503 store_unavailable within the deadline, and keeps the ceremony's cookie;
// with a Redis that persists what it acknowledged (AOF, fsync always) the same finish
// succeeds once Redis is back, and so does a ceremony that was only pending during the
// outage. With a Redis that keeps nothing, the restart loses the ceremony: its finish is
// answered challenge_missing (never 500), and a new ceremony works.
func TestRedisRestartBetweenBeginAndFinish(t *testing.T) {
	for _, persistent := range []bool{true, false} {
		t.Run(map[bool]string{true: "aof", false: "no persistence"}[persistent], func(t *testing.T) {
			t.Parallel()
			r := startRedis(t, persistent)
			app := startApp(t, rig.AppOptions{DB: filepath.Join(t.TempDir(), "demo.db"), RedisURL: r.URL()})
			b := signedUp(t, app.Base, "ada")
			login := beginLogin(t, b, app.Base)
			reg := beginRegister(t, b, app.Base)

			r.Kill()
			start := time.Now()
			if got := finish(t, b, app.Base, login); got.Status != http.StatusServiceUnavailable || got.Code() != "store_unavailable" {
				t.Fatalf("login/finish with Redis down: %s, want 503 store_unavailable", got)
			}
			t.Logf("login/finish with Redis down: 503 store_unavailable in %v", time.Since(start).Round(time.Millisecond))
			if err := r.Start(); err != nil {
				t.Fatal(err)
			}

			if !persistent {
				for _, p := range []pending{login, reg} {
					if got := finish(t, b, app.Base, p); got.Status != http.StatusBadRequest || got.Code() != "challenge_missing" {
						t.Fatalf("%s after a restart that lost the ceremony: %s, want 400 challenge_missing", p.verb, got)
					}
				}
				signInWith(t, app.Base, b.Auth)
				return
			}
			if got := finish(t, b, app.Base, login); got.Status != http.StatusOK {
				t.Fatalf("login/finish retried after Redis came back: %s, want 200", got)
			}
			// The sign-in started a new session; the registration's cookie is still there.
			if err := b.Page(app.Base, "/dashboard"); err != nil {
				t.Fatal(err)
			}
			if got := finish(t, b, app.Base, reg); got.Status != http.StatusOK {
				t.Fatalf("register/finish after Redis came back: %s, want 200", got)
			}
			signInWith(t, app.Base, reg.auth)
		})
	}
}

// TestRedisFrozenBetweenBeginAndFinish freezes Redis (SIGSTOP: connections stay open, no
// answers) between a begin and its finish, and wants the finish answered 503
// store_unavailable within the deadline. Before server.Config.StoreTimeout (2 s) the
// finish took 10.0 s and a begin 5.0 s: go-redis's defaults (3 s read timeout, retried).
func TestRedisFrozenBetweenBeginAndFinish(t *testing.T) {
	r := startRedis(t, false)
	app := startApp(t, rig.AppOptions{DB: filepath.Join(t.TempDir(), "demo.db"), RedisURL: r.URL()})
	b := signedUp(t, app.Base, "ada")
	login := beginLogin(t, b, app.Base)
	if err := r.Freeze(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Thaw() }()
	start := time.Now()
	if got := finish(t, b, app.Base, login); got.Status != http.StatusServiceUnavailable || got.Code() != "store_unavailable" {
		t.Fatalf("login/finish with Redis frozen: %s, want 503 store_unavailable", got)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("login/finish with Redis frozen answered after %v, want about 2 s (StoreTimeout)", d)
	}
}

// TestInstanceKilledBetweenBeginAndFinish begins a sign-in and a registration on instance
// A, kills A with SIGKILL, and finishes both on instance B. With Redis as the shared
// ceremony store both succeed, and the new passkey signs in; with each instance's own
// memory store (the control) B knows neither ceremony.
func TestInstanceKilledBetweenBeginAndFinish(t *testing.T) {
	for _, shared := range []bool{true, false} {
		t.Run(map[bool]string{true: "redis", false: "memory store per instance"}[shared], func(t *testing.T) {
			t.Parallel()
			o := rig.AppOptions{DB: filepath.Join(t.TempDir(), "shared.db")}
			if shared {
				o.RedisURL = startRedis(t, false).URL()
			}
			a, b := startApp(t, o), startApp(t, o)
			br := signedUp(t, a.Base, "ada")
			login := beginLogin(t, br, a.Base)
			reg := beginRegister(t, br, a.Base)

			a.Kill()
			if _, err := br.Do(http.MethodGet, a.Base, "/", "", ""); err == nil {
				t.Fatal("instance A still answers after SIGKILL")
			}
			want, wantCode := http.StatusOK, ""
			if !shared {
				want, wantCode = http.StatusBadRequest, "challenge_missing"
			}
			if got := finish(t, br, b.Base, reg); got.Status != want || got.Code() != wantCode {
				t.Fatalf("register/finish on B: %s, want %d %s", got, want, wantCode)
			}
			if got := finish(t, br, b.Base, login); got.Status != want || got.Code() != wantCode {
				t.Fatalf("login/finish on B: %s, want %d %s", got, want, wantCode)
			}
			if shared {
				signInWith(t, b.Base, reg.auth)
			}
		})
	}
}

// TestSQLiteAfterSIGKILLMidWrite signs up users from 16 concurrent clients and signs in
// with passkeys from 4 more (each sign-in updates a sign count and replaces a session
// row), and kills the app with SIGKILL while requests are in flight. Then the database
// file must open cleanly (PRAGMA integrity_check = ok, journal_mode = wal), hold every
// user whose signup was answered 303 before the kill and, for each passkey, a sign count
// no lower than that of its last sign-in answered 200; and the app must start on it again
// and let such a user sign in with the password.
func TestSQLiteAfterSIGKILLMidWrite(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "demo.db")
	// 20 clients of one address begin many sign-ins: the per-client limit is off.
	app := startApp(t, rig.AppOptions{DB: db, Args: []string{"-client-limit", "off"}})

	// Passkey sign-ins write without bcrypt's pause (UPDATE of the sign count, DELETE and
	// INSERT of the session), so that writes are in flight when the kill comes.
	signers := make([]*rig.Browser, 4)
	var setup sync.WaitGroup
	for i := range signers {
		setup.Go(func() { signers[i] = signedUp(t, app.Base, fmt.Sprintf("signer-%d", i)) })
	}
	setup.Wait()
	if t.Failed() {
		return
	}
	acked := make([]uint32, len(signers)) // sign count of each signer's last sign-in answered 200

	var (
		mu        sync.Mutex
		committed []string
		n         atomic.Int64
		wg        sync.WaitGroup
	)
	stop := make(chan struct{})
	for i, b := range signers {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := b.Login(app.Base, app.Base); err != nil {
					if rig.StatusOf(err) != nil {
						t.Errorf("signer %d: %v", i, err)
					}
					return
				}
				acked[i] = b.Auth.Creds[0].SignCount
			}
		})
	}
	for w := range 16 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("user-%d-%d", w, i)
				b := newBrowser()
				if err := b.Page(app.Base, "/signup"); err != nil {
					return // killed
				}
				r, err := b.Do(http.MethodPost, app.Base, "/signup", "application/x-www-form-urlencoded",
					"username="+name+"&password=correct+horse+battery+staple&csrf_token="+b.CSRF)
				if err != nil {
					return // killed before the answer: committed or not, either is right
				}
				if r.Status != http.StatusSeeOther {
					t.Errorf("signup %s: %s", name, r)
					return
				}
				mu.Lock()
				committed = append(committed, name)
				mu.Unlock()
				n.Add(1)
			}
		})
	}
	// Kill once enough signups went through, while the others are in flight. (Each signup
	// runs bcrypt: on a loaded machine 12 take a few seconds.)
	const enough = 12
	for start := time.Now(); n.Load() < enough && time.Since(start) < 40*time.Second; {
		time.Sleep(5 * time.Millisecond)
	}
	app.Kill()
	close(stop)
	wg.Wait()
	if len(committed) < enough {
		t.Fatalf("only %d signups answered before the kill", len(committed))
	}
	if _, err := os.Stat(db + "-wal"); err != nil {
		t.Errorf("no write-ahead log next to the database after the kill: %v", err)
	}

	conn, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var mode, check string
	if err := conn.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode %q (%v), want wal", mode, err)
	}
	if err := conn.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q (%v)", check, err)
	}
	have := map[string]bool{}
	rows, err := conn.Query("SELECT username FROM users")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		have[name] = true
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, name := range committed {
		if !have[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("%d of %d users whose signup was answered 303 are not in the database: %v", len(missing), len(committed), missing)
	}
	signIns := 0
	for i, b := range signers {
		var count uint32
		if err := conn.QueryRow("SELECT sign_count FROM passkeys WHERE credential_id = ?", b.Auth.Creds[0].ID).Scan(&count); err != nil {
			t.Fatalf("signer %d: %v", i, err)
		}
		if count < acked[i] {
			t.Errorf("signer %d: sign count %d in the database, but a sign-in with count %d was answered 200", i, count, acked[i])
		}
		signIns += int(acked[i])
	}
	t.Logf("%d signups and %d passkey sign-ins answered before SIGKILL; %d users in the database", len(committed), signIns, len(have))
	conn.Close()

	again := startApp(t, rig.AppOptions{DB: db})
	b := newBrowser()
	if err := b.Page(again.Base, "/login"); err != nil {
		t.Fatal(err)
	}
	r, err := b.Do(http.MethodPost, again.Base, "/login", "application/x-www-form-urlencoded",
		"username="+committed[len(committed)-1]+"&password=correct+horse+battery+staple&csrf_token="+b.CSRF)
	if err != nil || r.Status != http.StatusSeeOther {
		t.Fatalf("password sign-in after the restart: %v %v", r, err)
	}
}
