package e2e

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/e2e/virtualauth"
	"github.com/chirpkit/passkeys/examples/minimal/app"
	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"
)

func TestMain(m *testing.M) { os.Exit(virtualauth.Main(m)) }

// site is one running instance of the example app.
type site struct {
	URL string // http://localhost:PORT
	App *app.App
}

// startApp runs the example app on a free loopback port with a fresh SQLite database.
// mutate may change the options (RP ID, store) before the app is built.
func startApp(t *testing.T, mutate func(*app.Options)) *site {
	t.Helper()
	return startAppWrapped(t, mutate, nil)
}

// startAppWrapped is startApp with the app's handler wrapped by wrap, if not nil.
func startAppWrapped(t *testing.T, mutate func(*app.Options), wrap func(http.Handler) http.Handler) *site {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	origin := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	opts := app.Options{
		DB:         filepath.Join(t.TempDir(), "demo.db"),
		RPID:       "localhost",
		Origins:    []string{origin},
		BcryptCost: bcrypt.MinCost,
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if mutate != nil {
		mutate(&opts)
	}
	a, err := app.New(opts)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	h := a.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() { srv.Close(); a.Close() })
	return &site{URL: origin, App: a}
}

// browse opens a tab (a fresh browser context) with a virtual authenticator.
func browse(t *testing.T) (context.Context, *virtualauth.Authenticator) {
	t.Helper()
	tab := virtualauth.Tab(t)
	auth, err := virtualauth.AddAuthenticator(tab, virtualauth.AuthenticatorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tab, auth
}

func run(t *testing.T, tab context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(tab, actions...); err != nil {
		t.Fatal(err)
	}
}

// signUp creates an account through the sign-up form and lands on the dashboard.
func signUp(t *testing.T, tab context.Context, s *site, username string) {
	t.Helper()
	run(t, tab,
		chromedp.Navigate(s.URL+"/signup"),
		// SetValue, not SendKeys: typing goes key by key over CDP, seconds on a busy machine.
		chromedp.SetValue(chromedp.CSS("#username"), username),
		chromedp.SetValue(chromedp.CSS("#password"), "correct horse battery"),
	)
	// Not WaitVisible: it can find the dashboard's DOM before the deferred bridge has run,
	// or chase a node of the page being replaced.
	clickThenAt(t, tab, "#signup", "/dashboard")
	expectText(t, tab, "h1", "Welcome, "+username)
}

// expectText waits for selector and checks that its text contains want.
func expectText(t *testing.T, tab context.Context, selector, want string) {
	t.Helper()
	got, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(selector), chromedp.NodeVisible))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, want) {
		t.Fatalf("%s: got %q, want %q", selector, got, want)
	}
}

// passkeyError is what a rejected bridge promise carries, as the page script sees it.
type passkeyError struct {
	Name         string `json:"name"`
	Reason       string `json:"passkeyReason"`
	Code         string `json:"code"`
	Ceremony     string `json:"ceremony"`
	Status       int    `json:"status"`
	ServerCode   string `json:"serverCode"`
	IsPasskeyErr bool   `json:"isPasskeyError"`
	Message      string `json:"message"`
}

// outcome runs a bridge call in the page and returns its result or its PasskeyError.
func outcome(t *testing.T, tab context.Context, call string) (ok map[string]any, perr *passkeyError) {
	t.Helper()
	ok, perr, err := tryOutcome(tab, call)
	if err != nil {
		t.Fatalf("%v; the page: %s", err, pageState(tab))
	}
	return ok, perr
}

// outcomeJS wraps a promise expression so that it resolves to {ok} or {err}.
func outcomeJS(call string) string {
	return `(async () => { try { return {ok: await (` + call + `)}; } catch (e) {
		return {err: {name: e.name, passkeyReason: e.passkeyReason, code: e.code, ceremony: e.ceremony,
			status: e.status, serverCode: e.serverCode, message: String(e.message),
			isPasskeyError: e instanceof window.chirp.passkeys.PasskeyError}}; } })()`
}

// tryOutcome is outcome for other goroutines than the test's: it returns the error.
func tryOutcome(tab context.Context, call string) (ok map[string]any, perr *passkeyError, err error) {
	var res struct {
		OK  map[string]any `json:"ok"`
		Err *passkeyError  `json:"err"`
	}
	if err := virtualauth.Eval(tab, outcomeJS(call), &res); err != nil {
		return nil, nil, err
	}
	return res.OK, res.Err, nil
}

const (
	registerWith     = `window.chirp.passkeys.registerWith({begin: "/auth/passkey/register/begin", finish: "/auth/passkey/register/finish"})`
	authenticateWith = `window.chirp.passkeys.authenticateWith({begin: "/auth/passkey/login/begin", finish: "/auth/passkey/login/finish"})`
)

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// clickThenAt clicks selector and waits until the page at path has loaded, for clicks
// that navigate (a form post, a script's location.assign) to another path.
func clickThenAt(t *testing.T, tab context.Context, selector, path string) {
	t.Helper()
	var here string
	if err := virtualauth.Eval(tab, `location.pathname`, &here); err != nil {
		t.Fatal(err)
	}
	if here == path {
		// waitAt would see the old page, already loaded at path.
		t.Fatalf("clickThenAt(%q) from %s itself: wait for the new page's content with waitLoadedWith", path, here)
	}
	run(t, tab, chromedp.Click(chromedp.CSS(selector)))
	waitAt(t, tab, path)
}

// waitLoadedWith waits until the tab shows a fully loaded page with an element matching
// selector, for example after a script's location.reload().
func waitLoadedWith(t *testing.T, tab context.Context, selector string) {
	t.Helper()
	var ok bool
	waitFor(t, "a loaded page with "+selector, func() bool {
		err := virtualauth.Eval(tab, `document.readyState === "complete" && !!(window.chirp && window.chirp.passkeys) &&
			!!document.querySelector(`+"`"+selector+"`"+`)`, &ok)
		return err == nil && ok
	})
}

// waitAt waits until the tab shows a fully loaded page at path.
func waitAt(t *testing.T, tab context.Context, path string) {
	t.Helper()
	var at string
	waitFor(t, "page "+path, func() bool {
		err := virtualauth.Eval(tab, `document.readyState === "complete" ? location.pathname : ""`, &at)
		return err == nil && at == path
	})
	// The bridge is a deferred script, so it has run by "complete"; say so if it has not.
	var bridge struct {
		OK      bool     `json:"ok"`
		Scripts []string `json:"scripts"`
	}
	if err := virtualauth.Eval(tab, `({ok: !!(window.chirp && window.chirp.passkeys),
		scripts: performance.getEntriesByType("resource").filter(e => e.initiatorType === "script").map(e => e.name + " " + e.responseStatus + " " + e.transferSize)})`, &bridge); err != nil {
		t.Fatal(err)
	}
	if !bridge.OK {
		t.Fatalf("page %s loaded without window.chirp.passkeys; script loads: %v", path, bridge.Scripts)
	}
}

// pageState describes the document that a tab's evaluations run in, for failure messages.
func pageState(tab context.Context) string {
	var st any
	if err := virtualauth.Eval(tab, `({href: location.href, readyState: document.readyState, chirp: !!window.chirp,
		scripts: Array.from(document.scripts, s => s.src || "inline"), timeOrigin: performance.timeOrigin,
		navigation: performance.getEntriesByType("navigation").map(e => e.type)})`, &st); err != nil {
		return err.Error()
	}
	return fmt.Sprint(st)
}
