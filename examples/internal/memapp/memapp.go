// Package memapp is the in-memory app that examples/chi and examples/echo share, so that
// each of them shows only its router: users signed in by a cookie (a name, no password),
// their passkeys in a map, and one page with two buttons calling window.chirp.passkeys.
// Everything is lost when the process stops.
package memapp

import (
	"bytes"
	"context"
	"crypto/rand"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/chirpkit/passkeys/server"
)

// SessionCookie names the cookie that signs a browser in.
const SessionCookie = "memapp_session"

// App holds the users, their sessions and their passkeys. Its handlers are plain
// net/http ones, for any router.
type App struct {
	// Credentials is the passkey table, for server.Routes.
	Credentials *Credentials

	title    string
	mu       sync.Mutex
	users    map[string]*server.User // by user handle
	sessions map[string]string       // user handle by session token
}

// New returns an empty app whose page is titled title.
func New(title string) *App {
	return &App{Credentials: NewCredentials(), title: title,
		users: map[string]*server.User{}, sessions: map[string]string{}}
}

// CurrentUser returns the signed-in user, or nil: server.Routes.CurrentUser.
func (a *App) CurrentUser(r *http.Request) (*server.User, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil, nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	u := a.users[a.sessions[c.Value]]
	if u == nil {
		return nil, nil
	}
	cp := *u
	return &cp, nil
}

// Login signs in the user with handle userID on a new session after a passkey sign-in,
// and sends the browser to the page: server.Routes.Login.
func (a *App) Login(w http.ResponseWriter, r *http.Request, userID []byte) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.startSession(w, r, userID)
	return "/", nil
}

// startSession ends the browser's session and starts one for the user. a.mu is held.
func (a *App) startSession(w http.ResponseWriter, r *http.Request, userID []byte) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		delete(a.sessions, c.Value)
	}
	token := rand.Text()
	a.sessions[token] = string(userID)
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
}

// crossOrigin refuses cross-site form posts (the ceremony routes have their own).
var crossOrigin = http.NewCrossOriginProtection()

// SignIn (POST, form field name) makes a new user of that name and signs the browser in
// as it, so that it can add a passkey.
func (a *App) SignIn(w http.ResponseWriter, r *http.Request) {
	if err := crossOrigin.Check(r); err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" || len(name) > 64 || !utf8.ValidString(name) {
		http.Error(w, "Choose a name of 1 to 64 characters.", http.StatusBadRequest)
		return
	}
	u := &server.User{ID: make([]byte, 16), Name: name}
	_, _ = rand.Read(u.ID)
	a.mu.Lock()
	a.users[string(u.ID)] = u
	a.startSession(w, r, u.ID)
	a.mu.Unlock()
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// SignOut (POST) ends the browser's session.
func (a *App) SignOut(w http.ResponseWriter, r *http.Request) {
	if err := crossOrigin.Check(r); err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		a.mu.Lock()
		delete(a.sessions, c.Value)
		a.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// Page (GET /) is the app's one page. It has no script tag of the bridge: the injector
// adds it.
func (a *App) Page(w http.ResponseWriter, r *http.Request) {
	u, _ := a.CurrentUser(r)
	data := struct {
		Title    string
		User     *server.User
		Passkeys int
	}{Title: a.title, User: u}
	if u != nil {
		ids, _ := a.Credentials.CredentialIDs(r.Context(), u.ID)
		data.Passkeys = len(ids)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = page.Execute(w, data)
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Title}}</title></head>
<body>
<h1>{{.Title}}</h1>
{{if .User}}<p>Signed in as <b id="user">{{.User.Name}}</b>, with <span id="passkeys">{{.Passkeys}}</span> passkey(s).</p>
<button id="register" type="button">Add a passkey</button>
<form method="post" action="/signout"><button type="submit">Sign out</button></form>
{{else}}<button id="authenticate" type="button">Sign in with a passkey</button>
<form method="post" action="/signin">New here? <input name="name" placeholder="Your name" required autocomplete="username"> <button type="submit">Sign in without a passkey</button></form>
{{end}}<p id="status" role="status"></p>
<script>
// The bridge's deferred script has run by DOMContentLoaded.
document.addEventListener("DOMContentLoaded", () => {
  const pk = window.chirp.passkeys;
  const status = document.getElementById("status");
  const wire = (id, ceremony) => {
    const button = document.getElementById(id);
    if (!button) return;
    button.addEventListener("click", () => {
      status.textContent = "";
      ceremony().then(
        (res) => location.assign((res && res.redirect) || "/"),
        (err) => { if (err.passkeyReason !== "cancelled") status.textContent = err.message; });
    });
  };
  wire("register", () => pk.registerWith({ begin: "/auth/passkey/register/begin", finish: "/auth/passkey/register/finish" }));
  wire("authenticate", () => pk.authenticateWith({ begin: "/auth/passkey/login/begin", finish: "/auth/passkey/login/finish" }));
});
</script>
</body>
</html>
`))

// Credentials is a server.CredentialStore in a map: the app's passkey table.
type Credentials struct {
	mu   sync.Mutex
	rows map[string]server.RegisteredCredential // by credential ID
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
	c.SignCount, c.BackupState = a.SignCount, a.BackupState
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
