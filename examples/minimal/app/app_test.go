package app

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

func newTestApp(t *testing.T) http.Handler {
	a, err := New(Options{DB: filepath.Join(t.TempDir(), "t.db"), RPID: "localhost", Origins: []string{"http://localhost:8000"},
		BcryptCost: 4, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a.Handler()
}

// TestPages checks the contract of the skeleton that needs no browser: pages, CSRF meta,
// 403 without the token, 401 JSON for a passkey registration without a user, HEAD.
func TestPages(t *testing.T) {
	h := newTestApp(t)
	do := func(method, path, body string, hdr map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "http://localhost:8000"+path, strings.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for _, path := range []string{"/", "/signup", "/login"} {
		rec := do("GET", path, "", nil)
		b := rec.Body.String()
		if rec.Code != 200 || !strings.Contains(b, `<meta name="csrf-token" content="`) || !strings.Contains(b, `data-chirp="passkeys"`) {
			t.Errorf("GET %s: %d, csrf meta or bridge missing:\n%s", path, rec.Code, b)
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self' 'nonce-") {
			t.Errorf("GET %s: CSP %q", path, csp)
		}
		// net/http drops a HEAD body; the injector must leave HEAD alone.
		head := do("HEAD", path, "", nil)
		if head.Code != 200 || strings.Contains(head.Body.String(), `data-chirp="passkeys"`) {
			t.Errorf("HEAD %s: %d, injected: %v", path, head.Code, strings.Contains(head.Body.String(), "data-chirp"))
		}
	}
	if rec := do("GET", "/dashboard", "", nil); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login" {
		t.Errorf("dashboard without a user: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	json := map[string]string{"Content-Type": "application/json"}
	if rec := do("POST", "/auth/passkey/login/begin", "{}", json); rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "csrf_failed") {
		t.Errorf("POST without CSRF token: %d %s", rec.Code, rec.Body.String())
	}
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	if rec := do("POST", "/signup", "username=a&password=longenough", form); rec.Code != http.StatusForbidden {
		t.Errorf("form POST without CSRF token: %d", rec.Code)
	}
}
