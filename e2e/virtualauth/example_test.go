package virtualauth_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chirpkit/passkeys/e2e/virtualauth"
)

// This example uses a browser of its own, outside of a test: Start,
// NewTab, AddAuthenticator, a registration with navigator.credentials.create,
// and the credential that the virtual authenticator then holds.
// TestExample runs the same steps on the shared browser.
func Example() {
	ctx := context.Background()
	b, err := virtualauth.Start(ctx, virtualauth.Options{})
	if err != nil {
		log.Fatal(err) // no Chromium: apt-get install chromium, or set CHROME_PATH
	}
	defer b.Close()

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>passkeys</title>`)
	}))
	defer srv.Close()
	url := virtualauth.Localhost(srv.URL) // http://localhost:PORT, never 127.0.0.1

	tab, closeTab, err := b.NewTab(ctx) // fresh cookies, WebAuthn enabled
	if err != nil {
		log.Fatal(err)
	}
	defer closeTab()

	auth, err := virtualauth.AddAuthenticator(tab, virtualauth.AuthenticatorOptions{})
	if err != nil {
		log.Fatal(err)
	}
	if err := virtualauth.Navigate(tab, url); err != nil {
		log.Fatal(err)
	}
	var id string
	err = virtualauth.Eval(tab, `navigator.credentials.create({publicKey: {
		rp: {id: "localhost", name: "Example"},
		user: {id: new Uint8Array([1, 2, 3]), name: "alice", displayName: "Alice"},
		challenge: crypto.getRandomValues(new Uint8Array(32)),
		pubKeyCredParams: [{type: "public-key", alg: -7}, {type: "public-key", alg: -257}],
		authenticatorSelection: {residentKey: "required", userVerification: "required"},
	}}).then(c => c.id)`, &id)
	if err != nil {
		log.Fatal(err) // virtualauth.ErrorName(err) is "NotAllowedError", "InvalidStateError", ...
	}

	creds, err := auth.Credentials(tab)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(creds), creds[0].RpID, creds[0].IsResidentCredential)
}

// A test of a passkey page: Main in TestMain, then Tab and NewServer in each
// test. The browser is shared, each test gets a fresh tab.
func ExampleTab() {
	// func TestMain(m *testing.M) { os.Exit(virtualauth.Main(m)) }

	testSignIn := func(t *testing.T) {
		app := http.NotFoundHandler() // the application under test
		srv := virtualauth.NewServer(t, app)
		tab := virtualauth.Tab(t)
		auth, err := virtualauth.AddAuthenticator(tab, virtualauth.AuthenticatorOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := virtualauth.Navigate(tab, srv.URL+"/login"); err != nil {
			t.Fatal(err)
		}
		// ... sign up, then make user verification fail:
		if err := auth.SetUserVerified(tab, false); err != nil {
			t.Fatal(err)
		}
		err = virtualauth.Eval(tab, `signIn()`, nil)
		if virtualauth.ErrorName(err) != "NotAllowedError" {
			t.Fatalf("sign-in without user verification: %v", err)
		}
	}
	_ = testSignIn
}

// TestExample runs the steps of Example on the shared browser and checks
// them.
func TestExample(t *testing.T) {
	tab := virtualauth.Tab(t)
	auth, err := virtualauth.AddAuthenticator(tab, virtualauth.AuthenticatorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := virtualauth.NewServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>passkeys</title>`)
	}))
	if err := virtualauth.Navigate(tab, srv.URL); err != nil {
		t.Fatal(err)
	}
	var id string
	err = virtualauth.Eval(tab, `navigator.credentials.create({publicKey: {
		rp: {id: "localhost", name: "Example"},
		user: {id: new Uint8Array([1, 2, 3]), name: "alice", displayName: "Alice"},
		challenge: crypto.getRandomValues(new Uint8Array(32)),
		pubKeyCredParams: [{type: "public-key", alg: -7}, {type: "public-key", alg: -257}],
		authenticatorSelection: {residentKey: "required", userVerification: "required"},
	}}).then(c => c.id)`, &id)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := auth.Credentials(tab)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%d %s %t", len(creds), creds[0].RpID, creds[0].IsResidentCredential); got != "1 localhost true" {
		t.Errorf("got %q, want %q", got, "1 localhost true")
	}
	if id == "" {
		t.Error("no credential id")
	}
}
