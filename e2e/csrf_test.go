package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chirpkit/passkeys/e2e/virtualauth"
	"github.com/chromedp/chromedp"
)

// hit is one request the app saw, with the status it answered.
type hit struct {
	Method, Path, SecFetchSite, Origin string
	Status                             int
	ContentType                        string // of the answer
}

// recorder wraps the app's handler and records every request and its status.
type recorder struct {
	mu   sync.Mutex
	hits []hit
}

func (rec *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		rec.mu.Lock()
		rec.hits = append(rec.hits, hit{r.Method, r.URL.Path, r.Header.Get("Sec-Fetch-Site"), r.Header.Get("Origin"), sw.status, w.Header().Get("Content-Type")})
		rec.mu.Unlock()
	})
}

// posts returns the POSTs to path seen so far.
func (rec *recorder) posts(path string) []hit {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var out []hit
	for _, h := range rec.hits {
		if h.Method == http.MethodPost && h.Path == path {
			out = append(out, h)
		}
	}
	return out
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Scenario 11: ceremony POSTs without the CSRF token, or from another origin, get 403.
func TestCeremonyPostsNeedCSRFTokenAndSameOrigin(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	s := startAppWrapped(t, nil, rec.wrap)
	tab, _ := browse(t)
	signUp(t, tab, s, "ada")

	t.Run("no CSRF token", func(t *testing.T) {
		for _, path := range []string{"/auth/passkey/login/begin", "/auth/passkey/login/finish", "/auth/passkey/register/begin", "/auth/passkey/register/finish"} {
			var a answer
			evalJS(t, tab, `return post(`+mustJSON(t, path)+`, {}, "");`, &a)
			if a.Status != http.StatusForbidden || a.JSON["code"] != "csrf_failed" {
				t.Errorf("%s without a CSRF token: %+v, want 403 csrf_failed", path, a)
			}
			var b answer
			evalJS(t, tab, `return post(`+mustJSON(t, path)+`, {}, "wrong");`, &b)
			if b.Status != http.StatusForbidden || b.JSON["code"] != "csrf_failed" {
				t.Errorf("%s with a wrong CSRF token: %+v, want 403 csrf_failed", path, b)
			}
		}
		// The same request with the token passes the check (and reaches the verb).
		var a answer
		evalJS(t, tab, `return post("/auth/passkey/login/begin", {});`, &a)
		if a.Status != http.StatusOK {
			t.Fatalf("begin with the CSRF token: %+v", a)
		}
	})

	// The attacker's page, on another port. http://localhost:OTHER is cross-origin but
	// same-site (a site is scheme + registrable domain, ports do not count);
	// http://127.0.0.1:OTHER is cross-site. http.CrossOriginProtection lets only
	// "same-origin" and "none" through, so it refuses both.
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><title>attacker</title><p>Win a prize!</p>")
	}))
	t.Cleanup(attacker.Close)
	port := attacker.Listener.Addr().(*net.TCPAddr).Port
	target := s.URL + "/auth/passkey/login/begin"

	for _, tc := range []struct {
		name, origin, site, how string
	}{
		{"same-site fetch", fmt.Sprintf("http://localhost:%d", port), "same-site", "fetch"},
		{"same-site form", fmt.Sprintf("http://localhost:%d", port), "same-site", "form"},
		{"cross-site fetch", fmt.Sprintf("http://127.0.0.1:%d", port), "cross-site", "fetch"},
		{"cross-site form", fmt.Sprintf("http://127.0.0.1:%d", port), "cross-site", "form"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(rec.posts("/auth/passkey/login/begin"))
			run(t, tab, chromedp.Navigate(tc.origin+"/"))
			var js string
			if tc.how == "fetch" {
				// no-cors: the answer is opaque, so the server side is observed instead.
				js = `fetch(` + mustJSON(t, target) + `, {method: "POST", mode: "no-cors", credentials: "include",
					headers: {"Content-Type": "text/plain"}, body: '{"username":"ada"}'}).then(r => r.type)`
			} else {
				js = `(() => { const f = document.createElement("form"); f.method = "POST"; f.action = ` + mustJSON(t, target) + `;
					const i = document.createElement("input"); i.name = "username"; i.value = "ada"; f.append(i);
					document.body.append(f); f.submit(); return "submitted"; })()`
			}
			var res string
			if err := virtualauth.Eval(tab, js, &res); err != nil {
				t.Fatal(err)
			}
			var got []hit
			waitFor(t, "the app to see the POST", func() bool {
				got = rec.posts("/auth/passkey/login/begin")[before:]
				return len(got) > 0
			})
			h := got[0]
			if len(got) != 1 || h.Status != http.StatusForbidden || h.SecFetchSite != tc.site || h.Origin != tc.origin {
				t.Fatalf("the app saw %+v, want one POST from %s with Sec-Fetch-Site %s answered 403", got, tc.origin, tc.site)
			}
			// Refused by http.CrossOriginProtection (a text/plain 403), before the app's
			// CSRF token check (a JSON csrf_failed for /auth/ paths).
			if !strings.HasPrefix(h.ContentType, "text/plain") {
				t.Fatalf("the 403 has Content-Type %q, want text/plain from CrossOriginProtection", h.ContentType)
			}
			t.Logf("%s from %s: Sec-Fetch-Site %q, status %d", tc.how, h.Origin, h.SecFetchSite, h.Status)
		})
	}
}
