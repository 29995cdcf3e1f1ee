package virtualauth_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/e2e/virtualauth"
)

func TestMain(m *testing.M) { os.Exit(virtualauth.Main(m)) }

const page = `<!doctype html><html><head><title>vauth</title></head><body>ok</body></html>`

// servePage serves a blank page, with /set-cookie and /cookies helpers, and
// returns its localhost URL.
func servePage(t testing.TB) string {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	})
	mux.HandleFunc("/set-cookie", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: r.URL.Query().Get("v"), Path: "/"})
		fmt.Fprint(w, page)
	})
	return virtualauth.NewServer(t, mux).URL
}

// openPage opens a tab with an authenticator on the test page.
func openPage(t *testing.T) (context.Context, *virtualauth.Authenticator) {
	t.Helper()
	tab := virtualauth.Tab(t)
	a, err := virtualauth.AddAuthenticator(tab, virtualauth.AuthenticatorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := virtualauth.Navigate(tab, servePage(t)); err != nil {
		t.Fatal(err)
	}
	return tab, a
}

const createJS = `(async () => {
	const cred = await navigator.credentials.create({publicKey: {
		rp: {id: "localhost", name: "test"},
		user: {id: new TextEncoder().encode("user-1"), name: "alice", displayName: "Alice"},
		challenge: crypto.getRandomValues(new Uint8Array(32)),
		pubKeyCredParams: [{type: "public-key", alg: -7}, {type: "public-key", alg: -257}],
		authenticatorSelection: {residentKey: "required", userVerification: "required"},
	}});
	return cred.toJSON();
})()`

func getJS(uv string) string {
	return `(async () => {
	const cred = await navigator.credentials.get({publicKey: {
		rpId: "localhost",
		challenge: crypto.getRandomValues(new Uint8Array(32)),
		userVerification: "` + uv + `",
	}});
	return cred.toJSON();
})()`
}

type credJSON struct {
	ID       string `json:"id"`
	RawID    string `json:"rawId"`
	Type     string `json:"type"`
	Response struct {
		ClientDataJSON    string `json:"clientDataJSON"`
		AuthenticatorData string `json:"authenticatorData"`
		Signature         string `json:"signature"`
		UserHandle        string `json:"userHandle"`
	} `json:"response"`
}

func (c credJSON) rawID(t *testing.T) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(c.RawID)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signCount reads the counter from authenticator data (bytes 33..37).
func signCount(t *testing.T, authData []byte) uint32 {
	t.Helper()
	if len(authData) < 37 {
		t.Fatalf("short authenticator data: %d bytes", len(authData))
	}
	return uint32(authData[33])<<24 | uint32(authData[34])<<16 | uint32(authData[35])<<8 | uint32(authData[36])
}

func register(t *testing.T, tab context.Context) credJSON {
	t.Helper()
	var c credJSON
	if err := virtualauth.Eval(tab, createJS, &c); err != nil {
		t.Fatalf("create: %v", err)
	}
	if c.ID == "" || c.Type != "public-key" {
		t.Fatalf("create returned %+v", c)
	}
	return c
}

func TestCreateAndGet(t *testing.T) {
	t.Parallel()
	tab, a := openPage(t)
	created := register(t, tab)

	creds, err := a.Credentials(tab)
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 1 {
		t.Fatalf("got %d credentials, want 1", len(creds))
	}
	if !bytes.Equal(creds[0].CredentialID, created.rawID(t)) {
		t.Errorf("credential ID %x, want %x", creds[0].CredentialID, created.rawID(t))
	}
	if !creds[0].IsResidentCredential || creds[0].RpID != "localhost" || string(creds[0].UserHandle) != "user-1" {
		t.Errorf("credential = %+v", creds[0])
	}

	var got credJSON
	if err := virtualauth.Eval(tab, getJS("required"), &got); err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.ID != created.ID {
		t.Errorf("get returned credential %s, want %s", got.ID, created.ID)
	}
	if string(b64(t, got.Response.UserHandle)) != "user-1" {
		t.Errorf("user handle %q", got.Response.UserHandle)
	}
	ad := b64(t, got.Response.AuthenticatorData)
	if flags := ad[32]; flags&0x01 == 0 || flags&0x04 == 0 {
		t.Errorf("flags %08b: want UP and UV", flags)
	}
}

func TestUserNotVerified(t *testing.T) {
	t.Parallel()
	tab, a := openPage(t)
	register(t, tab)
	if err := a.SetUserVerified(tab, false); err != nil {
		t.Fatal(err)
	}
	err := virtualauth.Eval(tab, getJS("required"), nil)
	if name := virtualauth.ErrorName(err); name != "NotAllowedError" {
		t.Fatalf("get with failing UV: err = %v (name %q), want NotAllowedError", err, name)
	}
	var je *virtualauth.JSError
	if !errors.As(err, &je) || je.Message == "" {
		t.Errorf("JSError = %#v", je)
	}
}

func TestSetSignCount(t *testing.T) {
	t.Parallel()
	tab, a := openPage(t)
	id := register(t, tab).rawID(t)
	if err := a.SetSignCount(tab, id, 41); err != nil {
		t.Fatal(err)
	}
	c, err := a.Credential(tab, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.SignCount != 41 {
		t.Errorf("sign count %v, want 41", c.SignCount)
	}
	var got credJSON
	if err := virtualauth.Eval(tab, getJS("preferred"), &got); err != nil {
		t.Fatal(err)
	}
	if n := signCount(t, b64(t, got.Response.AuthenticatorData)); n != 42 {
		t.Errorf("assertion sign count %d, want 42", n)
	}
	creds, err := a.Credentials(tab)
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 1 || creds[0].SignCount != 42 {
		t.Errorf("after get: %+v", creds)
	}
}

func TestBogusSignature(t *testing.T) {
	t.Parallel()
	tab, a := openPage(t)
	register(t, tab)
	var good credJSON
	if err := virtualauth.Eval(tab, getJS("required"), &good); err != nil {
		t.Fatal(err)
	}
	if err := a.SetBogusSignature(tab, true); err != nil {
		t.Fatal(err)
	}
	var bad credJSON
	if err := virtualauth.Eval(tab, getJS("required"), &bad); err != nil {
		t.Fatalf("get with bogus signature should still succeed in the browser: %v", err)
	}
	sig := b64(t, bad.Response.Signature)
	if bytes.Equal(sig, b64(t, good.Response.Signature)) {
		t.Error("bogus signature equals the good one")
	}
	if len(sig) == 0 || bytes.Count(sig, []byte{0}) != len(sig) {
		t.Logf("bogus signature is not all zero: %x", sig)
	}
	if err := a.SetBogusSignature(tab, false); err != nil {
		t.Fatal(err)
	}
}

func TestRemoveCredential(t *testing.T) {
	t.Parallel()
	tab, a := openPage(t)
	id := register(t, tab).rawID(t)
	if err := a.RemoveCredential(tab, id); err != nil {
		t.Fatal(err)
	}
	creds, err := a.Credentials(tab)
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 0 {
		t.Fatalf("got %d credentials after remove, want 0", len(creds))
	}
	err = virtualauth.Eval(tab, getJS("required"), nil)
	if virtualauth.ErrorName(err) != "NotAllowedError" {
		t.Errorf("get after remove: %v", err)
	}
	if err := a.Remove(tab); err != nil {
		t.Fatal(err)
	}
}

// TestAddCredential moves a credential from one authenticator to another, which then
// signs with it.
func TestAddCredential(t *testing.T) {
	t.Parallel()
	tab, a := openPage(t)
	id := register(t, tab).rawID(t)
	cred, err := a.Credential(tab, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Remove(tab); err != nil {
		t.Fatal(err)
	}
	b, err := virtualauth.AddAuthenticator(tab, virtualauth.AuthenticatorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.AddCredential(tab, cred); err != nil {
		t.Fatal(err)
	}
	if err := virtualauth.Eval(tab, getJS("required"), nil); err != nil {
		t.Fatalf("get with the imported credential: %v", err)
	}
}

func cookie(t *testing.T, tab context.Context) string {
	t.Helper()
	var c string
	if err := virtualauth.Eval(tab, `document.cookie`, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTabsIsolation(t *testing.T) {
	t.Parallel()
	url := servePage(t)
	tab1 := virtualauth.Tab(t)
	tab2 := virtualauth.Tab(t)
	if err := virtualauth.Navigate(tab1, url+"/set-cookie?v=one"); err != nil {
		t.Fatal(err)
	}
	if err := virtualauth.Navigate(tab2, url); err != nil {
		t.Fatal(err)
	}
	if c := cookie(t, tab1); c != "sid=one" {
		t.Errorf("tab1 cookie %q, want sid=one", c)
	}
	if c := cookie(t, tab2); c != "" {
		t.Errorf("NewTab shares cookies: tab2 has %q", c)
	}

	tab3 := virtualauth.TabIn(t, tab1)
	if err := virtualauth.Navigate(tab3, url); err != nil {
		t.Fatal(err)
	}
	if c := cookie(t, tab3); c != "sid=one" {
		t.Errorf("NewTabIn cookie %q, want sid=one", c)
	}
	// An authenticator works in the second tab too.
	if _, err := virtualauth.AddAuthenticator(tab3, virtualauth.AuthenticatorOptions{}); err != nil {
		t.Fatal(err)
	}
	register(t, tab3)
}

func TestTabDeadline(t *testing.T) {
	t.Parallel()
	tab := virtualauth.TabWithTimeout(t, 20*time.Second)
	if dl, ok := tab.Deadline(); !ok || time.Until(dl) > 20*time.Second || time.Until(dl) <= 0 {
		t.Errorf("tab deadline %v, %v: want within 20s", dl, ok)
	}
	_, err := virtualauth.AddAuthenticator(tab, virtualauth.AuthenticatorOptions{DisablePresenceSimulation: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := virtualauth.Navigate(tab, servePage(t)); err != nil {
		t.Fatal(err)
	}
	// Without presence the ceremony hangs; a shorter context limits one call.
	ctx, cancel := context.WithTimeout(tab, time.Second)
	defer cancel()
	start := time.Now()
	err = virtualauth.Eval(ctx, createJS, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if !strings.Contains(err.Error(), "presence") {
		t.Errorf("error has no hint: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	// The tab itself still works.
	var n int
	if err := virtualauth.Eval(tab, `1 + 1`, &n); err != nil || n != 2 {
		t.Errorf("after the timeout: %d, %v", n, err)
	}
}

func TestLocalhost(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8080":       "http://localhost:8080",
		"http://127.0.0.1:8080/a?b=c": "http://localhost:8080/a?b=c",
		"http://[::1]:9":              "http://localhost:9",
		"http://example.com:1":        "http://example.com:1",
		"https://localhost":           "https://localhost",
	} {
		if got := virtualauth.Localhost(in); got != want {
			t.Errorf("Localhost(%q) = %q, want %q", in, got, want)
		}
	}
}
