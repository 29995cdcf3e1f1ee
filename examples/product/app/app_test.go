package app

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/internal/softauth"
	"golang.org/x/crypto/bcrypt"
)

// testApp runs the app on an httptest server; the clock is *now.
func testApp(t *testing.T) (*App, string, *time.Time) {
	t.Helper()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	srv := httptest.NewUnstartedServer(nil)
	base := strings.Replace("http://"+srv.Listener.Addr().String(), "127.0.0.1", "localhost", 1)
	a, err := New(Options{DB: filepath.Join(t.TempDir(), "t.db"), RPID: "localhost", Origins: []string{base},
		BcryptCost: bcrypt.MinCost, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(func() { srv.Close(); a.Close() })
	return a, base, &now
}

type client struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func newClient(t *testing.T, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)">`)

// get fetches a page and keeps its CSRF token.
func (c *client) get(path string) (int, string) {
	c.t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfMeta.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return resp.StatusCode, string(b)
}

func (c *client) post(path, ctype, body string) (int, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (c *client) form(path string, v url.Values) (int, []byte) {
	return c.post(path, "application/x-www-form-urlencoded", v.Encode())
}

func (c *client) json(path string, v any) (int, map[string]any) {
	c.t.Helper()
	b, _ := json.Marshal(v)
	st, body := c.post(path, "application/json", string(b))
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	return st, m
}

// register runs a registration with auth through the ready routes.
func (c *client) register(auth *softauth.Authenticator) (int, []byte) {
	c.t.Helper()
	st, opts := c.post("/auth/passkey/register/begin", "application/json", "{}")
	if st != 200 {
		return st, opts
	}
	resp, _, err := auth.Create(opts, c.base, softauth.Tamper{})
	if err != nil {
		c.t.Fatal(err)
	}
	return c.post("/auth/passkey/register/finish", "application/json", string(resp))
}

// signIn runs a passkey sign-in with auth through the ready routes.
func (c *client) signIn(auth *softauth.Authenticator) (int, []byte) {
	c.t.Helper()
	c.get("/login")
	st, opts := c.post("/auth/passkey/login/begin", "application/json", "{}")
	if st != 200 {
		return st, opts
	}
	resp, err := auth.Get(opts, c.base, softauth.Tamper{})
	if err != nil {
		c.t.Fatal(err)
	}
	return c.post("/auth/passkey/login/finish", "application/json", string(resp))
}

// passkeySignUp begins a passkey-only sign-up of name and returns the answer.
func (c *client) passkeySignUp(name string) (int, map[string]any) {
	c.t.Helper()
	c.get("/signup")
	st, body := c.form("/signup/passkey", url.Values{"username": {name}})
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	if st == 200 {
		c.csrf = m["csrf"].(string)
	}
	return st, m
}

// TestPasskeyOnlySignUp: a passkey sign-up makes a pending account, which is not signed
// in until its passkey is stored; then it is, has no password, and can sign in with the
// passkey. Its only passkey cannot be deleted (409 last_credential).
func TestPasskeyOnlySignUp(t *testing.T) {
	_, base, _ := testApp(t)
	c := newClient(t, base)
	if st, m := c.passkeySignUp("ada"); st != 200 {
		t.Fatalf("sign-up: %d %v", st, m)
	}
	if _, body := c.get("/"); strings.Contains(body, "Welcome") {
		t.Fatal("a pending sign-up is signed in")
	}
	if st, _ := c.get("/settings/security"); st != 200 {
		// the redirect to /login was followed
	}
	auth := softauth.New()
	if st, body := c.register(auth); st != 200 {
		t.Fatalf("register: %d %s", st, body)
	}
	if _, body := c.get("/settings/security"); !strings.Contains(body, "No password") || !strings.Contains(body, `class="passkey"`) {
		t.Fatalf("security page:\n%s", body)
	}
	st, list := c.json("/auth/passkey/credentials/list", map[string]any{})
	creds, _ := list["credentials"].([]any)
	if st != 200 || len(creds) != 1 {
		t.Fatalf("list: %d %v", st, list)
	}
	id := creds[0].(map[string]any)["id"].(string)
	if st, m := c.json("/auth/passkey/credentials/delete", map[string]any{"id": id}); st != 409 || m["code"] != "last_credential" {
		t.Fatalf("deleting the only passkey of an account without a password: %d %v", st, m)
	}
	// A password sign-in does not work for it, with any password.
	c2 := newClient(t, base)
	c2.get("/login")
	if st, _ := c2.form("/login", url.Values{"username": {"ada"}, "password": {""}}); st != 401 {
		t.Fatalf("password sign-in of a passkey-only account: %d", st)
	}
	if st, body := c2.signIn(auth); st != 200 || !bytes.Contains(body, []byte(`"redirect":"/"`)) {
		t.Fatalf("passkey sign-in: %d %s", st, body)
	}
	if _, body := c2.get("/"); !strings.Contains(body, "Welcome, ada") {
		t.Fatalf("home after sign-in:\n%s", body)
	}
}

// TestAbandonedSignUp: a cancelled passkey sign-up frees its username at once, an
// abandoned one after pendingFor, and a second try of one browser replaces its first.
func TestAbandonedSignUp(t *testing.T) {
	a, base, now := testApp(t)
	c := newClient(t, base)
	if st, m := c.passkeySignUp("bo"); st != 200 {
		t.Fatalf("%d %v", st, m)
	}
	if st, m := c.passkeySignUp("bo"); st != 200 {
		t.Fatalf("second try of the same browser: %d %v", st, m)
	}
	other := newClient(t, base)
	if st, m := other.passkeySignUp("bo"); st != 409 || m["code"] != "username_taken" {
		t.Fatalf("another browser during a pending sign-up: %d %v", st, m)
	}
	st, body := c.form("/signup/cancel", nil)
	if st != 200 {
		t.Fatalf("cancel: %d %s", st, body)
	}
	if st, m := other.passkeySignUp("bo"); st != 200 {
		t.Fatalf("after the cancel: %d %v", st, m)
	}
	// other abandons it; after pendingFor its username is free.
	*now = now.Add(pendingFor + time.Second)
	third := newClient(t, base)
	if st, m := third.passkeySignUp("bo"); st != 200 {
		t.Fatalf("after pendingFor: %d %v", st, m)
	}
	var n int
	if err := a.db.QueryRow("SELECT count(*) FROM users").Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d users (%v), want 1", n, err)
	}
	// The abandoned browser's session went with its account.
	if st, _ := other.post("/auth/passkey/register/begin", "application/json", "{}"); st != 401 && st != 403 {
		t.Fatalf("register begin of an abandoned sign-up: %d", st)
	}
}

// TestSettingsManagement: rename and delete through the ready routes, for the user's
// own passkeys only; with a password, the last passkey may go; the accepted list for the
// signals follows.
func TestSettingsManagement(t *testing.T) {
	_, base, _ := testApp(t)
	c := newClient(t, base)
	c.get("/signup")
	// The redirect to the home page is followed: that page offers the conditional create.
	if st, body := c.form("/signup", url.Values{"username": {"cy"}, "password": {"correct horse"}}); st != 200 || !bytes.Contains(body, []byte(`data-upgrade="conditional"`)) {
		t.Fatalf("password sign-up: %d, or no conditional upgrade on the next page:\n%s", st, body)
	}
	if _, body := c.get("/"); !strings.Contains(body, `data-upgrade="prompt"`) {
		t.Fatalf("no upgrade prompt on the next visit:\n%s", body)
	}
	for range 2 { // two authenticators: one refuses a second passkey of one account
		if st, body := c.register(softauth.New()); st != 200 {
			t.Fatalf("register: %d %s", st, body)
		}
	}
	if _, body := c.get("/"); strings.Contains(body, "data-upgrade") {
		t.Fatal("upgrade offered to a user with passkeys")
	}
	ids := func() []string {
		st, m := c.json("/auth/passkey/credentials/list", map[string]any{})
		if st != 200 {
			t.Fatalf("list: %d %v", st, m)
		}
		var out []string
		for _, x := range m["credentials"].([]any) {
			out = append(out, x.(map[string]any)["id"].(string))
		}
		return out
	}
	got := ids()
	if len(got) != 2 {
		t.Fatalf("%d passkeys", len(got))
	}
	if st, m := c.json("/auth/passkey/credentials/rename", map[string]any{"id": got[0], "label": "Work laptop"}); st != 200 {
		t.Fatalf("rename: %d %v", st, m)
	}
	if _, body := c.get("/settings/security/passkeys"); !strings.Contains(body, "Work laptop") || strings.Contains(body, "<html") {
		t.Fatalf("list fragment:\n%s", body)
	}
	// Someone else cannot touch them.
	d := newClient(t, base)
	d.get("/signup")
	d.form("/signup", url.Values{"username": {"dee"}, "password": {"correct horse"}})
	d.get("/")
	if st, m := d.json("/auth/passkey/credentials/delete", map[string]any{"id": got[0]}); st != 400 || m["code"] != "unknown_credential" {
		t.Fatalf("another user's delete: %d %v", st, m)
	}
	if st, _ := d.get("/settings/security/passkeys/" + got[0] + "/edit"); st != 404 {
		t.Fatalf("another user's edit form: %d", st)
	}
	for i, id := range got {
		if st, m := c.json("/auth/passkey/credentials/delete", map[string]any{"id": id}); st != 200 {
			t.Fatalf("delete %d (the user has a password): %d %v", i, st, m)
		}
		_, body := c.get("/settings/security/accepted")
		var sig struct {
			Accepted struct {
				RPID string   `json:"rpId"`
				IDs  []string `json:"allAcceptedCredentialIds"`
			} `json:"accepted"`
			Details struct{ Name string } `json:"details"`
		}
		acc := &sig.Accepted
		if err := json.Unmarshal([]byte(body), &sig); err != nil || acc.RPID != "localhost" || acc.IDs == nil || len(acc.IDs) != 1-i || sig.Details.Name == "" {
			t.Fatalf("accepted after delete %d: %s", i, body)
		}
	}
}

// TestDismissUpgrade: "Don't ask again" turns the prompt off for good.
func TestDismissUpgrade(t *testing.T) {
	_, base, _ := testApp(t)
	c := newClient(t, base)
	c.get("/signup")
	c.form("/signup", url.Values{"username": {"eve"}, "password": {"correct horse"}})
	c.get("/")
	if st, _ := c.form("/account/upgrade/dismiss", nil); st != 200 {
		t.Fatalf("dismiss: %d", st)
	}
	c.get("/login")
	c.form("/login", url.Values{"username": {"eve"}, "password": {"correct horse"}})
	if _, body := c.get("/"); strings.Contains(body, "data-upgrade") || !strings.Contains(body, "Welcome, eve") {
		t.Fatalf("home after dismissing and signing in again:\n%s", body)
	}
}

// TestCSP: every page has a strict CSP whose nonce is on each of its scripts (htmx, the
// page's script, the injected bridge), and no inline script or handler.
func TestCSP(t *testing.T) {
	_, base, _ := testApp(t)
	c := newClient(t, base)
	for _, path := range []string{"/", "/login", "/signup"} {
		resp, err := c.http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		csp := resp.Header.Get("Content-Security-Policy")
		m := regexp.MustCompile(`script-src 'nonce-([^']+)';`).FindStringSubmatch(csp)
		if m == nil || strings.Contains(csp, "unsafe") {
			t.Fatalf("%s: CSP %q", path, csp)
		}
		scripts := regexp.MustCompile(`<script[^>]*>`).FindAllString(string(b), -1)
		if len(scripts) != 3 {
			t.Fatalf("%s: scripts %q", path, scripts)
		}
		for _, s := range scripts {
			if !strings.Contains(s, `nonce="`+m[1]+`"`) || !strings.Contains(s, "src=") {
				t.Fatalf("%s: script %s without the nonce %s, or inline", path, s, m[1])
			}
		}
		if regexp.MustCompile(`(?i)\son[a-z]+=`).Match(b) {
			t.Fatalf("%s: an inline handler", path)
		}
	}
}

// TestHTMXCopy: the embedded htmx is the one package.json pins (node_modules, after
// npm ci). A fresh clone builds without npm, from the checked-in copy.
func TestHTMXCopy(t *testing.T) {
	want, err := os.ReadFile("../../../node_modules/htmx.org/dist/htmx.min.js")
	if os.IsNotExist(err) {
		t.Skip("no node_modules/htmx.org: run npm ci at the repository root")
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := staticFS.ReadFile("static/htmx.min.js")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("examples/product/app/static/htmx.min.js differs from node_modules/htmx.org/dist/htmx.min.js: " +
			"cp node_modules/htmx.org/dist/htmx.min.js examples/product/app/static/")
	}
}
