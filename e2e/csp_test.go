package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Scenario 13: under the app's strict Content-Security-Policy (script-src 'self'
// 'nonce-…'), the injected bridge loads once per page, with SRI and the nonce, nothing
// violates the policy, and the loop of scenario 1 works.
func TestStrictCSP(t *testing.T) {
	t.Parallel()
	s := startApp(t, nil)
	tab, auth := browse(t)
	onNewDocument(t, tab, `window.cspViolations = [];
		document.addEventListener("securitypolicyviolation", e =>
			window.cspViolations.push(e.effectiveDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber));`)

	check := func(t *testing.T, tab context.Context, path string) {
		t.Helper()
		waitAt(t, tab, path)
		var p struct {
			Tags       int      `json:"tags"`
			Loads      int      `json:"loads"`
			Integrity  string   `json:"integrity"`
			Nonce      string   `json:"nonce"`
			Src        string   `json:"src"`
			Bridge     bool     `json:"bridge"`
			Violations []string `json:"violations"`
			CSP        string   `json:"csp"`
		}
		evalJS(t, tab, `const tags = document.querySelectorAll('script[data-chirp="passkeys"]');
			const src = tags[0] ? tags[0].src : "";
			return {tags: tags.length, src, integrity: tags[0] ? tags[0].integrity : "", nonce: tags[0] ? tags[0].nonce : "",
				loads: performance.getEntriesByType("resource").filter(e => e.name === src).length,
				bridge: !!(window.chirp && window.chirp.passkeys && typeof window.chirp.passkeys.authenticateWith === "function"),
				violations: window.cspViolations,
				csp: (await fetch(location.href)).headers.get("Content-Security-Policy")};`, &p)
		if p.Tags != 1 || p.Loads != 1 || !p.Bridge {
			t.Fatalf("%s: %d bridge tags, %d loads of %q, window.chirp.passkeys %v; want one of each", path, p.Tags, p.Loads, p.Src, p.Bridge)
		}
		if !strings.HasPrefix(p.Integrity, "sha384-") || p.Nonce == "" {
			t.Fatalf("%s: integrity %q, nonce %q; want sha384- SRI and a nonce", path, p.Integrity, p.Nonce)
		}
		if len(p.Violations) != 0 {
			t.Fatalf("%s: CSP violations %v", path, p.Violations)
		}
		if !strings.Contains(p.CSP, "script-src 'self' 'nonce-") || strings.Contains(p.CSP, "unsafe-inline") {
			t.Fatalf("%s: Content-Security-Policy %q is not the strict one", path, p.CSP)
		}
	}

	run(t, tab, chromedp.Navigate(s.URL+"/signup"))
	check(t, tab, "/signup")
	signUp(t, tab, s, "ada")
	check(t, tab, "/dashboard")
	run(t, tab, chromedp.Click(chromedp.CSS("#add-passkey")))
	waitLoadedWith(t, tab, "li.passkey") // the page reloads after the registration
	if creds, err := auth.Credentials(tab); err != nil || len(creds) != 1 {
		t.Fatalf("authenticator holds %d credentials (%v), want 1", len(creds), err)
	}
	check(t, tab, "/dashboard")
	clickThenAt(t, tab, "#logout", "/")
	check(t, tab, "/")
	clickThenAt(t, tab, "#passkey-login", "/dashboard")
	check(t, tab, "/dashboard")
	expectText(t, tab, "h1", "Welcome, ada")
	expectText(t, tab, "li.passkey", "last used")

	// Control: the listener does see a violation (an inline script without the nonce).
	var n int
	evalJS(t, tab, `const el = document.createElement("script"); el.textContent = "window.injected = 1"; document.head.append(el);
		for (let i = 0; i < 100 && !window.cspViolations.length; i++) await new Promise(r => setTimeout(r, 10));
		return window.injected ? -1 : window.cspViolations.length;`, &n)
	if n != 1 {
		t.Fatalf("the control inline script gave %d violations (-1: it ran), want 1", n)
	}
}
