package e2e

import (
	"context"
	"testing"

	"github.com/chirpkit/passkeys/e2e/virtualauth"
	"github.com/chirpkit/passkeys/examples/minimal/app"
	"github.com/chromedp/chromedp"
)

// Scenario 5: the authenticator cannot answer (no matching credential, or user
// verification refused where the server requires it): the browser's NotAllowedError
// arrives within milliseconds and the bridge says cancelled (user_cancelled), as it
// cannot tell this from a dismissed dialog.
func TestNoCredentialOrUserVerificationRefusedIsCancelled(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		mutate func(*app.Options)
		spoil  func(context.Context, *virtualauth.Authenticator, []byte) error
		call   string
	}{
		{"authenticator emptied, usernameless", nil, clearCreds, authenticateWith},
		{"credential removed, allow list", nil, removeCred, authenticateWithJS(`body: {username: "ada"}`)},
		{"user verification refused", func(o *app.Options) { o.UserVerification = "required" }, refuseUV, authenticateWith},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, tab, auth, id := registeredUser(t, tc.mutate, "ada")
			if err := tc.spoil(tab, auth, id); err != nil {
				t.Fatal(err)
			}
			_, perr := outcome(t, tab, tc.call)
			expectPasskeyError(t, perr, "cancelled", "user_cancelled")
			if perr.Ceremony != "authenticate" {
				t.Fatalf("ceremony %q", perr.Ceremony)
			}
		})
	}
}

func clearCreds(tab context.Context, auth *virtualauth.Authenticator, _ []byte) error {
	return auth.ClearCredentials(tab)
}

func removeCred(tab context.Context, auth *virtualauth.Authenticator, id []byte) error {
	return auth.RemoveCredential(tab, id)
}

func refuseUV(tab context.Context, auth *virtualauth.Authenticator, _ []byte) error {
	return auth.SetUserVerified(tab, false)
}

// Scenario 6: the server's rp ID is not the page's host: registration fails as
// misconfigured / rp_id_mismatch.
func TestRPIDMismatchIsMisconfigured(t *testing.T) {
	t.Parallel()
	s := startApp(t, func(o *app.Options) {
		o.RPID = "example.com"
		o.Origins = []string{"https://example.com"}
	})
	tab, auth := browse(t)
	signUp(t, tab, s, "ada")
	_, perr := outcome(t, tab, registerWith)
	expectPasskeyError(t, perr, "misconfigured", "rp_id_mismatch")
	if perr.Ceremony != "register" {
		t.Fatalf("ceremony %q", perr.Ceremony)
	}
	if creds, err := auth.Credentials(tab); err != nil || len(creds) != 0 {
		t.Fatalf("authenticator holds %d credentials (%v), want none", len(creds), err)
	}
	// The page's own button shows the misconfigured message.
	run(t, tab, chromedp.Click(chromedp.CSS("#add-passkey")))
	var reason string
	waitFor(t, "the status message", func() bool {
		return virtualauth.Eval(tab, `document.getElementById("passkey-status").dataset.code || ""`, &reason) == nil && reason != ""
	})
	if reason != "rp_id_mismatch" {
		t.Fatalf("status code %q", reason)
	}
}

// Scenario 7: a browser without PublicKeyCredential: the page hides its passkey buttons
// and says so, and the bridge rejects with unsupported / no_webauthn.
func TestNoWebAuthnIsUnsupported(t *testing.T) {
	t.Parallel()
	s, tab, _, _ := registeredUser(t, nil, "ada")
	onNewDocument(t, tab, `delete window.PublicKeyCredential;`)
	for _, path := range []string{"/", "/login"} {
		run(t, tab, chromedp.Navigate(s.URL+path))
		var ui struct {
			Hidden bool   `json:"hidden"`
			Reason string `json:"reason"`
			Code   string `json:"code"`
			Text   string `json:"text"`
			PKC    bool   `json:"pkc"`
		}
		waitFor(t, "the unsupported message on "+path, func() bool {
			return virtualauth.Eval(tab, `(() => { const st = document.getElementById("passkey-status");
				return {hidden: document.getElementById("passkey-login").hidden, reason: st.dataset.reason || "",
					code: st.dataset.code || "", text: st.textContent, pkc: "PublicKeyCredential" in window}; })()`, &ui) == nil && ui.Reason != ""
		})
		if ui.PKC || !ui.Hidden || ui.Reason != "unsupported" || ui.Code != "no_webauthn" || ui.Text == "" {
			t.Fatalf("%s: %+v, want the button hidden and the unsupported message", path, ui)
		}
		var supported bool
		if err := virtualauth.Eval(tab, `window.chirp.passkeys.isSupported()`, &supported); err != nil || supported {
			t.Fatalf("isSupported() = %v, %v", supported, err)
		}
		_, perr := outcome(t, tab, authenticateWith)
		expectPasskeyError(t, perr, "unsupported", "no_webauthn")
	}
}

// Scenario 8: an assertion with a bogus signature: the server rejects it and the bridge
// reports failed / server_rejected with the server's status and code.
func TestBogusSignatureIsServerRejected(t *testing.T) {
	t.Parallel()
	s, tab, auth, _ := registeredUser(t, nil, "ada")
	if err := auth.SetBogusSignature(tab, true); err != nil {
		t.Fatal(err)
	}
	_, perr := outcome(t, tab, authenticateWith)
	expectPasskeyError(t, perr, "failed", "server_rejected")
	if perr.Status != 400 || perr.ServerCode != "verification_failed" {
		t.Fatalf("got %+v, want status 400 and serverCode verification_failed", perr)
	}
	// Still signed out.
	run(t, tab, chromedp.Navigate(s.URL+"/dashboard"))
	waitAt(t, tab, "/login")
}
