package e2e

// Issue 12, the bridge's side: the WebAuthn signals reach Chromium's virtual
// authenticator. The tests run a small app of their own (signalApp): server.Routes on
// an http.ServeMux, users chosen by a cookie, passkeys in a map that the test can delete
// from, and the bridge in a plain script tag.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/chirpkit/passkeys/bridge"
	"github.com/chirpkit/passkeys/e2e/virtualauth"
	"github.com/chirpkit/passkeys/internal/testapp"
	"github.com/chirpkit/passkeys/server"
	"github.com/chromedp/cdproto/webauthn"
)

// signalApp is the test app: users "ada" and "bob", signed in by the cookie user=NAME.
type signalApp struct {
	URL    string
	Server *server.Server
	Creds  *testapp.Credentials
	Users  map[string]*server.User
}

const signalPage = `<!doctype html>
<html><head><meta charset="utf-8"><title>signals</title><script src="/chirp-passkeys.js"></script></head>
<body><h1>signals</h1></body></html>`

// startSignalApp runs the app on a loopback port as http://localhost:PORT.
func startSignalApp(t *testing.T) *signalApp {
	t.Helper()
	a := &signalApp{Creds: testapp.NewCredentials(), Users: map[string]*server.User{}}
	for i, name := range []string{"ada", "bob"} {
		a.Users[name] = &server.User{ID: []byte(fmt.Sprintf("user-%d-%s", i, name)), Name: name + "@example.com", DisplayName: name}
	}
	current := func(r *http.Request) *server.User {
		c, err := r.Cookie("user")
		if err != nil {
			return nil
		}
		return a.Users[c.Value]
	}
	mux := http.NewServeMux()
	srv := virtualauth.NewServer(t, mux)
	a.URL = srv.URL
	s, err := server.New(server.Config{RPID: "localhost", Origins: []string{srv.URL},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	a.Server = s
	routes := &server.Routes{
		Server:      s,
		Credentials: a.Creds,
		CurrentUser: func(r *http.Request) (*server.User, error) { return current(r), nil },
		Login: func(w http.ResponseWriter, r *http.Request, userID []byte) (string, error) {
			return "", nil
		},
	}
	routes.Mount(mux)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, signalPage)
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET /chirp-passkeys.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		w.Write(bridge.Script())
	})
	// The signals' JSON for the signed-in user, as an account page would send it.
	mux.HandleFunc("GET /signals", func(w http.ResponseWriter, r *http.Request) {
		u := current(r)
		if u == nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		ids, _ := a.Creds.CredentialIDs(r.Context(), u.ID)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"accepted": s.AcceptedCredentials(u.ID, ids), "user": s.CurrentUserDetails(*u)})
	})
	return a
}

// signalTab opens a tab with a virtual authenticator (opts) on the app's page.
func signalTab(t *testing.T, a *signalApp, opts virtualauth.AuthenticatorOptions) (context.Context, *virtualauth.Authenticator) {
	t.Helper()
	tab := virtualauth.Tab(t)
	auth, err := virtualauth.AddAuthenticator(tab, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := virtualauth.Navigate(tab, a.URL+"/"); err != nil {
		t.Fatal(err)
	}
	waitLoadedWith(t, tab, "h1")
	return tab, auth
}

// signInAs sets the cookie that makes the app's current user name.
func signInAs(t *testing.T, tab context.Context, name string) {
	t.Helper()
	if err := virtualauth.Eval(tab, `document.cookie = "user=`+name+`; path=/"`, nil); err != nil {
		t.Fatal(err)
	}
}

// registerPasskey registers a passkey for the signed-in user and returns its raw ID.
func registerPasskey(t *testing.T, tab context.Context, auth *virtualauth.Authenticator, user []byte) []byte {
	t.Helper()
	if _, perr := outcome(t, tab, registerWith); perr != nil {
		t.Fatalf("registration: %+v", perr)
	}
	for _, c := range authCreds(t, tab, auth) {
		if bytes.Equal(c.UserHandle, user) {
			return c.CredentialID
		}
	}
	t.Fatalf("the authenticator holds no credential of user %q", user)
	return nil
}

func authCreds(t *testing.T, tab context.Context, auth *virtualauth.Authenticator) []*webauthn.Credential {
	t.Helper()
	creds, err := auth.Credentials(tab)
	if err != nil {
		t.Fatal(err)
	}
	return creds
}

// holds reports whether the authenticator holds the credential id.
func holds(t *testing.T, tab context.Context, auth *virtualauth.Authenticator, id []byte) bool {
	t.Helper()
	for _, c := range authCreds(t, tab, auth) {
		if bytes.Equal(c.CredentialID, id) {
			return true
		}
	}
	return false
}

// TestSignalAcceptedDropsDeletedPasskey: a passkey deleted on the server goes from the
// authenticator once the page passes the server's AcceptedCredentials to signalAccepted;
// the other user's passkey and a passkey still accepted stay.
func TestSignalAcceptedDropsDeletedPasskey(t *testing.T) {
	t.Parallel()
	a := startSignalApp(t)
	tab, auth := signalTab(t, a, virtualauth.AuthenticatorOptions{})
	signInAs(t, tab, "bob")
	bobs := registerPasskey(t, tab, auth, a.Users["bob"].ID)
	signInAs(t, tab, "ada")
	adas := registerPasskey(t, tab, auth, a.Users["ada"].ID)

	// Still accepted: signalling changes nothing.
	if _, perr := outcome(t, tab, `fetch("/signals").then(r => r.json()).then(j => window.chirp.passkeys.signalAccepted(j.accepted))`); perr != nil {
		t.Fatalf("signalAccepted: %+v", perr)
	}
	if !holds(t, tab, auth, adas) || !holds(t, tab, auth, bobs) {
		t.Fatal("a passkey the server accepts was dropped")
	}

	a.Creds.Delete(adas)
	var accepted map[string]any
	evalJS(t, tab, `const j = await (await fetch("/signals")).json(); await window.chirp.passkeys.signalAccepted(j.accepted); return j.accepted;`, &accepted)
	if ids, _ := accepted["allAcceptedCredentialIds"].([]any); ids == nil || len(ids) != 0 || accepted["rpId"] != "localhost" {
		t.Fatalf("the server's signal: %v, want rpId localhost and an empty list", accepted)
	}
	if holds(t, tab, auth, adas) {
		t.Fatal("the authenticator still holds the passkey deleted on the server")
	}
	if !holds(t, tab, auth, bobs) {
		t.Fatal("the other user's passkey was dropped")
	}
}

// TestSignalUserRenames: signalUser with the server's CurrentUserDetails is accepted by
// Chromium (the virtual authenticator does not expose the stored names, so the test
// checks that the call resolves and leaves the credential in place).
func TestSignalUserRenames(t *testing.T) {
	t.Parallel()
	a := startSignalApp(t)
	tab, auth := signalTab(t, a, virtualauth.AuthenticatorOptions{})
	signInAs(t, tab, "ada")
	id := registerPasskey(t, tab, auth, a.Users["ada"].ID)
	if _, perr := outcome(t, tab, `fetch("/signals").then(r => r.json()).then(j => window.chirp.passkeys.signalUser(j.user))`); perr != nil {
		t.Fatalf("signalUser: %+v", perr)
	}
	if !holds(t, tab, auth, id) {
		t.Fatal("signalUser dropped the passkey")
	}
}

// TestSignalRefusedByChromium: a signal for another rp ID is refused by the browser:
// misconfigured / signal_refused.
func TestSignalRefusedByChromium(t *testing.T) {
	t.Parallel()
	a := startSignalApp(t)
	tab, _ := signalTab(t, a, virtualauth.AuthenticatorOptions{})
	_, perr := outcome(t, tab, `window.chirp.passkeys.signalAccepted({rpId: "example.com", userId: "AQ", allAcceptedCredentialIds: []})`)
	expectPasskeyError(t, perr, "misconfigured", "signal_refused")
	if perr.Ceremony != "signal" {
		t.Fatalf("ceremony %q, want signal", perr.Ceremony)
	}
}

// TestUnknownCredentialSignalled: signing in with a passkey the server no longer has is
// refused with unknown_credential, and the authenticator drops that passkey; with
// signalUnknown: false it keeps it.
func TestUnknownCredentialSignalled(t *testing.T) {
	t.Parallel()
	a := startSignalApp(t)
	tab, auth := signalTab(t, a, virtualauth.AuthenticatorOptions{})
	signInAs(t, tab, "ada")
	id := registerPasskey(t, tab, auth, a.Users["ada"].ID)
	if _, perr := outcome(t, tab, authenticateWith); perr != nil {
		t.Fatalf("sign-in with a known passkey: %+v", perr)
	}
	a.Creds.Delete(id)

	_, perr := outcome(t, tab, authenticateWithJS(`signalUnknown: false`))
	expectPasskeyError(t, perr, "failed", "server_rejected")
	if perr.ServerCode != "unknown_credential" {
		t.Fatalf("serverCode %q, want unknown_credential", perr.ServerCode)
	}
	if !holds(t, tab, auth, id) {
		t.Fatal("signalUnknown: false, yet the passkey was dropped")
	}

	_, perr = outcome(t, tab, authenticateWith)
	expectPasskeyError(t, perr, "failed", "server_rejected")
	if perr.ServerCode != "unknown_credential" || perr.Ceremony != "authenticate" {
		t.Fatalf("got %+v, want serverCode unknown_credential", perr)
	}
	if holds(t, tab, auth, id) {
		t.Fatal("the authenticator still holds the passkey the server does not know")
	}
}
