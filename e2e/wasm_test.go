package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/e2e/virtualauth"
	"github.com/chirpkit/passkeys/examples/minimal/app"
	wasmsite "github.com/chirpkit/passkeys/examples/wasm/site"
	"github.com/chromedp/chromedp"
)

// TestWasmClient drives examples/wasm: a page whose buttons are wired in Go compiled to
// WebAssembly (package bridge/passkeys over window.chirp.passkeys). The page writes what
// the Go code got into #wasm-result, typed errors included.
func TestWasmClient(t *testing.T) {
	start := time.Now()
	files, err := wasmsite.Prepare(t.Context(), t.TempDir()) // GOOS=js GOARCH=wasm go build
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("client built in %v", time.Since(start).Round(time.Millisecond))
	s := startApp(t, func(o *app.Options) { o.Routes = wasmsite.Routes(files) })
	tab, auth := browse(t)

	start = time.Now()
	run(t, tab, chromedp.Navigate(s.URL+"/wasm"))
	waitWasm(t, tab)
	t.Logf("page and client loaded in %v", time.Since(start).Round(time.Millisecond))
	run(t, tab,
		chromedp.SendKeys(chromedp.CSS("#wasm-username"), "gopher"),
		chromedp.SendKeys(chromedp.CSS("#wasm-password"), "correct horse battery"),
	)
	clickWasm(t, tab, "#wasm-signup", "signup: ok")
	expectText(t, tab, "#user", "Signed in as gopher")

	clickWasm(t, tab, "#wasm-add-passkey", "register: ok")
	// The passkey is in excludeCredentials now: the Go code gets ErrDuplicate.
	clickWasm(t, tab, "#wasm-add-passkey", "register: error reason=duplicate code=excluded_credential is=ErrDuplicate")

	clickWasm(t, tab, "#wasm-logout", "logout: ok")
	expectText(t, tab, "#user", "Not signed in")
	clickWasm(t, tab, "#wasm-login", "authenticate: ok")
	expectText(t, tab, "#user", "Signed in as gopher")
	clickWasm(t, tab, "#wasm-logout", "logout: ok")

	// Cancelling the Go context aborts the ceremony (an AbortSignal underneath): without
	// presence simulation the authenticator waits for ever, until #wasm-cancel.
	if err := auth.SetPresenceSimulation(tab, false); err != nil {
		t.Fatal(err)
	}
	run(t, tab, chromedp.Click(chromedp.CSS("#wasm-login")))
	time.Sleep(300 * time.Millisecond) // let the ceremony reach the authenticator
	clickWasm(t, tab, "#wasm-cancel", "authenticate: error reason=cancelled code=aborted is=ErrCancelled")
	if err := auth.SetPresenceSimulation(tab, true); err != nil {
		t.Fatal(err)
	}

	// The authenticator lost its passkey: the browser's NotAllowedError arrives in Go as
	// ErrCancelled.
	if err := auth.ClearCredentials(tab); err != nil {
		t.Fatal(err)
	}
	clickWasm(t, tab, "#wasm-login", "authenticate: error reason=cancelled code=user_cancelled is=ErrCancelled")
}

// waitWasm waits until the Go program has wired the page's buttons.
func waitWasm(t *testing.T, tab context.Context) {
	t.Helper()
	var ready bool
	waitFor(t, "the wasm client", func() bool {
		err := virtualauth.Eval(tab, `document.readyState === "complete" && document.body.dataset.wasm === "ready" && !!(window.chirp && window.chirp.passkeys)`, &ready)
		return err == nil && ready
	})
}

// clickWasm clicks selector, then waits (across a reload) until #wasm-result says want.
func clickWasm(t *testing.T, tab context.Context, selector, want string) {
	t.Helper()
	start := time.Now()
	var got string
	waitWasm(t, tab)
	run(t, tab, chromedp.Click(chromedp.CSS(selector)))
	defer func() { t.Logf("%s → %q in %v", selector, got, time.Since(start).Round(time.Millisecond)) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := virtualauth.Eval(tab, `document.body && document.body.dataset.wasm === "ready" ? document.getElementById("wasm-result").textContent : ""`, &got)
		if err == nil && got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after clicking %s: #wasm-result is %q, want %q", selector, got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
