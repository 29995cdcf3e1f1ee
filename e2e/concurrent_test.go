package e2e

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/e2e/virtualauth"
	"github.com/chromedp/chromedp"
)

// Scenario 12a: two tabs of one browser (shared cookies, a binding cookie per ceremony)
// each run a registration, both pending at the same time: both succeed. (Two sign-ins
// do not: see TestSignInInOtherTabRotatesCSRF.)
func TestTwoTabsCeremoniesAtOnce(t *testing.T) {
	t.Parallel()
	s := startApp(t, nil)
	tabA := virtualauth.Tab(t)
	signUp(t, tabA, s, "ada")
	tabB := virtualauth.TabIn(t, tabA)
	run(t, tabB, chromedp.Navigate(s.URL+"/dashboard"))
	waitAt(t, tabB, "/dashboard")

	// The tabs share localStorage: each records its begin there, and holds its finish
	// until both have begun, so that both ceremonies are pending on the server at once.
	tabs := []context.Context{tabA, tabB}
	for i, tab := range tabs {
		if _, err := virtualauth.AddAuthenticator(tab, virtualauth.AuthenticatorOptions{}); err != nil {
			t.Fatal(err)
		}
		evalJS(t, tab, `window.result = null;
			const f = async (url, init) => {
				if (String(url).endsWith("/finish"))
					while (!(localStorage.getItem("began-0") && localStorage.getItem("began-1")))
						await new Promise(r => setTimeout(r, 10));
				const r = await fetch(url, init);
				if (String(url).endsWith("/begin")) localStorage.setItem("began-`+strconv.Itoa(i)+`", "1");
				return r; };
			`+outcomeJS(`window.chirp.passkeys.registerWith({begin: "/auth/passkey/register/begin", finish: "/auth/passkey/register/finish", fetch: f})`)+`
				.then(r => { window.result = r; });
			return null;`, nil)
	}
	for i, tab := range tabs {
		var res struct {
			OK  map[string]any `json:"ok"`
			Err *passkeyError  `json:"err"`
		}
		waitFor(t, "the registrations to settle", func() bool {
			return virtualauth.Eval(tab, `window.result`, &res) == nil && (res.OK != nil || res.Err != nil)
		})
		if res.Err != nil {
			t.Fatalf("tab %d: %+v", i, res.Err)
		}
	}
	run(t, tabA, chromedp.Navigate(s.URL+"/dashboard"))
	waitAt(t, tabA, "/dashboard")
	var n int
	evalJS(t, tabA, `return document.querySelectorAll("li.passkey").length;`, &n)
	if n != 2 {
		t.Fatalf("the dashboard lists %d passkeys, want 2", n)
	}
}

// Scenario 12b: in one tab, a second call supersedes a pending first one: the first
// rejects cancelled / superseded, the second succeeds.
func TestSecondCallSupersedesFirst(t *testing.T) {
	t.Parallel()
	s, tab, auth, _ := registeredUser(t, nil, "ada")
	if err := auth.SetPresenceSimulation(tab, false); err != nil {
		t.Fatal(err)
	}
	// Count the bridge's calls of navigator.credentials.get, to know when the first
	// call waits in the authenticator.
	evalJS(t, tab, `window.gets = 0; window.first = null;
		const get = navigator.credentials.get.bind(navigator.credentials);
		navigator.credentials.get = (o) => { window.gets++; return get(o); };
		`+outcomeJS(authenticateWith)+`.then(r => { window.first = r; });
		return null;`, nil)
	var gets int
	waitFor(t, "the first call to reach navigator.credentials.get", func() bool {
		return virtualauth.Eval(tab, `window.gets`, &gets) == nil && gets == 1
	})
	// The request must reach the authenticator before presence comes back on (a request
	// that reached it stays pending: enabling presence does not complete it).
	time.Sleep(300 * time.Millisecond)
	var first *passkeyError
	if err := virtualauth.Eval(tab, `window.first`, &first); err != nil || first != nil {
		t.Fatalf("the first call settled without presence: %v, %v", first, err)
	}
	if err := auth.SetPresenceSimulation(tab, true); err != nil {
		t.Fatal(err)
	}
	second, perr := outcome(t, tab, authenticateWith)
	var res struct {
		OK  map[string]any `json:"ok"`
		Err *passkeyError  `json:"err"`
	}
	evalJS(t, tab, `return window.first;`, &res)
	if res.OK != nil || res.Err == nil {
		t.Fatalf("first call: %+v, want it superseded", res)
	}
	expectPasskeyError(t, res.Err, "cancelled", "superseded")
	if perr != nil {
		t.Fatalf("second call: %+v", perr)
	}
	run(t, tab, chromedp.Navigate(s.URL+second["redirect"].(string)))
	expectText(t, tab, "h1", "Welcome, ada")
}

// Scenario 12c: a sign-in in one tab rotates the session and its CSRF token (the app's
// login()), so another tab of the same browser, whose page holds the old token, gets
// 403 csrf_failed from its next ceremony POST until it reloads.
func TestSignInInOtherTabRotatesCSRF(t *testing.T) {
	t.Parallel()
	s, tabA, _, _ := registeredUser(t, nil, "ada")
	tabB := virtualauth.TabIn(t, tabA)
	run(t, tabB, chromedp.Navigate(s.URL+"/"))
	waitAt(t, tabB, "/")
	var a answer
	evalJS(t, tabB, `return post("/auth/passkey/login/begin", {});`, &a)
	if a.Status != 200 {
		t.Fatalf("begin in tab B: %+v", a)
	}
	if _, perr := outcome(t, tabA, authenticateWith); perr != nil {
		t.Fatalf("sign-in in tab A: %+v", perr)
	}
	_, perr := outcome(t, tabB, authenticateWith)
	expectPasskeyError(t, perr, "failed", "server_rejected")
	if perr.Status != 403 || perr.ServerCode != "csrf_failed" {
		t.Fatalf("tab B after tab A signed in: %+v, want 403 csrf_failed", perr)
	}
	// After a reload tab B has the new token and is signed in too.
	run(t, tabB, chromedp.Navigate(s.URL+"/dashboard"))
	waitAt(t, tabB, "/dashboard")
	expectText(t, tabB, "h1", "Welcome, ada")
}
