package e2e

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Scenario 3: username-first sign-in. The begin body names the user, the server answers
// options with an allow list of that user's passkeys, and the loop signs in. A username
// without passkeys gets the same kind of answer (a stand-in credential ID), so begin
// does not tell who has passkeys.
func TestUsernameFirstSignIn(t *testing.T) {
	t.Parallel()
	s, tab, _, credID := registeredUser(t, nil, "ada")

	// A fetch wrapper passed to the bridge records what begin answered.
	call := `(() => { window.seen = [];
		const f = async (url, init) => { const r = await fetch(url, init);
			window.seen.push({url: String(url), body: init.body, status: r.status, json: await r.clone().json().catch(() => null)});
			return r; };
		return ` + authenticateWithJS(`body: {username: USER}, fetch: f`) + `; })()`

	for _, tc := range []struct {
		name, username string
		ok             bool
	}{
		{"unknown user", "nobody", false},
		{"known user", "ada", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, perr := outcome(t, tab, strings.ReplaceAll(call, "USER", `"`+tc.username+`"`))
			var seen []struct {
				URL    string         `json:"url"`
				Body   string         `json:"body"`
				Status int            `json:"status"`
				JSON   map[string]any `json:"json"`
			}
			evalJS(t, tab, `return window.seen;`, &seen)
			if len(seen) == 0 || seen[0].URL != "/auth/passkey/login/begin" || seen[0].Body != `{"username":"`+tc.username+`"}` {
				t.Fatalf("begin request: %+v", seen)
			}
			if !tc.ok {
				// An unknown user, and a user without passkeys, get options like a user with
				// a passkey: 200 and one allowed credential, a stand-in that no authenticator
				// holds, so the browser fails as on a device without the passkey (NotAllowedError
				// at once, which the bridge reports as a dismissal) and finish is never called.
				allow, _ := seen[0].JSON["allowCredentials"].([]any)
				if seen[0].Status != 200 || len(allow) != 1 {
					t.Fatalf("begin answered %d with allowCredentials %v, want 200 and one stand-in", seen[0].Status, seen[0].JSON["allowCredentials"])
				}
				if id, _ := allow[0].(map[string]any)["id"].(string); id == "" || id == base64.RawURLEncoding.EncodeToString(credID) {
					t.Fatalf("allowCredentials[0].id = %q, want a stand-in", id)
				}
				expectPasskeyError(t, perr, "cancelled", "user_cancelled")
				if len(seen) != 1 {
					t.Fatalf("%d requests, want begin only", len(seen))
				}
				return
			}
			if perr != nil {
				t.Fatalf("sign-in: %+v", perr)
			}
			allow, _ := seen[0].JSON["allowCredentials"].([]any)
			if len(allow) != 1 {
				t.Fatalf("begin answered allowCredentials %v, want the one passkey", seen[0].JSON["allowCredentials"])
			}
			if id, _ := allow[0].(map[string]any)["id"].(string); id != base64.RawURLEncoding.EncodeToString(credID) {
				t.Fatalf("allowCredentials[0].id = %q, want the registered credential", id)
			}
			if len(seen) != 2 || seen[1].Status != 200 || res["redirect"] != "/dashboard" {
				t.Fatalf("finish: %+v, result %v", seen, res)
			}
			run(t, tab, chromedp.Navigate(s.URL+res["redirect"].(string)))
			expectText(t, tab, "h1", "Welcome, ada")
			expectText(t, tab, "li.passkey", "last used")
		})
	}
}
