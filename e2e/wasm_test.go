package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/e2e/virtualauth"
	"github.com/chirpkit/passkeys/examples/minimal/app"
	wasmsite "github.com/chirpkit/passkeys/examples/wasm/site"
	"github.com/chromedp/chromedp"
)

// recordCreates keeps the mediation of every navigator.credentials.create() call in
// window.__creates, so that a test sees what the bridge asked of the browser.
const recordCreates = `(() => {
	const c = navigator.credentials, create = c.create.bind(c);
	window.__creates = [];
	c.create = (o) => { window.__creates.push(o && o.mediation || ""); return create(o); };
})();`

// TestWasmClient drives examples/wasm: a Go front end compiled to WebAssembly that signs
// up, registers passkeys (also with a conditional create), signs in, lists and deletes
// passkeys through package bridge/passkeys over window.chirp.passkeys. The page writes
// what the Go code got into #wasm-result, typed errors included.
func TestWasmClient(t *testing.T) {
	start := time.Now()
	files, err := wasmsite.Prepare(t.Context(), t.TempDir()) // GOOS=js GOARCH=wasm go build, gzip, brotli
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("client built and compressed in %v", time.Since(start).Round(time.Millisecond))
	s := startApp(t, func(o *app.Options) { o.Routes = wasmsite.Routes(files) })
	tab, auth := browse(t)
	onNewDocument(t, tab, recordCreates)

	start = time.Now()
	run(t, tab, chromedp.Navigate(s.URL+"/wasm"))
	waitWasm(t, tab)
	t.Logf("page and client loaded in %v", time.Since(start).Round(time.Millisecond))

	// The browser got the client compressed (the site's ServeWasm), and compiled it.
	var wasm struct {
		Encoded  int    `json:"encoded"`
		Decoded  int    `json:"decoded"`
		Encoding string `json:"encoding"`
	}
	if err := virtualauth.Eval(tab, `(() => { const e = performance.getEntriesByName(new URL("/wasm/main.wasm", location.href).href)[0];
		return {encoded: e.encodedBodySize, decoded: e.decodedBodySize, encoding: e.contentEncoding || ""}; })()`, &wasm); err != nil {
		t.Fatal(err)
	}
	t.Logf("main.wasm: %d bytes over the wire (%q), %d decoded", wasm.Encoded, wasm.Encoding, wasm.Decoded)
	if wasm.Encoded == 0 || wasm.Encoded*2 > wasm.Decoded {
		t.Errorf("main.wasm not served compressed: %+v", wasm)
	}

	// ClientCapabilities: Chromium has both conditional mediations.
	expectText(t, tab, "#wasm-capabilities", "conditionalCreate conditionalGet")

	run(t, tab,
		chromedp.SendKeys(chromedp.CSS("#wasm-username"), "gopher"),
		chromedp.SendKeys(chromedp.CSS("#wasm-password"), "correct horse battery"),
	)
	clickWasm(t, tab, "#wasm-signup", "signup: ok")
	expectText(t, tab, "#user", "Signed in as gopher")
	expectPasskeys(t, tab, 0)

	// A conditional create stays pending with a virtual authenticator: the test checks
	// that Go asked the browser for one (mediation "conditional") and that Cancel ends it.
	clickWasm(t, tab, "#wasm-upgrade", "upgrade: waiting")
	var creates []string
	waitFor(t, "the conditional create", func() bool {
		return virtualauth.Eval(tab, `window.__creates`, &creates) == nil && len(creates) == 1
	})
	if creates[0] != "conditional" {
		t.Errorf("create() mediation %q, want conditional", creates[0])
	}
	time.Sleep(300 * time.Millisecond) // let it reach the authenticator
	clickWasm(t, tab, "#wasm-cancel", "upgrade: error reason=cancelled code=aborted is=ErrCancelled")

	clickWasm(t, tab, "#wasm-add-passkey", "register: ok")
	expectPasskeys(t, tab, 1)
	// The passkey is in excludeCredentials now: the Go code gets ErrDuplicate.
	clickWasm(t, tab, "#wasm-add-passkey", "register: error reason=duplicate code=excluded_credential is=ErrDuplicate")
	expectPasskeys(t, tab, 1)
	if err := virtualauth.Eval(tab, `window.__creates`, &creates); err != nil || strings.Join(creates, ",") != "conditional,," {
		t.Errorf("create() mediations %q (%v), want conditional then two modal", creates, err)
	}

	clickWasm(t, tab, "#wasm-logout", "logout: ok")
	expectText(t, tab, "#user", "Not signed in")
	clickWasm(t, tab, "#wasm-login", "authenticate: ok")
	expectText(t, tab, "#user", "Signed in as gopher")
	expectPasskeys(t, tab, 1)

	// Delete it: the list is empty, and the server no longer knows the passkey that the
	// authenticator still holds.
	clickWasm(t, tab, "#wasm-passkeys button.wasm-delete", "delete: ok")
	expectPasskeys(t, tab, 0)
	clickWasm(t, tab, "#wasm-logout", "logout: ok")
	clickWasm(t, tab, "#wasm-login", "authenticate: error reason=failed code=server_rejected is=ErrFailed status=400 server_code=unknown_credential")
	expectText(t, tab, "#wasm-message", "deleted from your account")
	// The bridge signalled the unknown credential: the authenticator no longer holds it.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		creds, err := auth.Credentials(tab)
		if err != nil {
			t.Fatal(err)
		}
		if len(creds) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the authenticator still holds %d credentials after unknown_credential was signalled", len(creds))
		}
	}

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

// expectPasskeys waits until the page lists n passkeys (and says "No passkeys yet" for 0).
func expectPasskeys(t *testing.T, tab context.Context, n int) {
	t.Helper()
	var got struct {
		Items int  `json:"items"`
		None  bool `json:"none"`
	}
	waitFor(t, "the list of passkeys", func() bool {
		err := virtualauth.Eval(tab, `({items: document.querySelectorAll("#wasm-passkeys li.passkey").length,
			none: !document.getElementById("wasm-no-passkeys").hidden})`, &got)
		return err == nil && got.Items == n && got.None == (n == 0)
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
