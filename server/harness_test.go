package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/internal/softauth"
)

const testOrigin = "http://localhost"

// fakeClock is a settable clock for expiry tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// credTable is the app's credential table in memory, the one every test rig keeps: rows
// by credential ID, the lookup FinishAuthentication takes, and the four methods of the
// CredentialStore that Routes takes. Setting fail makes every method fail with it (the
// app's database down).
type credTable struct {
	mu   sync.Mutex
	rows map[string]*RegisteredCredential
	used int // UpdateCredential calls
	fail error
}

func newCredTable() *credTable { return &credTable{rows: map[string]*RegisteredCredential{}} }

// lookup is the table's LookupFunc: a copy of the row, or ErrUnknownCredential.
func (m *credTable) lookup(_ context.Context, id []byte) (StoredCredential, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return nil, m.fail
	}
	if c, ok := m.rows[string(id)]; ok {
		cp := *c
		return &cp, nil
	}
	return nil, ErrUnknownCredential
}

// GetCredential implements CredentialStore with lookup.
func (m *credTable) GetCredential(ctx context.Context, id []byte) (StoredCredential, error) {
	return m.lookup(ctx, id)
}

func (m *credTable) AddCredential(_ context.Context, userID []byte, c *RegisteredCredential) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	if _, ok := m.rows[string(c.ID)]; ok {
		return ErrCredentialExists
	}
	m.rows[string(c.ID)] = c
	return nil
}

// UpdateCredential stores the new sign count, while the row still holds the count that
// was read, and counts the call.
func (m *credTable) UpdateCredential(_ context.Context, a *AuthenticatedCredential) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	c, ok := m.rows[string(a.CredentialID)]
	if !ok {
		return ErrUnknownCredential
	}
	if c.SignCount != a.PreviousSignCount {
		return ErrSignCountChanged
	}
	c.SignCount = a.SignCount
	m.used++
	return nil
}

func (m *credTable) CredentialIDs(_ context.Context, userID []byte) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return nil, m.fail
	}
	var ids [][]byte
	for _, c := range m.rows {
		if bytes.Equal(c.UserID, userID) {
			ids = append(ids, c.ID)
		}
	}
	return ids, nil
}

// ids returns the IDs of every row, whoever's.
func (m *credTable) ids() [][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids [][]byte
	for _, c := range m.rows {
		ids = append(ids, c.ID)
	}
	return ids
}

// row returns the stored row itself (not a copy), or nil.
func (m *credTable) row(id []byte) *RegisteredCredential {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rows[string(id)]
}

func (m *credTable) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.rows)
}

// rig is an app on the verbs over the network: a credential table in memory, four
// routes on an httptest.Server, and the user "alice" signed in for registration.
type rig struct {
	t     *testing.T
	srv   *Server
	http  *httptest.Server
	clock *fakeClock
	creds *credTable
	mu    sync.Mutex
	last  *AuthenticatedCredential
}

var alice = User{ID: []byte("alice-handle-0001"), Name: "alice"}

func newRig(t *testing.T, mutate func(*Config)) *rig {
	t.Helper()
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	// Every request of the rig comes from one address: the per-client limit, which has tests
	// of its own (limit_test.go), is off here.
	cfg := Config{RPID: "localhost", Origins: []string{testOrigin}, Clock: clock.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ClientLimit: ClientLimit{Off: true}}
	if mutate != nil {
		mutate(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	g := &rig{t: t, srv: srv, clock: clock, creds: newCredTable()}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /register/begin", func(w http.ResponseWriter, r *http.Request) {
		_ = srv.BeginRegistration(w, r, alice, RegistrationOptions{ExcludeCredentials: g.creds.ids()})
	})
	mux.HandleFunc("POST /register/finish", func(w http.ResponseWriter, r *http.Request) {
		c, err := srv.FinishRegistration(w, r)
		if err != nil {
			return
		}
		if err := g.creds.AddCredential(r.Context(), c.UserID, c); err != nil {
			WriteError(w, err)
			return
		}
		_ = WriteJSON(w, map[string]bool{"ok": true})
	})
	mux.HandleFunc("POST /login/begin", func(w http.ResponseWriter, r *http.Request) {
		var opts AuthenticationOptions
		if r.URL.Query().Get("allow") != "" {
			opts.AllowCredentials = g.creds.ids()
		}
		_ = srv.BeginAuthentication(w, r, opts)
	})
	mux.HandleFunc("POST /login/finish", func(w http.ResponseWriter, r *http.Request) {
		a, err := srv.FinishAuthentication(w, r, g.creds.lookup)
		if err != nil {
			return
		}
		if err := g.creds.UpdateCredential(r.Context(), a); err != nil {
			WriteError(w, err)
			return
		}
		g.mu.Lock()
		g.last = a
		g.mu.Unlock()
		_ = WriteJSON(w, map[string]bool{"ok": true})
	})
	g.http = httptest.NewServer(mux)
	t.Cleanup(g.http.Close)
	return g
}

// browser is a client with its own cookie jar.
func (g *rig) browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

// post sends body as JSON and returns status and decoded body.
func (g *rig) post(c *http.Client, path string, body []byte) (int, []byte) {
	g.t.Helper()
	req, _ := http.NewRequest("POST", g.http.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (g *rig) begin(c *http.Client, path string) []byte {
	g.t.Helper()
	st, b := g.post(c, path, []byte("{}"))
	if st != 200 {
		g.t.Fatalf("%s: %d %s", path, st, b)
	}
	return b
}

// register runs a whole registration for a and returns the credential.
func (g *rig) register(c *http.Client, a *softauth.Authenticator) *softauth.Credential {
	g.t.Helper()
	resp, cred, err := a.Create(g.begin(c, "/register/begin"), testOrigin, softauth.Tamper{})
	if err != nil {
		g.t.Fatal(err)
	}
	if st, b := g.post(c, "/register/finish", resp); st != 200 {
		g.t.Fatalf("register finish: %d %s", st, b)
	}
	return cred
}

// wantCode checks an error answer's status and code, and that the status is the one
// internal/codes documents for the code.
func wantCode(t *testing.T, st int, body []byte, status int, code string) {
	t.Helper()
	var e struct{ Error, Code string }
	_ = json.Unmarshal(body, &e)
	if st != status || e.Code != code {
		t.Fatalf("got %d %s, want %d code %q", st, body, status, code)
	}
	if ts := tableStatus(code); st != ts {
		t.Fatalf("got %d %s, but internal/codes documents %d for %q", st, body, ts, code)
	}
	if e.Error == "" || strings.Contains(strings.ToLower(e.Error), "devinfo") {
		t.Fatalf("error message %q", e.Error)
	}
}
