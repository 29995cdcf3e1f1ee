package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// Scenario 9: a finish body is good once, and only in the browser that began the ceremony.
func TestFinishBodyReplay(t *testing.T) {
	t.Parallel()
	s, tab, _, _ := registeredUser(t, nil, "ada")

	t.Run("sent again after sign-in", func(t *testing.T) {
		// A fetch wrapper passed to the bridge keeps the finish request's body.
		call := `(() => { const f = (url, init) => { if (String(url).endsWith("/finish")) window.finishBody = init.body; return fetch(url, init); };
			return ` + authenticateWithJS(`fetch: f`) + `; })()`
		if _, perr := outcome(t, tab, call); perr != nil {
			t.Fatalf("sign-in: %+v", perr)
		}
		var body string
		evalJS(t, tab, `return window.finishBody;`, &body)
		if body == "" {
			t.Fatal("the finish body was not captured")
		}
		// Signing in rotated the CSRF token: take the new one from a page.
		run(t, tab, chromedp.Navigate(s.URL+"/dashboard"))
		waitAt(t, tab, "/dashboard")
		var a answer
		evalJS(t, tab, `return post("/auth/passkey/login/finish", `+mustJSON(t, body)+`);`, &a)
		if a.Status != 400 || a.JSON["code"] != "challenge_missing" {
			t.Fatalf("replayed finish: %+v, want 400 challenge_missing", a)
		}
		clickThenAt(t, tab, "#logout", "/")
	})

	t.Run("finished in another browser context", func(t *testing.T) {
		// Tab A begins and gets the assertion, but does not finish.
		var assertion map[string]any
		evalJS(t, tab, `const b = await post("/auth/passkey/login/begin", {});
			if (b.status !== 200) throw new Error("begin: " + JSON.stringify(b));
			return await window.chirp.passkeys.authenticate(b.json);`, &assertion)
		if assertion["id"] == nil {
			t.Fatalf("assertion: %v", assertion)
		}
		// Tab B, another browser context (other cookies), posts it with its own CSRF token.
		other, _ := browse(t)
		run(t, other, chromedp.Navigate(s.URL+"/"))
		waitAt(t, other, "/")
		var a answer
		evalJS(t, other, `return post("/auth/passkey/login/finish", `+mustJSON(t, assertion)+`);`, &a)
		if a.Status != 400 || a.JSON["code"] != "challenge_missing" {
			t.Fatalf("finish from another browser: %+v, want 400 challenge_missing", a)
		}
		// The attempt did not use up tab A's ceremony: A can still finish it.
		evalJS(t, tab, `return post("/auth/passkey/login/finish", `+mustJSON(t, assertion)+`);`, &a)
		if a.Status != 200 {
			t.Fatalf("finish in the browser that began: %+v", a)
		}
	})
}

// Scenario 10: a signature counter set back below the stored one rejects the sign-in
// with sign_count_regressed (the server's default SignCountReject policy).
func TestSignCountRegressed(t *testing.T) {
	t.Parallel()
	s, tab, auth, id := registeredUser(t, nil, "ada")
	for i := 1; i <= 2; i++ {
		if _, perr := outcome(t, tab, authenticateWith); perr != nil {
			t.Fatalf("sign-in %d: %+v", i, perr)
		}
		run(t, tab, chromedp.Navigate(s.URL+"/")) // a fresh CSRF token
		waitAt(t, tab, "/")
	}
	c, err := auth.Credential(tab, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.SignCount < 2 {
		t.Fatalf("sign count %v after two sign-ins, want at least 2", c.SignCount)
	}
	if err := auth.SetSignCount(tab, id, 0); err != nil {
		t.Fatal(err)
	}
	_, perr := outcome(t, tab, authenticateWith)
	expectPasskeyError(t, perr, "failed", "server_rejected")
	if perr.ServerCode != "sign_count_regressed" {
		t.Fatalf("got %+v, want serverCode sign_count_regressed", perr)
	}
	if c, err = auth.Credential(tab, id); err != nil || c.SignCount != 1 {
		t.Fatalf("sign count %v (%v), want 1 after the set-back assertion", c.SignCount, err)
	}
}
