package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/e2e/virtualauth"
)

// startUpgrade starts a conditional create (automatic passkey upgrade) through
// registerWith in the page, without waiting for it: upgradeState reads how it ended.
func startUpgrade(t *testing.T, tab context.Context) {
	t.Helper()
	if err := virtualauth.Eval(tab, `window.upgrade = {state: "pending"};
		window.chirp.passkeys.registerWith({begin: "/auth/passkey/register/begin", finish: "/auth/passkey/register/finish", conditional: true})
			.then((r) => (window.upgrade = {state: "ok"}), (e) => (window.upgrade = {state: "rejected", reason: e.passkeyReason, code: e.code, ceremony: e.ceremony}));
		true`, nil); err != nil {
		t.Fatal(err)
	}
}

type upgradeState struct {
	State    string `json:"state"`
	Reason   string `json:"reason"`
	Code     string `json:"code"`
	Ceremony string `json:"ceremony"`
}

func readUpgrade(t *testing.T, tab context.Context) upgradeState {
	t.Helper()
	var u upgradeState
	if err := virtualauth.Eval(tab, `window.upgrade`, &u); err != nil {
		t.Fatal(err)
	}
	return u
}

// expectPendingUpgrade checks that the conditional create is still pending after a
// while, with nothing created: the virtual authenticator never completes one.
func expectPendingUpgrade(t *testing.T, tab context.Context, auth *virtualauth.Authenticator, want int) {
	t.Helper()
	time.Sleep(1500 * time.Millisecond)
	if u := readUpgrade(t, tab); u.State != "pending" {
		t.Fatalf("conditional create: %+v, want it pending", u)
	}
	if n := len(authCreds(t, tab, auth)); n != want {
		t.Fatalf("the authenticator holds %d credentials, want %d", n, want)
	}
}

// TestConditionalCreatePendingThenSuperseded: registerWith({conditional: true}) starts in
// Chromium (capabilities().conditionalCreate), stays pending, and a later sign-in and a
// later registration each supersede it (cancelled / superseded) and then succeed.
func TestConditionalCreatePendingThenSuperseded(t *testing.T) {
	t.Parallel()
	a := startSignalApp(t)
	tab, auth := signalTab(t, a, virtualauth.AuthenticatorOptions{})
	var caps map[string]bool
	evalJS(t, tab, `return await window.chirp.passkeys.capabilities();`, &caps)
	if !caps["conditionalCreate"] {
		t.Fatalf("capabilities() = %v: no conditionalCreate in this Chromium", caps)
	}
	signInAs(t, tab, "bob")
	registerPasskey(t, tab, auth, a.Users["bob"].ID)

	// Superseded by a sign-in (bob's passkey, usernameless).
	signInAs(t, tab, "ada")
	startUpgrade(t, tab)
	expectPendingUpgrade(t, tab, auth, 1)
	if _, perr := outcome(t, tab, authenticateWith); perr != nil {
		t.Fatalf("sign-in after the pending upgrade: %+v", perr)
	}
	if u := readUpgrade(t, tab); u != (upgradeState{State: "rejected", Reason: "cancelled", Code: "superseded", Ceremony: "register"}) {
		t.Fatalf("conditional create after a sign-in: %+v, want cancelled/superseded", u)
	}

	// Superseded by a modal registration, which then creates the passkey.
	startUpgrade(t, tab)
	expectPendingUpgrade(t, tab, auth, 1)
	registerPasskey(t, tab, auth, a.Users["ada"].ID)
	if u := readUpgrade(t, tab); u.Code != "superseded" {
		t.Fatalf("conditional create after a registration: %+v, want cancelled/superseded", u)
	}
	if n := len(authCreds(t, tab, auth)); n != 2 {
		t.Fatalf("the authenticator holds %d credentials, want 2", n)
	}
}

// TestConditionalCreateEndsWithThePage: leaving the page ends a pending conditional
// create (Chromium drops the page's request), so the next page registers at once,
// without "A request is already pending" (busy).
func TestConditionalCreateEndsWithThePage(t *testing.T) {
	t.Parallel()
	a := startSignalApp(t)
	tab, auth := signalTab(t, a, virtualauth.AuthenticatorOptions{})
	signInAs(t, tab, "ada")
	startUpgrade(t, tab)
	expectPendingUpgrade(t, tab, auth, 0)
	if err := virtualauth.Navigate(tab, a.URL+"/"); err != nil {
		t.Fatal(err)
	}
	waitLoadedWith(t, tab, "h1")
	registerPasskey(t, tab, auth, a.Users["ada"].ID)
}

// TestConditionalCreateAbort: abort() cancels a pending conditional create
// (cancelled / aborted), and a registration right after it succeeds.
func TestConditionalCreateAbort(t *testing.T) {
	t.Parallel()
	a := startSignalApp(t)
	tab, auth := signalTab(t, a, virtualauth.AuthenticatorOptions{})
	signInAs(t, tab, "ada")
	startUpgrade(t, tab)
	expectPendingUpgrade(t, tab, auth, 0)
	if err := virtualauth.Eval(tab, `window.chirp.passkeys.abort(); true`, nil); err != nil {
		t.Fatal(err)
	}
	var u upgradeState
	waitFor(t, "the conditional create to reject", func() bool {
		u = readUpgrade(t, tab)
		return u.State != "pending"
	})
	if u.Reason != "cancelled" || u.Code != "aborted" {
		t.Fatalf("after abort(): %+v, want cancelled/aborted", u)
	}
	registerPasskey(t, tab, auth, a.Users["ada"].ID)
}
