package passkeytest_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/injector"
	"github.com/chirpkit/passkeys/server"
)

// smallApp is a small in-memory app on server.Routes, like examples/internal/memapp:
// accounts are names (no passwords), a session cookie signs a browser in, one page
// greets the user, and the routes are protected by http.CrossOriginProtection alone (no
// CSRF token). Its flaw, if any, is set by broken.
type smallApp struct {
	mu       sync.Mutex
	users    map[string]*server.User // by name
	sessions map[string]*server.User // by session token
	creds    map[string]server.RegisteredCredential
}

// flaw makes a small app broken on purpose.
type flaw int

const (
	noFlaw flaw = iota
	// acceptsReplay keeps every ceremony after its finish (a store whose Take does not
	// delete) and keeps its binding cookie: the same finish body works again.
	acceptsReplay
	// ignoresSignCount lets a sign-in through when the counter went back
	// (SignCountFlag, and the flag is never looked at).
	ignoresSignCount
	// anyBrowserFinishes remembers each ceremony's binding cookie by its challenge and
	// puts it into a finish that lacks it: the challenge alone names the ceremony.
	anyBrowserFinishes
)

// smallHandler returns a Handler for passkeytest.App running a small app with flaw f.
func smallHandler(f flaw) func(t testing.TB, origin string) http.Handler {
	return func(t testing.TB, origin string) http.Handler {
		a := &smallApp{users: map[string]*server.User{}, sessions: map[string]*server.User{}, creds: map[string]server.RegisteredCredential{}}
		cfg := server.Config{RPID: "localhost", Origins: []string{origin}, ClientLimit: server.ClientLimit{Off: true},
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		switch f {
		case acceptsReplay:
			cfg.Store = &leakyStore{m: map[string][]byte{}}
		case ignoresSignCount:
			cfg.SignCount = server.SignCountFlag
		}
		pk, err := server.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		routes := &server.Routes{Server: pk, Credentials: a, CurrentUser: a.currentUser, Login: a.login, AllowList: a.allowList}
		mux := http.NewServeMux()
		mux.HandleFunc("GET /{$}", a.page)
		mux.HandleFunc("POST /signin", a.signIn)
		var h http.Handler = routes
		switch f {
		case acceptsReplay:
			h = keepCeremonyCookies(h)
		case anyBrowserFinishes:
			h = (&cookieByChallenge{m: map[string]*http.Cookie{}}).wrap(h)
		}
		mux.Handle("/auth/passkey/", h)
		return injector.Middleware(injector.Options{})(mux)
	}
}

const sessionCookie = "small_session"

func (a *smallApp) currentUser(r *http.Request) (*server.User, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sessions[c.Value], nil
}

func (a *smallApp) login(w http.ResponseWriter, r *http.Request, userID []byte) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, u := range a.users {
		if bytes.Equal(u.ID, userID) {
			a.startSession(w, u)
			return "/", nil
		}
	}
	return "", server.ErrUnknownCredential
}

func (a *smallApp) startSession(w http.ResponseWriter, u *server.User) {
	tok := rand.Text()
	a.sessions[tok] = u
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func (a *smallApp) allowList(_ context.Context, name string) ([][]byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.users[name]
	if u == nil {
		return nil, nil
	}
	var ids [][]byte
	for _, c := range a.creds {
		if bytes.Equal(c.UserID, u.ID) {
			ids = append(ids, c.ID)
		}
	}
	return ids, nil
}

var crossOrigin = http.NewCrossOriginProtection()

// signIn (POST name) makes an account of that name and signs the browser in as it.
func (a *smallApp) signIn(w http.ResponseWriter, r *http.Request) {
	if err := crossOrigin.Check(r); err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" {
		http.Error(w, "name?", http.StatusBadRequest)
		return
	}
	u := &server.User{ID: []byte(rand.Text()), Name: name}
	a.mu.Lock()
	a.users[name] = u
	a.startSession(w, u)
	a.mu.Unlock()
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

var pageTmpl = template.Must(template.New("").Parse(`<!doctype html><html><head><title>small</title></head><body>
{{if .}}<p>Signed in as <b>{{.Name}}</b></p>{{else}}<form method="post" action="/signin"><input name="name" id="name"><button>Go</button></form>{{end}}
</body></html>`))

func (a *smallApp) page(w http.ResponseWriter, r *http.Request) {
	u, _ := a.currentUser(r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTmpl.Execute(w, u)
}

// The server.CredentialStore of the app.

func (a *smallApp) AddCredential(_ context.Context, _ []byte, c *server.RegisteredCredential) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.creds[string(c.ID)]; ok {
		return server.ErrCredentialExists
	}
	a.creds[string(c.ID)] = *c
	return nil
}

func (a *smallApp) GetCredential(_ context.Context, id []byte) (server.StoredCredential, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.creds[string(id)]; ok {
		return &c, nil
	}
	return nil, server.ErrUnknownCredential
}

func (a *smallApp) UpdateCredential(_ context.Context, ac *server.AuthenticatedCredential) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.creds[string(ac.CredentialID)]
	if !ok {
		return server.ErrUnknownCredential
	}
	if c.SignCount != ac.PreviousSignCount {
		return server.ErrSignCountChanged
	}
	c.SignCount, c.BackupState = ac.SignCount, ac.BackupState
	a.creds[string(ac.CredentialID)] = c
	return nil
}

func (a *smallApp) CredentialIDs(_ context.Context, userID []byte) ([][]byte, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var ids [][]byte
	for _, c := range a.creds {
		if bytes.Equal(c.UserID, userID) {
			ids = append(ids, c.ID)
		}
	}
	return ids, nil
}

// leakyStore is a CeremonyStore whose Take does not delete: a ceremony can be finished
// again and again (the flaw acceptsReplay).
type leakyStore struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *leakyStore) Put(_ context.Context, key string, value []byte, _ time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
	return nil
}

func (s *leakyStore) Take(_ context.Context, key string) ([]byte, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return v, ok, nil
}

// keepCeremonyCookies drops the finish's deletion of the ceremony's binding cookie (the
// flaw acceptsReplay).
func keepCeremonyCookies(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&cookieFilter{ResponseWriter: w}, r)
	})
}

type cookieFilter struct{ http.ResponseWriter }

func (c *cookieFilter) WriteHeader(code int) {
	c.drop()
	c.ResponseWriter.WriteHeader(code)
}

func (c *cookieFilter) Write(b []byte) (int, error) {
	c.drop()
	return c.ResponseWriter.Write(b)
}

func (c *cookieFilter) drop() {
	h := c.Header()
	var keep []string
	for _, v := range h.Values("Set-Cookie") {
		if !(strings.HasPrefix(v, "chirp-passkeys-") && strings.Contains(v, "Max-Age=0")) {
			keep = append(keep, v)
		}
	}
	h.Del("Set-Cookie")
	for _, v := range keep {
		h.Add("Set-Cookie", v)
	}
}

// cookieByChallenge keeps each begin's binding cookie by its challenge and adds it to a
// finish naming that challenge (the flaw anyBrowserFinishes).
type cookieByChallenge struct {
	mu sync.Mutex
	m  map[string]*http.Cookie
}

func (cc *cookieByChallenge) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/begin") {
			rec := &captureWriter{ResponseWriter: w}
			h.ServeHTTP(rec, r)
			var opts struct {
				Challenge string `json:"challenge"`
			}
			if json.Unmarshal(rec.body.Bytes(), &opts) == nil && opts.Challenge != "" {
				for _, c := range (&http.Response{Header: w.Header()}).Cookies() {
					if strings.HasPrefix(c.Name, "chirp-passkeys-") && c.MaxAge > 0 {
						cc.mu.Lock()
						cc.m[opts.Challenge] = c
						cc.mu.Unlock()
					}
				}
			}
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if ch := challengeOf(body); ch != "" {
			cc.mu.Lock()
			c := cc.m[ch]
			cc.mu.Unlock()
			if c != nil {
				if _, err := r.Cookie(c.Name); err != nil {
					r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
				}
			}
		}
		h.ServeHTTP(w, r)
	})
}

// captureWriter copies the body it writes.
type captureWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (c *captureWriter) Write(b []byte) (int, error) {
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}

// challengeOf returns the challenge that a finish body's clientDataJSON names.
func challengeOf(body []byte) string {
	var cred struct {
		Response struct {
			ClientDataJSON string `json:"clientDataJSON"`
		} `json:"response"`
	}
	if json.Unmarshal(body, &cred) != nil {
		return ""
	}
	raw, err := b64url(cred.Response.ClientDataJSON)
	if err != nil {
		return ""
	}
	var cd struct {
		Challenge string `json:"challenge"`
	}
	if json.Unmarshal(raw, &cd) != nil {
		return ""
	}
	return cd.Challenge
}
