package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chirpkit/passkeys/injector"
	"github.com/chirpkit/passkeys/internal/testapp"
	"github.com/chirpkit/passkeys/server"
)

func TestCheckCommand(t *testing.T) {
	t.Setenv("PASSKEY_RP_ID", "")
	t.Setenv("PASSKEY_ORIGIN", "")
	t.Setenv("PASSKEY_RELATED_ORIGINS", "")
	// A net/http app to probe over HTTP: the ready routes, a page and a stylesheet,
	// behind the injector.
	ts := httptest.NewUnstartedServer(nil)
	origin := "http://localhost:" + strings.Split(ts.Listener.Addr().String(), ":")[1]
	srv, err := server.New(server.Config{RPID: "localhost", Origins: []string{origin},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	testapp.Routes(srv, testapp.NewCredentials()).Mount(mux)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html><title>app</title><body><p>hello</p></body>")
	})
	mux.HandleFunc("GET /static/app.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		io.WriteString(w, "body{}")
	})
	ts.Config.Handler = injector.Middleware(injector.Options{})(mux)
	ts.Start()
	defer ts.Close()

	cases := []struct {
		args     []string
		code     int
		want     []string
		dontWant []string
	}{
		{[]string{"check", "--origin", origin, "--url", ts.URL}, 0, []string{"0 finding(s)", "probed"}, []string{"ERROR"}},
		{[]string{"check", "--deploy", "--origin", origin}, 1, []string{"ERROR passkeys.origin_http", "ERROR passkeys.rp_id_localhost", "WARNING passkeys.memory_store"}, nil},
		{[]string{"check", "--deploy", "--rp-id", "example.com", "--origin", "https://example.com", "--store", "redis"}, 0, []string{"0 finding(s)"}, nil},
		{[]string{"check", "--rp-id", "example.com", "--origin", "https://example.com", "--cookie-insecure"}, 1, []string{"ERROR passkeys.cookie_insecure"}, nil},
		{[]string{"check", "--rp-id", "example.com", "--origin", "https://example.com/"}, 2, []string{"ERROR passkeys.config", "trailing slash"}, nil},
		{[]string{"check", "--origin", origin, "--url", ts.URL, "--page", "/static/app.css"}, 0, []string{"WARNING passkeys.bridge_not_injected"}, nil},
		{[]string{"check", "--origin", origin, "--related-origin", "https://example.co.uk", "--url", ts.URL}, 1, []string{"ERROR passkeys.well_known_missing"}, nil},
		{[]string{"check", "--origin", origin, "--related-origin", "http://example.co.uk"}, 2, []string{"ERROR passkeys.config", "RelatedOrigins"}, nil},
		{[]string{"nope"}, 2, nil, nil},
	}
	for _, tc := range cases {
		var out, errOut bytes.Buffer
		code := run(tc.args, &out, &errOut)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d\n%s%s", tc.args, code, tc.code, out.String(), errOut.String())
		}
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%v: output lacks %q:\n%s", tc.args, w, out.String())
			}
		}
		for _, w := range tc.dontWant {
			if strings.Contains(out.String(), w) {
				t.Errorf("%v: output has %q:\n%s", tc.args, w, out.String())
			}
		}
	}
}
