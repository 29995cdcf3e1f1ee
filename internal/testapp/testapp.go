// Package testapp is a small passkey app for tests of the stores and adapters that live
// in modules of their own: server.Routes over an in-memory credential table, one user
// signed in, and a browser (an http.Client with a cookie jar) driving a software
// authenticator through whole ceremonies.
package testapp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"sync"

	"github.com/chirpkit/passkeys/internal/softauth"
	"github.com/chirpkit/passkeys/server"
)

// Origin is the origin the app is configured for; Config uses it.
const Origin = "http://localhost"

// User is the user signed in for registration.
var User = server.User{ID: []byte("testapp-user-0001"), Name: "ada"}

// Config returns a server configuration for Origin with store (nil: the memory store)
// and a silent logger. Its per-client limit is off: every request of a test comes from
// one loopback address, and benchmarks begin thousands of ceremonies.
func Config(store server.CeremonyStore) server.Config {
	return server.Config{RPID: "localhost", Origins: []string{Origin}, Store: store,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ClientLimit: server.ClientLimit{Off: true}}
}

// Credentials is a server.CredentialStore in a map, as an app's table would be.
type Credentials struct {
	mu   sync.Mutex
	rows map[string]server.RegisteredCredential
}

// NewCredentials returns an empty table.
func NewCredentials() *Credentials {
	return &Credentials{rows: map[string]server.RegisteredCredential{}}
}

// AddCredential implements server.CredentialStore: an ID already stored is refused.
func (m *Credentials) AddCredential(_ context.Context, userID []byte, c *server.RegisteredCredential) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.rows[string(c.ID)]; ok {
		return server.ErrCredentialExists
	}
	m.rows[string(c.ID)] = *c
	return nil
}

// GetCredential implements server.CredentialStore.
func (m *Credentials) GetCredential(_ context.Context, id []byte) (server.StoredCredential, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.rows[string(id)]; ok {
		return &c, nil
	}
	return nil, server.ErrUnknownCredential
}

// UpdateCredential implements server.CredentialStore: a compare-and-set of the sign count.
func (m *Credentials) UpdateCredential(_ context.Context, a *server.AuthenticatedCredential) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.rows[string(a.CredentialID)]
	if !ok {
		return server.ErrUnknownCredential
	}
	if c.SignCount != a.PreviousSignCount {
		return server.ErrSignCountChanged
	}
	c.SignCount = a.SignCount
	m.rows[string(a.CredentialID)] = c
	return nil
}

// CredentialIDs implements server.CredentialStore.
func (m *Credentials) CredentialIDs(_ context.Context, userID []byte) ([][]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ids [][]byte
	for _, c := range m.rows {
		if bytes.Equal(c.UserID, userID) {
			ids = append(ids, c.ID)
		}
	}
	return ids, nil
}

// Delete removes a credential, as an account page's "delete" button would.
func (m *Credentials) Delete(id []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.rows, string(id))
}

// Len returns the number of credentials.
func (m *Credentials) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.rows)
}

// Routes returns the ready routes on s and creds, with User always signed in.
func Routes(s *server.Server, creds *Credentials) *server.Routes {
	return &server.Routes{
		Server:      s,
		Credentials: creds,
		CurrentUser: func(*http.Request) (*server.User, error) { u := User; return &u, nil },
		Login:       func(http.ResponseWriter, *http.Request, []byte) (string, error) { return "/home", nil },
	}
}

// Browser is a client with its own cookies, posting to an app at Base.
type Browser struct {
	Base   string
	Client *http.Client
}

// NewBrowser returns a browser with an empty cookie jar.
func NewBrowser(base string) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{Base: base, Client: &http.Client{Jar: jar}}
}

// Post sends body as JSON, with the Origin header a browser sends, and returns the
// status and the body of the answer.
func (b *Browser) Post(path string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, b.Base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := b.Client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// Begin posts to a begin route and returns the options, failing on anything but 200.
func (b *Browser) Begin(path string) ([]byte, error) {
	st, body, err := b.Post(path, []byte("{}"))
	if err != nil {
		return nil, err
	}
	if st != http.StatusOK {
		return nil, fmt.Errorf("%s: %d %s", path, st, body)
	}
	return body, nil
}

// Register runs a whole registration at the routes under prefix (e.g. "/auth/passkey").
func (b *Browser) Register(prefix string, a *softauth.Authenticator) (*softauth.Credential, error) {
	opts, err := b.Begin(prefix + "/register/begin")
	if err != nil {
		return nil, err
	}
	resp, cred, err := a.Create(opts, Origin, softauth.Tamper{})
	if err != nil {
		return nil, err
	}
	if st, body, err := b.Post(prefix+"/register/finish", resp); err != nil || st != http.StatusOK {
		return nil, fmt.Errorf("register finish: %d %s %v", st, body, err)
	}
	return cred, nil
}

// Code returns the "code" of an error answer.
func Code(body []byte) string {
	var e struct{ Code string }
	_ = json.Unmarshal(body, &e)
	return e.Code
}
