package ginpasskeys_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/bridge"
	"github.com/chirpkit/passkeys/ginpasskeys"
	"github.com/chirpkit/passkeys/injector"
	"github.com/chirpkit/passkeys/internal/injectortest"
	"github.com/chirpkit/passkeys/internal/softauth"
	"github.com/chirpkit/passkeys/internal/testapp"
	"github.com/chirpkit/passkeys/server"
	"github.com/gin-gonic/gin"
)

// countingStore is the memory store, counting the ceremonies begun.
type countingStore struct {
	server.CeremonyStore
	puts atomic.Int32
}

func (s *countingStore) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	s.puts.Add(1)
	return s.CeremonyStore.Put(ctx, key, value, ttl)
}

// app is testapp's routes with a counting store, for an engine to mount.
type app struct {
	routes *server.Routes
	creds  *testapp.Credentials
	store  *countingStore
}

func newApp(t *testing.T, prefix string) *app {
	t.Helper()
	store := &countingStore{CeremonyStore: server.NewMemoryStore(server.MemoryStoreOptions{})}
	srv, err := server.New(testapp.Config(store))
	if err != nil {
		t.Fatal(err)
	}
	a := &app{creds: testapp.NewCredentials(), store: store}
	a.routes = testapp.Routes(srv, a.creds)
	a.routes.Prefix = prefix
	return a
}

// ceremonies registers a passkey and signs in with it through the engine at url, under
// prefix, and checks the answers and what was stored.
func (a *app) ceremonies(t *testing.T, url, prefix string) {
	t.Helper()
	b := testapp.NewBrowser(url)
	auth := softauth.New()
	if _, err := b.Register(prefix, auth); err != nil {
		t.Fatal(err)
	}
	if n := a.creds.Len(); n != 1 {
		t.Fatalf("%d credentials after the registration", n)
	}
	opts, err := b.Begin(prefix + "/login/begin")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := auth.Get(opts, testapp.Origin, softauth.Tamper{})
	if err != nil {
		t.Fatal(err)
	}
	st, body, err := b.Post(prefix+"/login/finish", resp)
	if err != nil {
		t.Fatal(err)
	}
	var answer struct {
		OK       bool   `json:"ok"`
		Redirect string `json:"redirect"`
	}
	if st != 200 || json.Unmarshal(body, &answer) != nil || !answer.OK || answer.Redirect != "/home" {
		t.Fatalf("sign-in: %d %s", st, body)
	}
	if n := a.store.puts.Load(); n != 2 {
		t.Errorf("%d ceremonies begun, want 2", n)
	}
	// The ceremony is taken by its finish: it cannot be finished twice.
	if st, body, _ := b.Post(prefix+"/login/finish", resp); st == 200 {
		t.Errorf("replayed sign-in: %d %s", st, body)
	}
}

// postRoutes returns the paths of the engine's POST routes, and fails on any other.
func postRoutes(t *testing.T, e *gin.Engine) []string {
	t.Helper()
	var paths []string
	for _, ri := range e.Routes() {
		if ri.Method != http.MethodPost {
			t.Errorf("route %s %s", ri.Method, ri.Path)
		}
		paths = append(paths, ri.Path)
	}
	slices.Sort(paths)
	return paths
}

// TestMount: the four routes answer POST through gin, a whole registration and a
// sign-in.
func TestMount(t *testing.T) {
	a := newApp(t, "")
	e := gin.New()
	ginpasskeys.Mount(e, a.routes)
	want := slices.Sorted(slices.Values(a.routes.Paths()))
	if got := postRoutes(t, e); !slices.Equal(got, want) || len(got) != 4 {
		t.Fatalf("routes %v, want %v", got, want)
	}
	srv := httptest.NewServer(e)
	defer srv.Close()
	a.ceremonies(t, srv.URL, "/auth/passkey")
}

// TestMountGroup: on a group, the routes answer at Routes.Prefix, which must lie under
// the group's base path.
func TestMountGroup(t *testing.T) {
	a := newApp(t, "/app/auth/passkey")
	e := gin.New()
	ginpasskeys.Mount(e.Group("/app/"), a.routes)
	if got, want := postRoutes(t, e), slices.Sorted(slices.Values(a.routes.Paths())); !slices.Equal(got, want) {
		t.Fatalf("routes %v, want %v", got, want)
	}
	srv := httptest.NewServer(e)
	defer srv.Close()
	a.ceremonies(t, srv.URL, "/app/auth/passkey")

	for _, base := range []string{"/app", "/ap", "/auth/passkey/login"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Mount on %s with the default prefix did not panic", base)
				}
			}()
			ginpasskeys.Mount(gin.New().Group(base), newApp(t, "").routes)
		}()
	}
}

// TestMountOtherMethods: a route asked with another method gets gin's own answer (404
// by default, 405 with HandleMethodNotAllowed), and nothing is begun.
func TestMountOtherMethods(t *testing.T) {
	for _, hmna := range []bool{false, true} {
		a := newApp(t, "")
		e := gin.New()
		e.HandleMethodNotAllowed = hmna
		ginpasskeys.Mount(e, a.routes)
		for _, p := range a.routes.Paths() {
			for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete} {
				rec := httptest.NewRecorder()
				r := httptest.NewRequest(m, p, strings.NewReader("{}"))
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("Sec-Fetch-Site", "same-origin")
				e.ServeHTTP(rec, r)
				code, body, allow := 404, "404 page not found", ""
				if hmna {
					code, body, allow = 405, "405 method not allowed", "POST"
				}
				if rec.Code != code || rec.Body.String() != body || rec.Header().Get("Allow") != allow {
					t.Errorf("HandleMethodNotAllowed %v, %s %s: %d %q Allow %q", hmna, m, p,
						rec.Code, rec.Body.String(), rec.Header().Get("Allow"))
				}
				if c := rec.Header().Values("Set-Cookie"); len(c) != 0 {
					t.Errorf("%s %s set cookies %v", m, p, c)
				}
			}
		}
		if n := a.store.puts.Load(); n != 0 {
			t.Errorf("HandleMethodNotAllowed %v: %d ceremonies begun", hmna, n)
		}
	}
}

// TestMiddlewareAndMount: the middleware and the routes on one engine. Pages get the
// tag, the script is served, the ceremonies' JSON passes through untouched.
func TestMiddlewareAndMount(t *testing.T) {
	a := newApp(t, "")
	e := gin.New()
	e.Use(ginpasskeys.Middleware(injector.Options{}))
	ginpasskeys.Mount(e, a.routes)
	e.GET("/", func(c *gin.Context) { c.Data(200, "text/html; charset=utf-8", []byte(injectortest.Page)) })
	srv := httptest.NewServer(e)
	defer srv.Close()

	get := func(path string) (*http.Response, string) {
		t.Helper()
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, string(b)
	}
	if res, body := get("/"); res.StatusCode != 200 || body != injectortest.Injected(injectortest.Page, injectortest.DefaultTag) {
		t.Errorf("page: %d %q", res.StatusCode, body)
	}
	if res, body := get(injector.DefaultPath + "?v=" + bridge.Version()); res.StatusCode != 200 || body != string(bridge.Script()) {
		t.Errorf("script: %d, %d bytes", res.StatusCode, len(body))
	}
	if res, body := get("/auth/passkey/login/begin"); res.StatusCode != 404 || body != "404 page not found" {
		t.Errorf("GET a route: %d %q", res.StatusCode, body)
	}
	if n := a.store.puts.Load(); n != 0 {
		t.Errorf("GET a route began %d ceremonies", n)
	}
	a.ceremonies(t, srv.URL, "/auth/passkey")
}
