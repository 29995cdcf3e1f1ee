package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/examples/minimal/app"
	"github.com/chirpkit/passkeys/internal/softauth"
)

// urlLog is a slog handler that passes on the "url" attribute of every record.
type urlLog struct {
	slog.Handler
	urls chan string
}

func (urlLog) Enabled(context.Context, slog.Level) bool { return true }

func (h urlLog) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "url" {
			h.urls <- a.Value.String()
		}
		return true
	})
	return nil
}

// TestRunOnAnotherAddr starts the app on a port other than 8000 without PASSKEY_ORIGIN
// (the default used to stay http://localhost:8000, so every ceremony failed) and runs
// a registration and a sign-in at the URL it logs, as a browser there would.
func TestRunOnAnotherAddr(t *testing.T) {
	t.Setenv("PASSKEY_ORIGIN", "")
	t.Setenv("PASSKEY_RP_ID", "")
	for _, addr := range []string{"localhost:0", "127.0.0.1:0"} {
		t.Run(addr, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			urls := make(chan string, 4)
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, addr, "", app.Options{DB: filepath.Join(t.TempDir(), "t.db"), Logger: slog.New(urlLog{slog.DiscardHandler, urls})})
			}()
			defer func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("run: %v", err)
				}
			}()
			var base string
			select {
			case base = <-urls:
			case err := <-done:
				t.Fatalf("run returned before serving: %v", err)
			case <-time.After(10 * time.Second):
				t.Fatal("no url logged")
			}
			u, err := url.Parse(base)
			if err != nil || u.Scheme != "http" || u.Hostname() != "localhost" || u.Port() == "" || u.Port() == "8000" || u.Path != "" {
				t.Fatalf("logged url %q, want http://localhost:PORT with the port listened on", base)
			}
			runCeremonies(t, base)
		})
	}
}

// runCeremonies signs up at base, adds a passkey made for origin base, and signs in with
// it in a fresh browser.
func runCeremonies(t *testing.T, base string) {
	auth := softauth.New()
	b := newBrowser(t, base)
	csrf := b.csrf("/signup")
	st, _ := b.post("/signup", "application/x-www-form-urlencoded",
		url.Values{"username": {"ada"}, "password": {"correct horse"}, "csrf_token": {csrf}}.Encode(), "")
	if st != http.StatusOK { // after the redirect to /dashboard
		t.Fatalf("signup: %d", st)
	}
	csrf = b.csrf("/dashboard")

	opts := b.begin("/auth/passkey/register/begin", csrf)
	var creation struct{ RP struct{ ID string } }
	if err := json.Unmarshal(opts, &creation); err != nil || creation.RP.ID != "localhost" {
		t.Fatalf("register/begin: rp id %q (%v) in %s", creation.RP.ID, err, opts)
	}
	// The old default origin is refused: the app is not at http://localhost:8000.
	resp, _, err := auth.Create(opts, "http://localhost:8000", softauth.Tamper{})
	if err != nil {
		t.Fatal(err)
	}
	if st, body := b.post("/auth/passkey/register/finish", "application/json", string(resp), csrf); st == http.StatusOK {
		t.Fatalf("register/finish from http://localhost:8000 accepted: %s", body)
	}
	auth.Creds = nil
	resp, _, err = auth.Create(b.begin("/auth/passkey/register/begin", csrf), base, softauth.Tamper{})
	if err != nil {
		t.Fatal(err)
	}
	if st, body := b.post("/auth/passkey/register/finish", "application/json", string(resp), csrf); st != http.StatusOK {
		t.Fatalf("register/finish from %s: %d %s", base, st, body)
	}

	b = newBrowser(t, base)
	csrf = b.csrf("/login")
	opts = b.begin("/auth/passkey/login/begin", csrf)
	var request struct{ RPID string }
	if err := json.Unmarshal(opts, &request); err != nil || request.RPID != "localhost" {
		t.Fatalf("login/begin: rp id %q (%v) in %s", request.RPID, err, opts)
	}
	resp, err = auth.Get(opts, base, softauth.Tamper{})
	if err != nil {
		t.Fatal(err)
	}
	if st, body := b.post("/auth/passkey/login/finish", "application/json", string(resp), csrf); st != http.StatusOK {
		t.Fatalf("login/finish: %d %s", st, body)
	}
	if st, body := b.get("/dashboard"); st != http.StatusOK || !strings.Contains(body, "ada") {
		t.Fatalf("dashboard after a passkey sign-in: %d\n%s", st, body)
	}
}

type browser struct {
	t      *testing.T
	base   string
	client *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, client: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

func (b *browser) do(req *http.Request) (int, string) {
	b.t.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends body with the Origin header a browser on base sends, and the CSRF token.
func (b *browser) post(path, contentType, body, csrf string) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Origin", b.base)
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	return b.do(req)
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)

// csrf returns the CSRF token of the page at path.
func (b *browser) csrf(path string) string {
	b.t.Helper()
	st, body := b.get(path)
	m := csrfMeta.FindStringSubmatch(body)
	if st != http.StatusOK || m == nil {
		b.t.Fatalf("GET %s: %d, no CSRF token", path, st)
	}
	return m[1]
}

// begin posts {} to a begin route and returns the options.
func (b *browser) begin(path, csrf string) []byte {
	b.t.Helper()
	st, body := b.post(path, "application/json", "{}", csrf)
	if st != http.StatusOK {
		b.t.Fatal(fmt.Sprintf("%s: %d %s", path, st, body))
	}
	return []byte(body)
}
