package app

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/internal/softauth"
)

const testOrigin = "http://localhost:8000"

// clock is a settable Options.Clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newApp builds an app on a fresh database in t.TempDir() with a settable clock;
// mutate may change the options first.
func newApp(t *testing.T, mutate func(*Options)) (*App, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)}
	opts := Options{DB: filepath.Join(t.TempDir(), "t.db"), RPID: "localhost", Origins: []string{testOrigin},
		BcryptCost: 4, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Clock: clk.now}
	if mutate != nil {
		mutate(&opts)
	}
	a, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, clk
}

// client is a browser in process: a cookie jar, the page's CSRF token, a peer address.
type client struct {
	t      testing.TB
	h      http.Handler
	origin string
	jar    *cookiejar.Jar
	remote string
	token  string // the CSRF token of the last page read with page()
}

func newClient(t testing.TB, a *App) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, h: a.Handler(), origin: testOrigin, jar: jar, remote: "192.0.2.1:1234"}
}

type reply struct {
	Code    int
	Header  http.Header
	Body    string
	Cookies []*http.Cookie
}

// json decodes the body of a JSON answer.
func (r reply) json() map[string]any {
	var m map[string]any
	_ = json.Unmarshal([]byte(r.Body), &m)
	return m
}

func (cl *client) do(method, path, contentType string, body io.Reader, hdr map[string]string) reply {
	cl.t.Helper()
	req := httptest.NewRequest(method, cl.origin+path, body)
	req.RemoteAddr = cl.remote
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	for _, c := range cl.jar.Cookies(req.URL) {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	cl.h.ServeHTTP(rec, req)
	resp := rec.Result()
	cl.jar.SetCookies(req.URL, resp.Cookies())
	return reply{Code: rec.Code, Header: rec.Header(), Body: rec.Body.String(), Cookies: resp.Cookies()}
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]*)">`)

// page GETs path and keeps its CSRF token.
func (cl *client) page(path string) reply {
	cl.t.Helper()
	r := cl.do("GET", path, "", nil, nil)
	if m := csrfMeta.FindStringSubmatch(r.Body); m != nil {
		cl.token = m[1]
	}
	return r
}

// form posts a form with the CSRF token of the last page.
func (cl *client) form(path string, v url.Values) reply {
	cl.t.Helper()
	v.Set("csrf_token", cl.token)
	return cl.do("POST", path, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()), nil)
}

// post posts JSON with the CSRF token of the last page in X-CSRF-Token.
func (cl *client) post(path, body string) reply {
	cl.t.Helper()
	return cl.do("POST", path, "application/json", strings.NewReader(body), map[string]string{"X-CSRF-Token": cl.token})
}

// signUp makes an account with a password and leaves the client signed in on the dashboard.
func (cl *client) signUp(name, password string) {
	cl.t.Helper()
	cl.page("/signup")
	if r := cl.form("/signup", url.Values{"username": {name}, "password": {password}}); r.Code != http.StatusSeeOther {
		cl.t.Fatalf("sign-up %s: %d %s", name, r.Code, r.Body)
	}
	if r := cl.page("/dashboard"); r.Code != http.StatusOK {
		cl.t.Fatalf("dashboard after sign-up: %d", r.Code)
	}
}

// registerBegin begins a passkey registration for the signed-in user.
func (cl *client) registerBegin() []byte {
	cl.t.Helper()
	r := cl.post("/auth/passkey/register/begin", "{}")
	if r.Code != http.StatusOK {
		cl.t.Fatalf("register/begin: %d %s", r.Code, r.Body)
	}
	return []byte(r.Body)
}

// register adds a passkey made by auth for the signed-in user.
func (cl *client) register(auth *softauth.Authenticator) (*softauth.Credential, []byte) {
	cl.t.Helper()
	resp, cred, err := auth.Create(cl.registerBegin(), cl.origin, softauth.Tamper{})
	if err != nil {
		cl.t.Fatal(err)
	}
	if r := cl.post("/auth/passkey/register/finish", string(resp)); r.Code != http.StatusOK {
		cl.t.Fatalf("register/finish: %d %s", r.Code, r.Body)
	}
	return cred, resp
}

// loginBegin begins a passkey sign-in (body "" for usernameless) from a fresh page.
func (cl *client) loginBegin(body string) reply {
	cl.t.Helper()
	if cl.token == "" {
		cl.page("/login")
	}
	return cl.post("/auth/passkey/login/begin", body)
}

// rechallenge returns a RegistrationResponseJSON made for other options: the same
// credential (ID and key) with the challenge of options. With "none" attestation nothing
// signs the client data, so this is what a client can send for any ceremony.
func rechallenge(t testing.TB, resp, options []byte) []byte {
	t.Helper()
	var r map[string]any
	var o struct{ Challenge string }
	if err := json.Unmarshal(resp, &r); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(options, &o); err != nil {
		t.Fatal(err)
	}
	inner := r["response"].(map[string]any)
	cdj, err := base64.RawURLEncoding.DecodeString(inner["clientDataJSON"].(string))
	if err != nil {
		t.Fatal(err)
	}
	var cd map[string]any
	if err := json.Unmarshal(cdj, &cd); err != nil {
		t.Fatal(err)
	}
	cd["challenge"] = o.Challenge
	cdj, _ = json.Marshal(cd)
	inner["clientDataJSON"] = base64.RawURLEncoding.EncodeToString(cdj)
	out, _ := json.Marshal(r)
	return out
}

// count returns the number of rows of table (optionally WHERE cond).
func count(t testing.TB, a *App, table, cond string, args ...any) int {
	t.Helper()
	q := "SELECT COUNT(*) FROM " + table
	if cond != "" {
		q += " WHERE " + cond
	}
	var n int
	if err := a.db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// cookie returns the cookie named name among cs, or nil.
func cookieNamed(cs []*http.Cookie, name string) *http.Cookie {
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// barrier returns a func that blocks until n callers have called it (or 5 s passed).
func barrier(n int) func() {
	var mu sync.Mutex
	arrived := 0
	all := make(chan struct{})
	return func() {
		mu.Lock()
		if arrived++; arrived == n {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
		case <-time.After(5 * time.Second):
		}
	}
}
