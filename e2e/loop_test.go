package e2e

import (
	"testing"

	"github.com/chirpkit/passkeys/e2e/virtualauth"

	"github.com/chromedp/chromedp"
)

// Scenario 1: sign up, register a passkey, sign out, sign in usernameless, see the dashboard.
func TestSignUpRegisterSignOutSignIn(t *testing.T) {
	s := startApp(t, nil)
	tab, auth := browse(t)
	signUp(t, tab, s, "ada")

	run(t, tab, chromedp.Click(chromedp.CSS("#add-passkey")))
	waitLoadedWith(t, tab, "li.passkey") // the page reloads after the registration
	creds, err := auth.Credentials(tab)
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 1 || !creds[0].IsResidentCredential {
		t.Fatalf("authenticator holds %d credentials, want 1 resident", len(creds))
	}
	expectText(t, tab, "li.passkey", "never used")

	// The home page's button (the login page would sign in by autofill at once: the
	// virtual authenticator answers a conditional request without waiting).
	clickThenAt(t, tab, "#logout", "/")
	clickThenAt(t, tab, "#passkey-login", "/dashboard")
	expectText(t, tab, "h1", "Welcome, ada")
	expectText(t, tab, "li.passkey", "last used")

	// Deleting the passkey removes the row; signing in with it is then refused.
	run(t, tab, chromedp.Click(chromedp.CSS(".delete-passkey")))
	waitLoadedWith(t, tab, "#no-passkeys") // the same path: wait for the new page's content
	expectText(t, tab, "#no-passkeys", "No passkeys yet.")
	clickThenAt(t, tab, "#logout", "/")
	if _, perr := outcome(t, tab, authenticateWith); perr == nil || perr.ServerCode != "unknown_credential" {
		t.Fatalf("sign-in with a deleted passkey: %+v, want serverCode unknown_credential", perr)
	}
}

// Scenario 4: registering the same authenticator twice rejects with duplicate.
func TestRegisterTwiceIsDuplicate(t *testing.T) {
	s := startApp(t, nil)
	tab, _ := browse(t)
	signUp(t, tab, s, "grace")
	if _, perr := outcome(t, tab, registerWith); perr != nil {
		t.Fatalf("first registration: %+v", perr)
	}
	_, perr := outcome(t, tab, registerWith)
	if perr == nil {
		t.Fatal("second registration of the same authenticator succeeded")
	}
	if !perr.IsPasskeyErr || perr.Name != "PasskeyError" || perr.Reason != "duplicate" || perr.Ceremony != "register" {
		t.Fatalf("got %+v, want a PasskeyError with passkeyReason duplicate", perr)
	}
}

// Scenario 2: the login page's autofill (conditional mediation) signs in.
func TestConditionalAutofillSignIn(t *testing.T) {
	s := startApp(t, nil)
	tab, _ := browse(t)
	signUp(t, tab, s, "linus")
	if _, perr := outcome(t, tab, registerWith); perr != nil {
		t.Fatalf("registration: %+v", perr)
	}
	clickThenAt(t, tab, "#logout", "/")
	var supported bool
	if err := virtualauth.Eval(tab, `window.chirp.passkeys.isConditionalSupported()`, &supported); err != nil || !supported {
		t.Fatalf("conditional mediation unsupported in headless Chromium: %v", err)
	}
	run(t, tab, chromedp.Navigate(s.URL+"/login"))
	waitAt(t, tab, "/dashboard")
	expectText(t, tab, "h1", "Welcome, linus")
}
