package e2e

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/chirpkit/passkeys/e2e/virtualauth"
	"github.com/chirpkit/passkeys/examples/minimal/app"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// registeredUser signs up username on a new app (options changed by mutate), registers
// a passkey in a fresh tab and signs out: the tab is at "/", signed out, and the
// authenticator holds the one credential, whose raw ID is returned.
func registeredUser(t *testing.T, mutate func(*app.Options), username string) (*site, context.Context, *virtualauth.Authenticator, []byte) {
	t.Helper()
	s := startApp(t, mutate)
	tab, auth := browse(t)
	signUp(t, tab, s, username)
	if _, perr := outcome(t, tab, registerWith); perr != nil {
		t.Fatalf("registration: %+v", perr)
	}
	creds, err := auth.Credentials(tab)
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 1 {
		t.Fatalf("authenticator holds %d credentials, want 1", len(creds))
	}
	clickThenAt(t, tab, "#logout", "/")
	return s, tab, auth, creds[0].CredentialID
}

// pageJS defines post(url, body): a same-origin JSON POST with the page's CSRF token
// (from the meta element, or csrf when given), resolving to {status, json}.
const pageJS = `const post = async (url, body, csrf) => {
	const tok = csrf ?? document.querySelector('meta[name="csrf-token"]').content;
	const r = await fetch(url, {method: "POST", credentials: "same-origin",
		headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": tok},
		body: typeof body === "string" ? body : JSON.stringify(body)});
	return {status: r.status, json: await r.json().catch(() => null)};
};
`

// answer is what post() resolves to.
type answer struct {
	Status int            `json:"status"`
	JSON   map[string]any `json:"json"`
}

// evalJS runs an async function body (with post() defined) in the tab and decodes its
// return value into out.
func evalJS(t *testing.T, tab context.Context, body string, out any) {
	t.Helper()
	if err := virtualauth.Eval(tab, `(async () => { `+pageJS+body+` })()`, out); err != nil {
		t.Fatalf("%v; the page: %s", err, pageState(tab))
	}
}

// onNewDocument runs js in every document the tab loads from now on, before its scripts.
func onNewDocument(t *testing.T, tab context.Context, js string) {
	t.Helper()
	if _, err := chromedp.Call(tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: js}); err != nil {
		t.Fatal(err)
	}
}

// authenticateWithJS is the sign-in loop with extra WithOptions members (a JS object
// literal's contents, such as `body: {username: "ada"}`).
func authenticateWithJS(extra string) string {
	return `window.chirp.passkeys.authenticateWith({begin: "/auth/passkey/login/begin", finish: "/auth/passkey/login/finish", ` + extra + `})`
}

// expectPasskeyError checks the rejection of a bridge call.
func expectPasskeyError(t *testing.T, perr *passkeyError, reason, code string) {
	t.Helper()
	if perr == nil {
		t.Fatalf("the call succeeded, want a PasskeyError %s/%s", reason, code)
	}
	if !perr.IsPasskeyErr || perr.Reason != reason || perr.Code != code {
		t.Fatalf("got %+v, want a PasskeyError with passkeyReason %q and code %q", perr, reason, code)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
