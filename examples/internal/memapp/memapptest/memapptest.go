// Package memapptest runs the whole of a memapp app mounted on a router, as a browser
// with a software authenticator would: the page with the injected bridge, signing in
// with a name, adding a passkey, signing out and in with it.
package memapptest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chirpkit/passkeys/internal/softauth"
	"github.com/chirpkit/passkeys/internal/testapp"
)

// Run drives the app served at base (configured for testapp.Origin) whose page is
// titled title.
func Run(t *testing.T, base, title string) {
	t.Helper()
	b := testapp.NewBrowser(base)
	get := func(path string) (int, http.Header, string) {
		t.Helper()
		resp, err := b.Client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, resp.Header, string(body)
	}
	form := func(path string, v url.Values, site string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(v.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", site)
		resp, err := b.Client.Do(req) // follows the redirect to the page
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	signedIn := func(body string) string {
		_, rest, ok := strings.Cut(body, `Signed in as <b id="user">`)
		name, _, _ := strings.Cut(rest, "</b>")
		if !ok {
			return ""
		}
		return name
	}

	// The page, with the bridge's tag injected before </body>, and the bridge itself.
	st, _, body := get("/")
	if st != http.StatusOK || !strings.Contains(body, "<title>"+title+"</title>") || !strings.Contains(body, `id="authenticate"`) {
		t.Fatalf("GET /: %d\n%s", st, body)
	}
	tag := strings.Index(body, `<script src="/_chirp/passkeys.js?v=`)
	if tag < 0 || !strings.Contains(body[tag:], `data-chirp="passkeys"`) || tag > strings.Index(body, "</body>") {
		t.Fatalf("GET /: no bridge <script tag before </body>:\n%s", body)
	}
	if st, h, js := get("/_chirp/passkeys.js"); st != http.StatusOK || !strings.Contains(h.Get("Content-Type"), "javascript") || !strings.Contains(js, "passkeys") {
		t.Fatalf("GET /_chirp/passkeys.js: %d %s", st, h.Get("Content-Type"))
	}
	if st, _, _ := get("/nope"); st != http.StatusNotFound {
		t.Errorf("GET /nope: %d, want 404", st)
	}
	if st, _, _ := get("/auth/passkey/login/begin"); st != http.StatusMethodNotAllowed {
		t.Errorf("GET /auth/passkey/login/begin: %d, want 405", st)
	}

	// Adding a passkey needs a user.
	if st, body, _ := b.Post("/auth/passkey/register/begin", []byte("{}")); st != http.StatusUnauthorized || testapp.Code(body) != "login_required" {
		t.Fatalf("register/begin signed out: %d %s", st, body)
	}
	if st, _ := form("/signin", url.Values{"name": {"ada"}}, "cross-site"); st != http.StatusForbidden {
		t.Fatalf("cross-site sign-in: %d, want 403", st)
	}
	st, body = form("/signin", url.Values{"name": {"ada"}}, "same-origin")
	if st != http.StatusOK || signedIn(body) != "ada" || !strings.Contains(body, `id="register"`) || !strings.Contains(body, `data-chirp="passkeys"`) {
		t.Fatalf("sign-in: %d\n%s", st, body)
	}

	auth := softauth.New()
	if _, err := b.Register("/auth/passkey", auth); err != nil {
		t.Fatal(err)
	}
	if _, _, body := get("/"); !strings.Contains(body, `<span id="passkeys">1</span>`) {
		t.Fatalf("page after adding a passkey:\n%s", body)
	}
	// The same authenticator cannot add a second one (it is excluded).
	if _, err := b.Register("/auth/passkey", auth); err == nil {
		t.Fatal("a second passkey on the same authenticator was registered")
	}

	if st, body := form("/signout", nil, "same-origin"); st != http.StatusOK || signedIn(body) != "" {
		t.Fatalf("sign-out: %d\n%s", st, body)
	}

	// Sign in with the passkey.
	opts, err := b.Begin("/auth/passkey/login/begin")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := auth.Get(opts, testapp.Origin, softauth.Tamper{})
	if err != nil {
		t.Fatal(err)
	}
	st, answer, err := b.Post("/auth/passkey/login/finish", resp)
	var res struct {
		OK       bool
		Redirect string
	}
	if err != nil || st != http.StatusOK || json.Unmarshal(answer, &res) != nil || !res.OK || res.Redirect != "/" {
		t.Fatalf("login/finish: %d %s %v", st, answer, err)
	}
	if _, _, body := get("/"); signedIn(body) != "ada" {
		t.Fatalf("page after a passkey sign-in:\n%s", body)
	}
	// Another browser is not signed in.
	other := testapp.NewBrowser(base)
	resp2, err := other.Client.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp2.Body.Close()
	if body, _ := io.ReadAll(resp2.Body); signedIn(string(body)) != "" {
		t.Fatal("a fresh browser is signed in")
	}
}
