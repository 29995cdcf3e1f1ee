package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/e2e/virtualauth"
	"github.com/chromedp/chromedp"
)

// TestProductScreenshots writes the screenshots of examples/product/README.md into the
// directory $PRODUCT_SCREENSHOTS (make screenshots); without it, it is skipped. The two
// passkeys of different providers are seeded rows (a virtual authenticator cannot take
// an AAGUID). Headless Chromium draws no autofill list into a page, so the sign-in shot
// shows the page with its autofill request pending.
func TestProductScreenshots(t *testing.T) {
	dir := os.Getenv("PRODUCT_SCREENSHOTS")
	if dir == "" {
		t.Skip("set PRODUCT_SCREENSHOTS to a directory (make screenshots)")
	}
	p := startProduct(t)
	tab := virtualauth.TabWithTimeout(t, 60*time.Second)
	if _, err := virtualauth.AddAuthenticator(tab, virtualauth.AuthenticatorOptions{}); err != nil {
		t.Fatal(err)
	}
	run(t, tab, chromedp.EmulateViewport(960, 640))
	shot := func(name string) {
		t.Helper()
		time.Sleep(150 * time.Millisecond) // let fonts and layout settle
		png, err := chromedp.Run(tab, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", filepath.Join(dir, name))
	}

	// Sign-in: the username field offers passkeys (autofill) beside the password.
	goTo(t, tab, p, "/login")
	waitJS(t, tab, "autofill pending", `document.body.dataset.autofill === "pending"`)
	run(t, tab, chromedp.Focus(chromedp.CSS("#username")))
	shot("sign-in.png")

	// After a password sign-up, in a browser without conditional create: the prompt.
	onNewDocument(t, tab, `(() => { const f = PublicKeyCredential.getClientCapabilities.bind(PublicKeyCredential);
		PublicKeyCredential.getClientCapabilities = async () => ({...(await f()), conditionalCreate: false}); })()`)
	passwordSignUp(t, tab, p, "mia")
	waitJS(t, tab, "the upgrade prompt", `document.body.dataset.upgrade === "prompt"`)
	shot("upgrade-prompt.png")

	// Settings → Security with two passkeys of different providers.
	seedPasskey(t, p, "mia", "Pixel 9", googlePM, true, time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC))
	seedPasskey(t, p, "mia", "", windowsHello, false, time.Date(2026, 5, 2, 17, 5, 0, 0, time.UTC))
	goTo(t, tab, p, "/settings/security")
	waitJS(t, tab, "two passkeys", `document.querySelectorAll("li.passkey").length === 2`)
	shot("settings-passkeys.png")

	// An error: adding a passkey on a device that has one for the account already.
	signOutFrom(t, tab)
	goTo(t, tab, p, "/signup")
	run(t, tab, chromedp.SetValue(chromedp.CSS("#username"), "leo"))
	clickThenAt(t, tab, "#signup-passkey", "/")
	goTo(t, tab, p, "/settings/security")
	run(t, tab, chromedp.Click(chromedp.CSS("#add-passkey")))
	statusIs(t, tab, "duplicate", "")
	shot("error-duplicate.png")
}

// signOutFrom signs out from any page.
func signOutFrom(t *testing.T, tab context.Context) {
	t.Helper()
	signOut(t, tab)
}
