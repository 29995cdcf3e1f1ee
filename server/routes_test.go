package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"

	"github.com/chirpkit/passkeys/internal/softauth"
)

// bob is a second account, for a registration finished by another account than began it.
var bob = User{ID: []byte("bob-handle-0002"), Name: "bob"}

// newRoutes returns Routes over a credential table, with alice (or bob) signed in when the
// request carries the cookie user=alice (user=bob), and alice known by that username for
// the allow list.
func newRoutes(t *testing.T) (*Routes, *credTable) {
	srv, err := New(Config{RPID: "localhost", Origins: []string{testOrigin}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	creds := newCredTable()
	users := map[string][]byte{"alice": alice.ID} // username -> handle
	return &Routes{
		Server:      srv,
		Credentials: creds,
		CurrentUser: func(r *http.Request) (*User, error) {
			c, err := r.Cookie("user")
			switch {
			case err != nil:
				return nil, nil
			case c.Value == "alice":
				return &alice, nil
			case c.Value == "bob":
				return &bob, nil
			}
			return nil, nil
		},
		Login: func(w http.ResponseWriter, r *http.Request, userID []byte) (string, error) {
			if !bytes.Equal(userID, alice.ID) {
				t.Errorf("login of %q", userID)
			}
			http.SetCookie(w, &http.Cookie{Name: "user", Value: "alice", Path: "/"})
			return "/dashboard", nil
		},
		AllowList: func(ctx context.Context, username string) ([][]byte, error) {
			if h, ok := users[username]; ok {
				return creds.CredentialIDs(ctx, h)
			}
			return nil, nil
		},
	}, creds
}

// TestRoutes runs the routes mounted on an http.ServeMux with Mount, and as an
// http.Handler under a prefix (as chi's Mount or mux.Handle(prefix+"/", routes) do).
func TestRoutes(t *testing.T) {
	for _, kind := range []string{"Mount", "Handler"} {
		t.Run(kind, func(t *testing.T) {
			rt, creds := newRoutes(t)
			var h http.Handler
			if kind == "Mount" {
				mux := http.NewServeMux()
				rt.Mount(mux)
				h = mux
			} else {
				mux := http.NewServeMux()
				mux.Handle("/auth/passkey/", rt)
				h = mux
			}
			ts := httptest.NewServer(h)
			defer ts.Close()
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar}
			post := func(path string, body []byte, hdr map[string]string) (int, []byte) {
				req, _ := http.NewRequest("POST", ts.URL+"/auth/passkey"+path, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				for k, v := range hdr {
					req.Header.Set(k, v)
				}
				resp, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, b
			}
			sameOrigin := map[string]string{"Sec-Fetch-Site": "same-origin"}

			st, body := post("/register/begin", nil, sameOrigin)
			wantCode(t, st, body, 401, CodeLoginRequired)

			jar.SetCookies(mustURL(ts.URL), []*http.Cookie{{Name: "user", Value: "alice"}})
			a := softauth.New()
			st, opts := post("/register/begin", nil, sameOrigin)
			if st != 200 {
				t.Fatalf("register begin %d %s", st, opts)
			}
			resp, _, err := a.Create(opts, testOrigin, softauth.Tamper{})
			if err != nil {
				t.Fatal(err)
			}
			if st, body := post("/register/finish", resp, sameOrigin); st != 200 {
				t.Fatalf("register finish %d %s", st, body)
			}
			if creds.len() != 1 {
				t.Fatalf("%d rows", creds.len())
			}

			// Cross-site requests are refused before any ceremony is begun.
			st, _ = post("/login/begin", nil, map[string]string{"Sec-Fetch-Site": "cross-site"})
			if st != http.StatusForbidden {
				t.Fatalf("cross-site begin: %d, want 403", st)
			}

			jar.SetCookies(mustURL(ts.URL), []*http.Cookie{{Name: "user", Value: "", MaxAge: -1}})
			for _, begin := range [][]byte{nil, []byte(`{"username":"alice"}`)} {
				st, opts = post("/login/begin", begin, sameOrigin)
				if st != 200 || (begin != nil) != bytes.Contains(opts, []byte("allowCredentials")) {
					t.Fatalf("login begin %s: %d %s", begin, st, opts)
				}
				resp, err = a.Get(opts, testOrigin, softauth.Tamper{})
				if err != nil {
					t.Fatal(err)
				}
				st, body = post("/login/finish", resp, sameOrigin)
				if st != 200 || !bytes.Contains(body, []byte(`"redirect":"/dashboard"`)) {
					t.Fatalf("login finish %d %s", st, body)
				}
			}
			if creds.used != 2 {
				t.Fatalf("UpdateCredential called %d times", creds.used)
			}
			st, body = post("/login/begin", []byte(`[`), sameOrigin)
			wantCode(t, st, body, 400, CodeBadRequest)
		})
	}
}

// TestRoutesHandlerMethodsAndPaths: as an http.Handler, Routes answers a GET of a
// ceremony path 405 with a JSON code and an Allow header, and other paths 404; nothing is
// begun.
func TestRoutesHandlerMethodsAndPaths(t *testing.T) {
	rt, _ := newRoutes(t)
	w := httptest.NewRecorder()
	rt.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/auth/passkey/login/begin", nil))
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "POST" || len(w.Result().Cookies()) != 0 {
		t.Fatalf("GET: %d %v %s", w.Code, w.Header(), w.Body)
	}
	w = httptest.NewRecorder()
	rt.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/auth/passkey/other", nil))
	if w.Code != http.StatusNotFound {
		t.Fatalf("other path: %d", w.Code)
	}
	if got := rt.Paths(); len(got) != 4 || got[0] != "/auth/passkey/register/begin" || got[3] != "/auth/passkey/login/finish" {
		t.Fatalf("Paths: %q", got)
	}
}

// TestRoutesRegisterBeginConditional: register/begin takes an optional body
// {"conditional": true}, which begins a conditional create: its finish accepts a response
// without user presence, which the finish of a ceremony begun without it refuses. A body
// that is not a JSON object is refused.
func TestRoutesRegisterBeginConditional(t *testing.T) {
	rt, creds := newRoutes(t)
	do := func(path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/auth/passkey"+path, bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.AddCookie(&http.Cookie{Name: "user", Value: "alice"})
		w := httptest.NewRecorder()
		rt.ServeHTTP(w, req)
		return w
	}
	for _, tc := range []struct {
		begin  string
		finish int
	}{{"", 400}, {"{}", 400}, {`{"conditional":true}`, 200}} {
		w := do("/register/begin", tc.begin)
		if w.Code != 200 {
			t.Fatalf("begin %q: %d %s", tc.begin, w.Code, w.Body)
		}
		resp, _, err := softauth.New().Create(w.Body.Bytes(), testOrigin, softauth.Tamper{NoUserPresence: true})
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("POST", "/auth/passkey/register/finish", bytes.NewReader(resp))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.AddCookie(&http.Cookie{Name: "user", Value: "alice"})
		for _, c := range w.Result().Cookies() {
			req.AddCookie(c)
		}
		fw := httptest.NewRecorder()
		rt.ServeHTTP(fw, req)
		if fw.Code != tc.finish {
			t.Fatalf("begin %q, finish without user presence: %d %s, want %d", tc.begin, fw.Code, fw.Body, tc.finish)
		}
	}
	if creds.len() != 1 {
		t.Fatalf("%d rows, want 1", creds.len())
	}
	if w := do("/register/begin", "["); w.Code != 400 {
		t.Fatalf("begin with a bad body: %d %s", w.Code, w.Body)
	}
}
