package e2e

// Browser tests of examples/product (Lucky Cat): one test per flow of issue 13, in the
// shared browser, each in its own tab (a fresh browser context) with a virtual
// authenticator, against its own app on a free port. They run in parallel.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/e2e/virtualauth"
	"github.com/chirpkit/passkeys/examples/product/app"
	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"
	_ "modernc.org/sqlite"
)

// product is one running instance of the product example.
type product struct {
	URL string
	DB  string // the SQLite file, for seeding rows
}

func startProduct(t *testing.T) *product {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	db := filepath.Join(t.TempDir(), "lucky-cat.db")
	a, err := app.New(app.Options{DB: db, RPID: "localhost", Origins: []string{origin},
		BcryptCost: bcrypt.MinCost, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(a.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() { srv.Close(); a.Close() })
	return &product{URL: origin, DB: db}
}

// waitJS polls the boolean expression js in the tab until it is true.
func waitJS(t *testing.T, tab context.Context, what, js string) {
	t.Helper()
	var ok bool
	var last error
	deadline := time.Now().Add(10 * time.Second)
	for {
		last = virtualauth.Eval(tab, `(() => { try { return !!(`+js+`); } catch { return false; } })()`, &ok)
		if last == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (%s): %v; the page: %s", what, js, last, pageState(tab))
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// jsString evaluates js to a string.
func jsString(t *testing.T, tab context.Context, js string) string {
	t.Helper()
	var s string
	if err := virtualauth.Eval(tab, js, &s); err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return s
}

// goTo navigates and waits until the page at path has loaded with the bridge.
func goTo(t *testing.T, tab context.Context, p *product, path string) {
	t.Helper()
	run(t, tab, chromedp.Navigate(p.URL+path))
	waitAt(t, tab, path)
}

// passwordSignUp makes an account with a password; the tab is then at "/".
func passwordSignUp(t *testing.T, tab context.Context, p *product, name string) {
	t.Helper()
	goTo(t, tab, p, "/signup")
	run(t, tab,
		chromedp.SetValue(chromedp.CSS("#username"), name),
		chromedp.SetValue(chromedp.CSS("#password"), "correct horse battery"))
	clickThenAt(t, tab, "#signup-password", "/")
	expectText(t, tab, "h1", "Welcome, "+name)
}

// statusIs waits until the passkey message box says something for reason (with code, if
// not "") and returns its text.
func statusIs(t *testing.T, tab context.Context, reason, code string) string {
	t.Helper()
	cond := `document.querySelector("#passkey-status").dataset.reason === "` + reason + `"`
	if code != "" {
		cond += ` && document.querySelector("#passkey-status").dataset.code === "` + code + `"`
	}
	waitJS(t, tab, "passkey status "+reason+" "+code, cond)
	return jsString(t, tab, `document.querySelector("#passkey-status").hidden ? "" : document.querySelector("#passkey-message").textContent`)
}

// signOut clicks "Sign out" (which goes to "/", where the tab may already be).
func signOut(t *testing.T, tab context.Context) {
	t.Helper()
	run(t, tab, chromedp.Click(chromedp.CSS("#logout")))
	waitJS(t, tab, "signed out", `document.readyState === "complete" && !!document.querySelector("#nav-login") && !!(window.chirp && window.chirp.passkeys)`)
}

// Sign up with a passkey alone; the last passkey of an account without a password
// cannot be deleted; sign in by autofill.
func TestProductPasskeySignUpAutofillAndLastPasskey(t *testing.T) {
	t.Parallel()
	p := startProduct(t)
	tab, auth := browse(t)
	goTo(t, tab, p, "/signup")
	run(t, tab, chromedp.SetValue(chromedp.CSS("#username"), "ada"))
	clickThenAt(t, tab, "#signup-passkey", "/")
	expectText(t, tab, "h1", "Welcome, ada")
	if creds, err := auth.Credentials(tab); err != nil || len(creds) != 1 {
		t.Fatalf("authenticator: %d credentials (%v), want 1", len(creds), err)
	}

	goTo(t, tab, p, "/settings/security")
	expectText(t, tab, "#password-state", "No password")
	run(t, tab, chromedp.Click(chromedp.CSS(".delete-passkey")), chromedp.Click(chromedp.CSS(".delete-passkey.confirm")))
	if msg := statusIs(t, tab, "failed", "last_credential"); !strings.Contains(msg, "only way to sign in") {
		t.Fatalf("deleting the last passkey: %q", msg)
	}
	waitJS(t, tab, "the passkey still listed", `document.querySelectorAll("li.passkey").length === 1`)

	// Autofill: the login page's conditional request is answered by the authenticator
	// (a person would pick the passkey from the username field's list).
	signOut(t, tab)
	run(t, tab, chromedp.Navigate(p.URL+"/login"))
	waitJS(t, tab, "signed in by autofill", `location.pathname === "/" && document.readyState === "complete" && document.querySelector("h1").textContent.includes("Welcome, ada")`)
}

// A cancelled passkey sign-up says nothing and frees the username.
func TestProductPasskeySignUpCancelled(t *testing.T) {
	t.Parallel()
	p := startProduct(t)
	tab := virtualauth.Tab(t)
	auth, err := virtualauth.AddAuthenticator(tab, virtualauth.AuthenticatorOptions{DisablePresenceSimulation: true})
	if err != nil {
		t.Fatal(err)
	}
	goTo(t, tab, p, "/signup")
	run(t, tab, chromedp.SetValue(chromedp.CSS("#username"), "bo"), chromedp.Click(chromedp.CSS("#signup-passkey")))
	waitJS(t, tab, "the ceremony pending", `document.body.dataset.signup === "pending"`)
	// The person closes the browser's dialog: here, the bridge's abort() (repeated until
	// the ceremony has started and ended).
	waitJS(t, tab, "the sign-up cancelled", `(window.chirp.passkeys.abort(), document.body.dataset.signup === "cancelled")`)
	if msg := statusIs(t, tab, "cancelled", ""); msg != "" {
		t.Fatalf("a cancelled sign-up says %q, want nothing", msg)
	}
	// The pending account is gone: the username can be taken again.
	if err := auth.SetPresenceSimulation(tab, true); err != nil {
		t.Fatal(err)
	}
	clickThenAt(t, tab, "#signup-passkey", "/")
	expectText(t, tab, "h1", "Welcome, bo")
}

// After a password sign-up without conditional create, the one-click prompt; the
// "Sign in with a passkey" button; a failed sign-in offers a retry.
func TestProductUpgradePromptButtonAndRetry(t *testing.T) {
	t.Parallel()
	p := startProduct(t)
	tab, auth := browse(t)
	// A browser without conditional create.
	onNewDocument(t, tab, `(() => { const f = PublicKeyCredential.getClientCapabilities.bind(PublicKeyCredential);
		PublicKeyCredential.getClientCapabilities = async () => ({...(await f()), conditionalCreate: false}); })()`)
	passwordSignUp(t, tab, p, "cy")
	waitJS(t, tab, "the upgrade prompt", `document.body.dataset.upgrade === "prompt" && !document.querySelector("#upgrade").hidden`)
	run(t, tab, chromedp.Click(chromedp.CSS("#upgrade-create")))
	waitJS(t, tab, "the page after the upgrade", `document.readyState === "complete" && !document.querySelector("#upgrade") && document.body.textContent.includes("You have 1 passkey.")`)

	signOut(t, tab)
	creds, err := auth.Credentials(tab)
	if err != nil || len(creds) != 1 {
		t.Fatalf("authenticator: %d credentials (%v)", len(creds), err)
	}
	if err := auth.SetBogusSignature(tab, true); err != nil {
		t.Fatal(err)
	}
	run(t, tab, chromedp.Click(chromedp.CSS("#passkey-login")))
	if msg := statusIs(t, tab, "failed", "verification_failed"); !strings.Contains(msg, "Please try again") {
		t.Fatalf("a failed sign-in says %q", msg)
	}
	waitJS(t, tab, "the retry button", `!document.querySelector("#passkey-retry").hidden`)
	if err := auth.SetBogusSignature(tab, false); err != nil {
		t.Fatal(err)
	}
	run(t, tab, chromedp.Click(chromedp.CSS("#passkey-retry")))
	waitJS(t, tab, "signed in after the retry", `document.readyState === "complete" && document.querySelector("h1").textContent.includes("Welcome, cy")`)
}

// Password sign-in: the conditional create where the browser has it; later, the prompt,
// dismissed for good.
func TestProductPasswordSignInConditionalUpgradeDismiss(t *testing.T) {
	t.Parallel()
	p := startProduct(t)
	tab, _ := browse(t)
	passwordSignUp(t, tab, p, "dee")
	signOut(t, tab)
	goTo(t, tab, p, "/login")
	run(t, tab,
		chromedp.SetValue(chromedp.CSS("#username"), "dee"),
		chromedp.SetValue(chromedp.CSS("#password"), "correct horse battery"))
	clickThenAt(t, tab, "#password-login", "/")
	expectText(t, tab, "h1", "Welcome, dee")
	// Chromium offers conditional create: the page asks for it (a virtual authenticator
	// leaves it pending), with a conditional begin, and shows no prompt.
	waitJS(t, tab, "a conditional create", `document.body.dataset.upgrade === "conditional" && document.querySelector("#upgrade").hidden &&
		performance.getEntriesByType("resource").some(e => e.name.endsWith("/auth/passkey/register/begin"))`)

	// The next visit shows the prompt; "Don't ask again" removes it for good.
	run(t, tab, chromedp.Navigate(p.URL+"/"))
	waitJS(t, tab, "the prompt", `document.readyState === "complete" && document.body.dataset.upgrade === "prompt"`)
	run(t, tab, chromedp.Click(chromedp.CSS("#upgrade-dismiss")))
	waitJS(t, tab, "the prompt removed", `!document.querySelector("#upgrade")`)
	run(t, tab, chromedp.Navigate(p.URL+"/"))
	waitJS(t, tab, "home without the prompt", `document.readyState === "complete" && !!window.chirp && !document.querySelector("#upgrade") && document.body.dataset.passkeys === "supported"`)
}

// Settings → Security: add, duplicate, two providers, rename, delete with the signals.
func TestProductSecuritySettings(t *testing.T) {
	t.Parallel()
	p := startProduct(t)
	tab, auth := browse(t)
	onNewDocument(t, tab, cspWatch)
	passwordSignUp(t, tab, p, "eve")
	goTo(t, tab, p, "/settings/security")
	expectText(t, tab, "#no-passkeys", "No passkeys yet.")
	run(t, tab, chromedp.Click(chromedp.CSS("#add-passkey")))
	waitJS(t, tab, "the new passkey listed", `document.querySelectorAll("li.passkey").length === 1`)
	expectText(t, tab, "li.passkey .sync", "On this device only")

	// The same device again: the duplicate message.
	run(t, tab, chromedp.Click(chromedp.CSS("#add-passkey")))
	if msg := statusIs(t, tab, "duplicate", "excluded_credential"); msg != "This device already has a passkey for your account." {
		t.Fatalf("duplicate: %q", msg)
	}

	// A second passkey from another provider (the virtual authenticator cannot take an
	// AAGUID, so the row is seeded).
	seedPasskey(t, p, "eve", "", googlePM, true, time.Now().Add(-48*time.Hour))
	goTo(t, tab, p, "/settings/security")
	waitJS(t, tab, "two passkeys", `document.querySelectorAll("li.passkey").length === 2`)
	expectText(t, tab, "#passkeys", "Google Password Manager")
	expectText(t, tab, "#passkeys", "Synced")

	creds, err := auth.Credentials(tab)
	if err != nil || len(creds) != 1 {
		t.Fatalf("authenticator: %d credentials (%v)", len(creds), err)
	}
	row := fmt.Sprintf(`li.passkey[data-id="%s"]`, b64url(creds[0].CredentialID))
	run(t, tab, chromedp.Click(chromedp.CSS(row+" .rename-passkey")))
	waitJS(t, tab, "the rename form", `!!document.querySelector(".rename-form")`)
	run(t, tab, chromedp.SetValue(chromedp.CSS(".label-input"), "Work laptop"), chromedp.Click(chromedp.CSS(".save-label")))
	waitJS(t, tab, "the new name", `!document.querySelector(".rename-form") && document.querySelector('`+row+` .name').textContent === "Work laptop"`)

	// Delete the authenticator's passkey: the list loses it, and the signal makes the
	// authenticator forget it too.
	run(t, tab, chromedp.Click(chromedp.CSS(row+" .delete-passkey")), chromedp.Click(chromedp.CSS(row+" .delete-passkey.confirm")))
	waitJS(t, tab, "one passkey left", `document.querySelectorAll("li.passkey").length === 1 && document.body.dataset.signalled === "1"`)
	waitFor(t, "the authenticator to drop the deleted passkey", func() bool {
		creds, err := auth.Credentials(tab)
		return err == nil && len(creds) == 0
	})
	noCSPViolations(t, tab)
}

// cspWatch records the page's CSP violations (htmx and the page script must run under
// the strict policy: no inline script, style or handler, no eval).
const cspWatch = `window.__csp = []; document.addEventListener("securitypolicyviolation",
	e => window.__csp.push(e.violatedDirective + " " + e.blockedURI));`

func noCSPViolations(t *testing.T, tab context.Context) {
	t.Helper()
	var v []string
	if err := virtualauth.Eval(tab, `window.__csp`, &v); err != nil {
		t.Fatal(err)
	}
	if len(v) > 0 {
		t.Fatalf("CSP violations: %q", v)
	}
}

// A browser without passkeys: the passkey buttons are hidden and the password offered.
func TestProductUnsupported(t *testing.T) {
	t.Parallel()
	p := startProduct(t)
	tab := virtualauth.Tab(t)
	onNewDocument(t, tab, `delete window.PublicKeyCredential;`)
	goTo(t, tab, p, "/login")
	if msg := statusIs(t, tab, "unsupported", "no_webauthn"); !strings.Contains(msg, "Use your password") {
		t.Fatalf("unsupported: %q", msg)
	}
	waitJS(t, tab, "passkey buttons hidden, password form shown", `document.querySelector("#passkey-login").hidden && !document.querySelector("#password-login").hidden`)
	goTo(t, tab, p, "/signup")
	waitJS(t, tab, "passkey sign-up hidden", `document.querySelector("#signup-passkey").hidden && !document.querySelector("#signup-password").hidden`)
}

// Known AAGUIDs (providers/aaguids.json).
var (
	googlePM     = mustUUID("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4")
	windowsHello = mustUUID("08987058-cadc-4b81-b6e1-30de50dcbe96")
)

func mustUUID(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(b) != 16 {
		panic("bad AAGUID " + s)
	}
	return b
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// seedPasskey stores a passkey row for the user, as a provider with this AAGUID would
// have made it (its key is not usable: it is for the list only).
func seedPasskey(t *testing.T, p *product, username, label string, aaguid []byte, synced bool, created time.Time) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+p.DB+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.Exec(`INSERT INTO passkeys (credential_id, user_id, public_key, sign_count, aaguid, backup_eligible, backup_state, label, created_at, last_used_at)
		SELECT ?, id, x'00', 0, ?, ?, ?, ?, ?, ? FROM users WHERE username = ?`,
		randomID(), aaguid, synced, synced, label, created.Unix(), created.Add(26*time.Hour).Unix(), username)
	if err != nil {
		t.Fatal(err)
	}
}

func randomID() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}
