package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/chirpkit/passkeys/internal/softauth"
	"github.com/gin-gonic/gin"
)

// memCredentials is a CredentialStore in a map, as an app's table would be.
type memCredentials struct {
	mu    sync.Mutex
	rows  map[string]*RegisteredCredential
	used  int
	users map[string][]byte // username -> handle
}

func (m *memCredentials) AddCredential(_ context.Context, userID []byte, c *RegisteredCredential) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rows[string(c.ID)] = c
	return nil
}

func (m *memCredentials) GetCredential(_ context.Context, id []byte) (StoredCredential, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c, ok := m.rows[string(id)]; ok {
		cp := *c
		return &cp, nil
	}
	return nil, ErrUnknownCredential
}

func (m *memCredentials) UpdateCredential(_ context.Context, a *AuthenticatedCredential) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rows[string(a.CredentialID)].SignCount = a.SignCount
	m.used++
	return nil
}

func (m *memCredentials) CredentialIDs(_ context.Context, userID []byte) ([][]byte, error) {
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

func newRoutes(t *testing.T) (*Routes, *memCredentials) {
	srv, err := New(Config{RPID: "localhost", Origins: []string{testOrigin}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	creds := &memCredentials{rows: map[string]*RegisteredCredential{}, users: map[string][]byte{"alice": alice.ID}}
	return &Routes{
		Server:      srv,
		Credentials: creds,
		CurrentUser: func(r *http.Request) (*User, error) {
			if c, err := r.Cookie("user"); err == nil && c.Value == "alice" {
				return &alice, nil
			}
			return nil, nil
		},
		Login: func(w http.ResponseWriter, r *http.Request, userID []byte) (string, error) {
			if !bytes.Equal(userID, alice.ID) {
				t.Errorf("login of %q", userID)
			}
			http.SetCookie(w, &http.Cookie{Name: "user", Value: "alice", Path: "/"})
			return "/dashboard", nil
		},
		AllowList: func(ctx context.Context, username string) ([][]byte, error) {
			if h, ok := creds.users[username]; ok {
				return creds.CredentialIDs(ctx, h)
			}
			return nil, nil
		},
	}, creds
}

func TestRoutesOnMuxAndGin(t *testing.T) {
	for _, kind := range []string{"mux", "gin"} {
		t.Run(kind, func(t *testing.T) {
			rt, creds := newRoutes(t)
			var h http.Handler
			if kind == "mux" {
				mux := http.NewServeMux()
				rt.Mount(mux)
				h = mux
			} else {
				gin.SetMode(gin.ReleaseMode)
				g := gin.New()
				rt.MountGin(g)
				h = g
			}
			ts := httptest.NewServer(h)
			defer ts.Close()
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar}
			post := func(path string, body []byte, hdr map[string]string) (int, []byte) {
				req, _ := http.NewRequest("POST", ts.URL+"/auth/passkey"+path, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				for k, v := range hdr {
					req.Header.Set(k, v)
				}
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, b
			}
			sameOrigin := map[string]string{"Sec-Fetch-Site": "same-origin"}

			st, body := post("/register/begin", nil, sameOrigin)
			wantCode(t, st, body, 401, CodeLoginRequired)

			jar.SetCookies(mustURL(ts.URL), []*http.Cookie{{Name: "user", Value: "alice"}})
			a := softauth.New()
			st, opts := post("/register/begin", nil, sameOrigin)
			if st != 200 {
				t.Fatalf("register begin %d %s", st, opts)
			}
			resp, _, err := a.Create(opts, testOrigin, softauth.Tamper{})
			if err != nil {
				t.Fatal(err)
			}
			if st, body := post("/register/finish", resp, sameOrigin); st != 200 {
				t.Fatalf("register finish %d %s", st, body)
			}
			if len(creds.rows) != 1 {
				t.Fatalf("%d rows", len(creds.rows))
			}

			// Cross-site requests are refused before any ceremony is begun.
			st, _ = post("/login/begin", nil, map[string]string{"Sec-Fetch-Site": "cross-site"})
			if st != http.StatusForbidden {
				t.Fatalf("cross-site begin: %d, want 403", st)
			}

			jar.SetCookies(mustURL(ts.URL), []*http.Cookie{{Name: "user", Value: "", MaxAge: -1}})
			for _, begin := range [][]byte{nil, []byte(`{"username":"alice"}`)} {
				st, opts = post("/login/begin", begin, sameOrigin)
				if st != 200 || (begin != nil) != bytes.Contains(opts, []byte("allowCredentials")) {
					t.Fatalf("login begin %s: %d %s", begin, st, opts)
				}
				resp, err = a.Get(opts, testOrigin, softauth.Tamper{})
				if err != nil {
					t.Fatal(err)
				}
				st, body = post("/login/finish", resp, sameOrigin)
				if st != 200 || !bytes.Contains(body, []byte(`"redirect":"/dashboard"`)) {
					t.Fatalf("login finish %d %s", st, body)
				}
			}
			if creds.used != 2 {
				t.Fatalf("UpdateCredential called %d times", creds.used)
			}
			st, body = post("/login/begin", []byte(`{"username":"nobody"}`), sameOrigin)
			wantCode(t, st, body, 400, CodeUnknownCredential)
			st, body = post("/login/begin", []byte(`[`), sameOrigin)
			wantCode(t, st, body, 400, CodeBadRequest)
		})
	}
}
