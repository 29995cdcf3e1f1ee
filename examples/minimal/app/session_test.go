package app

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestVisitorsWriteNoSessions: requests without a cookie write no session row and get no
// session cookie; a page with a form gets a CSRF cookie (no row), and the token signed
// from it is what a POST needs. (Before: every request without a cookie wrote a row.)
func TestVisitorsWriteNoSessions(t *testing.T) {
	a, _ := newApp(t, nil)
	for _, path := range []string{"/", "/login", "/signup", "/static/app.css", "/nope", "/dashboard"} {
		for _, method := range []string{"GET", "HEAD"} {
			r := newClient(t, a).do(method, path, "", nil, nil)
			if c := cookieNamed(r.Cookies, "demo_session"); c != nil {
				t.Errorf("%s %s set %s", method, path, c)
			}
			csrf := cookieNamed(r.Cookies, "demo_csrf")
			if needs := method == "GET" && (path == "/" || path == "/login" || path == "/signup"); needs != (csrf != nil) {
				t.Errorf("%s %s: CSRF cookie %v", method, path, csrf)
			}
			if csrf != nil && (!csrf.HttpOnly || csrf.MaxAge <= 0 || csrf.Path != "/" || csrf.SameSite != http.SameSiteLaxMode) {
				t.Errorf("%s %s: CSRF cookie %s", method, path, csrf)
			}
		}
	}
	// The visitor's token works for the POSTs a signed-out page makes.
	cl := newClient(t, a)
	cl.page("/login")
	if r := cl.post("/auth/passkey/login/begin", "{}"); r.Code != http.StatusOK {
		t.Errorf("begin with the visitor's token: %d %s", r.Code, r.Body)
	}
	if r := cl.form("/login", url.Values{"username": {"ada"}, "password": {"wrong password"}}); r.Code != http.StatusUnauthorized {
		t.Errorf("sign-in form with the visitor's token: %d", r.Code)
	}
	// Not without its cookie, nor with another browser's cookie.
	other := newClient(t, a)
	other.page("/")
	other.token = cl.token
	if r := other.post("/auth/passkey/login/begin", "{}"); r.Code != http.StatusForbidden {
		t.Errorf("a token with another browser's cookie: %d", r.Code)
	}
	bare := newClient(t, a)
	bare.token = cl.token
	if r := bare.post("/auth/passkey/login/begin", "{}"); r.Code != http.StatusForbidden {
		t.Errorf("a token without a cookie: %d", r.Code)
	}
	if n := count(t, a, "sessions", ""); n != 0 {
		t.Fatalf("%d session rows after visits alone", n)
	}
	// A sign-in writes one, with a cookie whose Max-Age is the session's lifetime.
	cl.signUp("ada", "correct horse")
	if n := count(t, a, "sessions", ""); n != 1 {
		t.Fatalf("%d session rows after a sign-up", n)
	}
}

// TestSessionsExpire: a session ends after SessionIdle without requests and after
// SessionLifetime whatever the activity; sign-ins purge expired rows, a bounded number
// each. (Before: sessions lived for ever, and their cookies had no Max-Age.)
func TestSessionsExpire(t *testing.T) {
	a, clk := newApp(t, nil)
	signedIn := func(cl *client) bool {
		t.Helper()
		r := cl.do("GET", "/dashboard", "", nil, nil)
		return r.Code == http.StatusOK
	}

	t.Run("cookie", func(t *testing.T) {
		cl := newClient(t, a)
		cl.page("/signup")
		r := cl.form("/signup", url.Values{"username": {"cookie"}, "password": {"correct horse"}})
		c := cookieNamed(r.Cookies, "demo_session")
		if c == nil || c.MaxAge != int(a.sessionLifetime/time.Second) || !c.HttpOnly || c.Path != "/" {
			t.Fatalf("session cookie %v, want Max-Age %d", c, int(a.sessionLifetime/time.Second))
		}
	})
	t.Run("idle", func(t *testing.T) {
		cl := newClient(t, a)
		cl.signUp("idle", "correct horse")
		for range 5 { // requests keep it alive past SessionIdle
			clk.advance(a.sessionIdle - 2*time.Minute)
			if !signedIn(cl) {
				t.Fatal("signed out while active")
			}
		}
		clk.advance(a.sessionIdle)
		if signedIn(cl) {
			t.Fatal("still signed in after SessionIdle without requests")
		}
		if n := count(t, a, "sessions", "user_id = (SELECT id FROM users WHERE username = 'idle')"); n != 0 {
			t.Fatalf("%d rows left of the expired session", n)
		}
	})
	t.Run("lifetime", func(t *testing.T) {
		cl := newClient(t, a)
		cl.signUp("life", "correct horse")
		start := clk.now()
		for clk.now().Sub(start) < a.sessionLifetime-a.sessionIdle/2 {
			if !signedIn(cl) {
				t.Fatalf("signed out %v after sign-in", clk.now().Sub(start))
			}
			clk.advance(a.sessionIdle / 2)
		}
		clk.advance(a.sessionIdle / 2)
		if signedIn(cl) {
			t.Fatalf("still signed in %v after sign-in", clk.now().Sub(start))
		}
	})
	t.Run("purge", func(t *testing.T) {
		const n = purgeBatch + purgeBatch/2
		for i := range n {
			cl := newClient(t, a)
			cl.remote = fmt.Sprintf("10.0.%d.%d:1", i/256, i%256)
			cl.signUp(fmt.Sprintf("user%d", i), "correct horse")
		}
		clk.advance(a.sessionLifetime)
		before := count(t, a, "sessions", "")
		newClient(t, a).signUp("fresh1", "correct horse")
		after := count(t, a, "sessions", "")
		if before < n || after != before-purgeBatch+1 {
			t.Fatalf("sessions: %d before a sign-in, %d after; want %d purged", before, after, purgeBatch)
		}
		newClient(t, a).signUp("fresh2", "correct horse")
		if got := count(t, a, "sessions", ""); got != 2 {
			t.Fatalf("%d sessions after the second sign-in, want the 2 live ones", got)
		}
	})
}

// TestCookiesOverHTTPS: over https the cookies are Secure with the __Host- prefix.
func TestCookiesOverHTTPS(t *testing.T) {
	a, _ := newApp(t, func(o *Options) { o.RPID, o.Origins = "example.com", []string{"https://example.com"} })
	cl := newClient(t, a)
	cl.origin = "https://example.com"
	r := cl.page("/signup")
	if c := cookieNamed(r.Cookies, "__Host-demo_csrf"); c == nil || !c.Secure || c.Path != "/" || c.Domain != "" {
		t.Fatalf("CSRF cookie over https: %v (all: %v)", c, r.Cookies)
	}
	r = cl.form("/signup", url.Values{"username": {"ada"}, "password": {"correct horse"}})
	c := cookieNamed(r.Cookies, "__Host-demo_session")
	if r.Code != http.StatusSeeOther || c == nil || !c.Secure || c.Path != "/" || c.MaxAge <= 0 {
		t.Fatalf("sign-up over https: %d, session cookie %v", r.Code, c)
	}
	if r := cl.page("/dashboard"); r.Code != http.StatusOK || !strings.Contains(r.Body, "Welcome, ada") {
		t.Fatalf("dashboard over https: %d", r.Code)
	}
	if r := cl.form("/logout", url.Values{}); r.Code != http.StatusSeeOther {
		t.Fatalf("sign-out: %d %s", r.Code, r.Body)
	}
	if r := cl.do("GET", "/dashboard", "", nil, nil); r.Code != http.StatusSeeOther {
		t.Fatalf("dashboard after sign-out: %d", r.Code)
	}
}

// TestOldSessionsTableIsReplaced: a database made by an earlier version (a sessions row
// per visitor, no last_seen_at) opens: its sessions are dropped, users and passkeys kept.
func TestOldSessionsTableIsReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, password_hash BLOB NOT NULL, webauthn_id BLOB NOT NULL UNIQUE)`,
		`CREATE TABLE sessions (token TEXT PRIMARY KEY, user_id INTEGER REFERENCES users(id) ON DELETE CASCADE, csrf TEXT NOT NULL, created_at INTEGER NOT NULL)`,
		`INSERT INTO users (username, password_hash, webauthn_id) VALUES ('ada', x'00', x'01')`,
		`INSERT INTO sessions VALUES ('t', NULL, 'c', 0)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	a, _ := newApp(t, func(o *Options) { o.DB = path })
	if n := count(t, a, "sessions", ""); n != 0 {
		t.Fatalf("%d old sessions kept", n)
	}
	if n := count(t, a, "users", ""); n != 1 {
		t.Fatalf("%d users", n)
	}
	newClient(t, a).signUp("bob", "correct horse")
	if n := count(t, a, "sessions", ""); n != 1 {
		t.Fatalf("%d sessions after a sign-up", n)
	}
}
