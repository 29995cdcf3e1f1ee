package server

import (
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/chirpkit/passkeys/injector"
)

func TestCheckFindings(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	mk := func(t *testing.T, cfg Config) *Server {
		cfg.Logger = quiet
		s, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!doctype html><html><body><h1>Hi</h1></body></html>")
	})
	// app builds a handler: the page, the ceremony routes (protected or not), the injector (or not).
	app := func(s *Server, protected, bridge bool) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/", page)
		begin := http.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_ = s.BeginAuthentication(w, r, AuthenticationOptions{})
		}))
		if protected {
			begin = http.NewCrossOriginProtection().Handler(begin)
		}
		mux.Handle("POST /auth/passkey/login/begin", begin)
		if bridge {
			return injector.Middleware(injector.Options{})(mux)
		}
		return mux
	}
	https := Config{RPID: "example.com", Origins: []string{"https://example.com"}}
	dev := Config{RPID: "localhost", Origins: []string{"http://localhost:8000"}}
	cases := []struct {
		name    string
		cfg     Config
		deploy  bool
		handler func(*Server) http.Handler
		want    map[string]Severity // every finding expected, by ID
	}{
		{"good production setup", https, true, func(s *Server) http.Handler { return app(s, true, true) },
			map[string]Severity{"passkeys.memory_store": SeverityWarning}},
		{"dev setup outside deploy mode", dev, false, func(s *Server) http.Handler { return app(s, true, true) },
			map[string]Severity{}},
		{"http origin in deploy", dev, true, nil,
			map[string]Severity{"passkeys.origin_http": SeverityError, "passkeys.rp_id_localhost": SeverityError, "passkeys.memory_store": SeverityWarning}},
		{"routes without CSRF protection", dev, false, func(s *Server) http.Handler { return app(s, false, true) },
			map[string]Severity{"passkeys.csrf": SeverityError}},
		{"routes missing", dev, false, func(s *Server) http.Handler { return injector.Middleware(injector.Options{})(page) },
			map[string]Severity{"passkeys.routes_missing": SeverityError}},
		{"bridge neither injected nor served", dev, false, func(s *Server) http.Handler { return app(s, true, false) },
			map[string]Severity{"passkeys.bridge_missing": SeverityError}},
		{"insecure cookie under https", Config{RPID: "example.com", Origins: []string{"https://example.com"}, Cookie: CookieConfig{Insecure: true}}, false, nil,
			map[string]Severity{"passkeys.cookie_insecure": SeverityError}},
		{"sign count only flagged, long ttl", Config{RPID: "localhost", Origins: []string{"http://localhost"}, SignCount: SignCountFlag, ChallengeTTL: 20 * 60e9}, false, nil,
			map[string]Severity{"passkeys.sign_count_flag": SeverityWarning, "passkeys.challenge_ttl": SeverityWarning}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := mk(t, tc.cfg)
			opts := CheckOptions{Deploy: tc.deploy}
			if tc.handler != nil {
				opts.Handler = tc.handler(s)
			}
			got := Check(s, opts)
			seen := map[string]bool{}
			for i, f := range got {
				seen[f.ID] = true
				if want, ok := tc.want[f.ID]; !ok || want != f.Severity {
					t.Errorf("unexpected finding %s", f)
				}
				if f.Message == "" || f.Fix == "" {
					t.Errorf("finding without message or fix: %+v", f)
				}
				if i > 0 && f.Severity == SeverityError && got[i-1].Severity != SeverityError {
					t.Errorf("errors must come first")
				}
			}
			for id := range tc.want {
				if !seen[id] {
					t.Errorf("missing finding %s", id)
				}
			}
		})
	}
}
