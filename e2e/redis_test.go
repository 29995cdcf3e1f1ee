package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"sync"
	"testing"

	"github.com/chirpkit/passkeys/examples/minimal/app"
	"github.com/chirpkit/passkeys/internal/redistest"
	"github.com/chirpkit/passkeys/redisstore"
	"github.com/chirpkit/passkeys/server"
	"github.com/chromedp/chromedp"
	"github.com/redis/go-redis/v9"
)

// Scenario 14: two instances of the app behind one origin, sign-in begun on one and
// finished on the other. A reverse proxy on the origin's port sends
// /auth/passkey/login/begin to instance A and everything else to B; both share one
// SQLite file (users, passkeys, sessions). With a shared Redis ceremony store the
// sign-in succeeds; with each instance's own memory store it fails challenge_missing.
func TestTwoInstancesBehindOneOrigin(t *testing.T) {
	t.Parallel()
	rs := redistest.Start(t)
	client := redis.NewClient(&redis.Options{Addr: rs.Addr})
	t.Cleanup(func() { client.Close() })

	for _, tc := range []struct {
		name  string
		store func(prefix string) server.CeremonyStore // nil: the memory store
		code  string                                   // "" for success
	}{
		{"shared redis store", func(prefix string) server.CeremonyStore {
			return redisstore.New(client, redisstore.Options{Prefix: prefix})
		}, ""},
		{"memory store per instance", nil, "challenge_missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			origin := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
			db := filepath.Join(t.TempDir(), "shared.db")
			prefix := rs.Prefix + t.Name() + ":"
			instance := func() *site {
				return startApp(t, func(o *app.Options) {
					o.DB, o.Origins = db, []string{origin}
					if tc.store != nil {
						o.Store = tc.store(prefix)
					}
				})
			}
			a, b := instance(), instance()

			var mu sync.Mutex
			served := map[string]string{} // path of each ceremony POST → instance
			const beginPath = "/auth/passkey/login/begin"
			proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
				to, name := b, "B"
				if pr.In.URL.Path == beginPath {
					to, name = a, "A"
				}
				u, _ := url.Parse(to.URL)
				pr.SetURL(u)
				pr.Out.Host = pr.In.Host // the origin's host, which the apps check
				if pr.In.Method == http.MethodPost {
					mu.Lock()
					served[pr.In.URL.Path] = name
					mu.Unlock()
				}
			}}
			srv := httptest.NewUnstartedServer(proxy)
			srv.Listener.Close()
			srv.Listener = ln
			srv.Start()
			t.Cleanup(srv.Close)
			front := &site{URL: origin}

			tab, _ := browse(t)
			signUp(t, tab, front, "ada")
			if _, perr := outcome(t, tab, registerWith); perr != nil {
				t.Fatalf("registration: %+v", perr)
			}
			clickThenAt(t, tab, "#logout", "/")
			res, perr := outcome(t, tab, authenticateWith)
			mu.Lock()
			route := fmt.Sprint(served["/auth/passkey/login/begin"], " → ", served["/auth/passkey/login/finish"])
			mu.Unlock()
			if route != "A → B" {
				t.Fatalf("sign-in went %s, want begin on A and finish on B", route)
			}
			if tc.code == "" {
				if perr != nil {
					t.Fatalf("sign-in: %+v", perr)
				}
				if res["redirect"] != "/dashboard" {
					t.Fatalf("sign-in answered %v", res)
				}
				run(t, tab, chromedp.Navigate(origin+"/dashboard"))
				expectText(t, tab, "h1", "Welcome, ada") // the session B started
				// The ceremonies were used up: nothing is left under the prefix.
				if keys, err := client.Keys(t.Context(), prefix+"*").Result(); err != nil || len(keys) != 0 {
					t.Fatalf("redis keys left: %v (%v)", keys, err)
				}
				return
			}
			expectPasskeyError(t, perr, "failed", "server_rejected")
			if perr.ServerCode != tc.code {
				t.Fatalf("got %+v, want serverCode %s", perr, tc.code)
			}
		})
	}
}
