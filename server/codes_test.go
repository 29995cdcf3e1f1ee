package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/internal/codes"
	"github.com/chirpkit/passkeys/internal/softauth"
)

// tableStatus is the status internal/codes documents for a server code, 0 for none.
func tableStatus(code string) int {
	for _, c := range codes.ServerCodes {
		if c.Name == code {
			return c.Status
		}
	}
	return 0
}

// TestStatusOf: statusOf (generated) answers the table's status for every server code,
// newError takes its status from it, and no Code constant of this package, generated or
// written by hand, lacks a status.
func TestStatusOf(t *testing.T) {
	for _, c := range codes.ServerCodes {
		if c.Status < 400 || http.StatusText(c.Status) == "" {
			t.Errorf("table: %s has status %d, not an HTTP error status", c.Name, c.Status)
		}
		if got := statusOf(c.Name); got != c.Status {
			t.Errorf("statusOf(%q) = %d, the table says %d", c.Name, got, c.Status)
		}
		if e := newError(c.Name, "m", nil); e.Status != c.Status || e.Code != c.Name {
			t.Errorf("newError(%q) = %d %s, the table says %d", c.Name, e.Status, e.Code, c.Status)
		}
	}
	if got := statusOf("no_such_code"); got != 0 {
		t.Errorf("statusOf of an unknown code = %d, want 0", got)
	}

	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	found := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, id := range vs.Names {
					if !strings.HasPrefix(id.Name, "Code") {
						continue
					}
					found++
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						t.Errorf("%s: %s is not a string literal", fset.Position(id.Pos()), id.Name)
						continue
					}
					v, _ := strconv.Unquote(lit.Value)
					if statusOf(v) == 0 || tableStatus(v) == 0 {
						t.Errorf("%s: %s = %q is a server code without a status: add it to internal/codes/codes.go and run go generate ./internal/codes",
							fset.Position(id.Pos()), id.Name, v)
					}
				}
			}
		}
	}
	if found != len(codes.ServerCodes) {
		t.Errorf("%d Code constants in the package, %d server codes in the table", found, len(codes.ServerCodes))
	}
}

// downStore is a ceremony store that fails every call once down is set (Redis down).
type downStore struct {
	CeremonyStore
	down atomic.Bool
}

var errDown = errors.New("test: store down")

func (s *downStore) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if s.down.Load() {
		return errDown
	}
	return s.CeremonyStore.Put(ctx, key, value, ttl)
}

func (s *downStore) Take(ctx context.Context, key string) ([]byte, bool, error) {
	if s.down.Load() {
		return nil, false, errDown
	}
	return s.CeremonyStore.Take(ctx, key)
}

// verbEnv is a scenario's app: a rig whose ceremony store can go down, a browser, and an
// authenticator whose credential is registered.
type verbEnv struct {
	g     *rig
	b     *http.Client
	a     *softauth.Authenticator
	store *downStore
}

func (e verbEnv) post(path string, body []byte) (int, []byte) { return e.g.post(e.b, path, body) }

// postText posts a body that is not JSON.
func (e verbEnv) postText(path string) (int, []byte) {
	resp, err := e.b.Post(e.g.http.URL+path, "text/plain", strings.NewReader("{}"))
	if err != nil {
		e.g.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	return resp.StatusCode, body.Bytes()
}

// get calls a finish verb with a GET.
func (e verbEnv) get(verb func(w http.ResponseWriter, r *http.Request)) (int, []byte) {
	w := httptest.NewRecorder()
	verb(w, httptestRequest(http.MethodGet, "/finish", ""))
	return recorded(e.g.t, w)
}

func (e verbEnv) loginResponse(tamper softauth.Tamper) []byte {
	e.g.t.Helper()
	resp, err := e.a.Get(e.g.begin(e.b, "/login/begin"), testOrigin, tamper)
	if err != nil {
		e.g.t.Fatal(err)
	}
	return resp
}

func (e verbEnv) registrationResponse(origin string, tamper softauth.Tamper) []byte {
	e.g.t.Helper()
	resp, _, err := softauth.New().Create(e.g.begin(e.b, "/register/begin"), origin, tamper)
	if err != nil {
		e.g.t.Fatal(err)
	}
	return resp
}

// challengeOfOptions returns the challenge of begin options.
func challengeOfOptions(t *testing.T, opts []byte) string {
	t.Helper()
	var o struct{ Challenge string }
	if err := json.Unmarshal(opts, &o); err != nil || o.Challenge == "" {
		t.Fatalf("options %s: %v", opts, err)
	}
	return o.Challenge
}

// recorded returns a recorder's status and body, and checks that a 405 says what is allowed.
func recorded(t *testing.T, w *httptest.ResponseRecorder) (int, []byte) {
	t.Helper()
	if w.Code == http.StatusMethodNotAllowed && w.Header().Get("Allow") != http.MethodPost {
		t.Fatalf("405 with Allow %q", w.Header().Get("Allow"))
	}
	return w.Code, w.Body.Bytes()
}

// untilRefused posts to a begin path until it is refused (at most 5 times) and returns the
// refusal.
func untilRefused(e verbEnv, path string) (int, []byte) {
	for range 5 {
		if st, body := e.post(path, nil); st != http.StatusOK {
			return st, body
		}
	}
	e.g.t.Fatalf("%s: 5 begins in a row admitted", path)
	return 0, nil
}

// verbCases drive each verb into every failure code it can answer.
var verbCases = []struct {
	verb, code string
	cfg        func(*Config)
	run        func(e verbEnv) (int, []byte)
}{
	{"BeginRegistration", CodeInternal, nil, func(e verbEnv) (int, []byte) {
		w := httptest.NewRecorder()
		_ = e.g.srv.BeginRegistration(w, httptestRequest(http.MethodPost, "/register/begin", ""), User{Name: "no handle"}, RegistrationOptions{})
		return recorded(e.g.t, w)
	}},
	{"BeginRegistration", CodeStoreUnavailable, nil, func(e verbEnv) (int, []byte) {
		e.store.down.Store(true)
		return e.post("/register/begin", nil)
	}},

	{"BeginRegistration", CodeRateLimited, func(c *Config) { c.ClientLimit = ClientLimit{Burst: 2, Rate: 1e-3} }, func(e verbEnv) (int, []byte) {
		return untilRefused(e, "/register/begin")
	}},

	{"BeginAuthentication", CodeRateLimited, func(c *Config) { c.ClientLimit = ClientLimit{Burst: 2, Rate: 1e-3} }, func(e verbEnv) (int, []byte) {
		return untilRefused(e, "/login/begin")
	}},
	{"BeginAuthentication", CodeStoreUnavailable, nil, func(e verbEnv) (int, []byte) {
		e.store.down.Store(true)
		return e.post("/login/begin", nil)
	}},
	{"BeginAuthentication", CodeStoreUnavailable, func(c *Config) { c.Store = NewMemoryStore(MemoryStoreOptions{Capacity: 2}) }, func(e verbEnv) (int, []byte) {
		e.g.begin(e.b, "/login/begin")
		e.g.begin(e.b, "/login/begin")
		return e.post("/login/begin", nil) // the store is full
	}},

	{"FinishRegistration", CodeMethodNotAllowed, nil, func(e verbEnv) (int, []byte) {
		return e.get(func(w http.ResponseWriter, r *http.Request) { _, _ = e.g.srv.FinishRegistration(w, r) })
	}},
	{"FinishRegistration", CodeUnsupportedMediaType, nil, func(e verbEnv) (int, []byte) { return e.postText("/register/finish") }},
	{"FinishRegistration", CodePayloadTooLarge, func(c *Config) { c.MaxBodyBytes = 1024 }, func(e verbEnv) (int, []byte) {
		return e.post("/register/finish", bytes.Repeat([]byte(" "), 2048))
	}},
	{"FinishRegistration", CodeBadRequest, nil, func(e verbEnv) (int, []byte) { return e.post("/register/finish", []byte("{nope")) }},
	{"FinishRegistration", CodeChallengeMissing, nil, func(e verbEnv) (int, []byte) {
		return e.g.post(e.g.browser(), "/register/finish", e.registrationResponse(testOrigin, softauth.Tamper{}))
	}},
	{"FinishRegistration", CodeChallengeExpired, nil, func(e verbEnv) (int, []byte) {
		resp := e.registrationResponse(testOrigin, softauth.Tamper{})
		e.g.clock.Add(5*time.Minute + time.Second)
		return e.post("/register/finish", resp)
	}},
	{"FinishRegistration", CodeCeremonyMismatch, nil, func(e verbEnv) (int, []byte) {
		c := challengeOfOptions(e.g.t, e.g.begin(e.b, "/login/begin"))
		return e.post("/register/finish", e.registrationResponse(testOrigin, softauth.Tamper{Challenge: c}))
	}},
	{"FinishRegistration", CodeVerificationFailed, nil, func(e verbEnv) (int, []byte) {
		return e.post("/register/finish", e.registrationResponse("https://evil.example", softauth.Tamper{}))
	}},
	{"FinishRegistration", CodeStoreUnavailable, nil, func(e verbEnv) (int, []byte) {
		resp := e.registrationResponse(testOrigin, softauth.Tamper{})
		e.store.down.Store(true)
		return e.post("/register/finish", resp)
	}},

	{"FinishAuthentication", CodeMethodNotAllowed, nil, func(e verbEnv) (int, []byte) {
		return e.get(func(w http.ResponseWriter, r *http.Request) {
			_, _ = e.g.srv.FinishAuthentication(w, r, e.g.creds.lookup)
		})
	}},
	{"FinishAuthentication", CodeUnsupportedMediaType, nil, func(e verbEnv) (int, []byte) { return e.postText("/login/finish") }},
	{"FinishAuthentication", CodePayloadTooLarge, func(c *Config) { c.MaxBodyBytes = 1024 }, func(e verbEnv) (int, []byte) {
		return e.post("/login/finish", bytes.Repeat([]byte(" "), 2048))
	}},
	{"FinishAuthentication", CodeBadRequest, nil, func(e verbEnv) (int, []byte) { return e.post("/login/finish", []byte("{nope")) }},
	{"FinishAuthentication", CodeChallengeMissing, nil, func(e verbEnv) (int, []byte) {
		return e.g.post(e.g.browser(), "/login/finish", e.loginResponse(softauth.Tamper{}))
	}},
	{"FinishAuthentication", CodeChallengeExpired, nil, func(e verbEnv) (int, []byte) {
		resp := e.loginResponse(softauth.Tamper{})
		e.g.clock.Add(5*time.Minute + time.Second)
		return e.post("/login/finish", resp)
	}},
	{"FinishAuthentication", CodeCeremonyMismatch, nil, func(e verbEnv) (int, []byte) {
		c := challengeOfOptions(e.g.t, e.g.begin(e.b, "/register/begin"))
		return e.post("/login/finish", e.loginResponse(softauth.Tamper{Challenge: c}))
	}},
	{"FinishAuthentication", CodeVerificationFailed, nil, func(e verbEnv) (int, []byte) {
		return e.post("/login/finish", e.loginResponse(softauth.Tamper{BogusSig: true}))
	}},
	{"FinishAuthentication", CodeVerificationFailed, nil, func(e verbEnv) (int, []byte) {
		// A registered passkey that the allow list did not offer.
		challenge := challengeOfOptions(e.g.t, e.g.begin(e.b, "/login/begin?allow=1"))
		other := softauth.New()
		e.g.register(e.b, other)
		resp, err := other.Sign(other.Creds[0], challenge, "localhost", testOrigin, softauth.Tamper{})
		if err != nil {
			e.g.t.Fatal(err)
		}
		return e.post("/login/finish", resp)
	}},
	{"FinishAuthentication", CodeUnknownCredential, nil, func(e verbEnv) (int, []byte) {
		e.g.creds.mu.Lock()
		clear(e.g.creds.rows)
		e.g.creds.mu.Unlock()
		return e.post("/login/finish", e.loginResponse(softauth.Tamper{}))
	}},
	{"FinishAuthentication", CodeUserMismatch, nil, func(e verbEnv) (int, []byte) {
		return e.post("/login/finish", e.loginResponse(softauth.Tamper{UserHandle: []byte("mallory")}))
	}},
	{"FinishAuthentication", CodeSignCountRegressed, nil, func(e verbEnv) (int, []byte) {
		if st, body := e.post("/login/finish", e.loginResponse(softauth.Tamper{})); st != http.StatusOK {
			e.g.t.Fatalf("first login: %d %s", st, body)
		}
		zero := uint32(0)
		return e.post("/login/finish", e.loginResponse(softauth.Tamper{SignCount: &zero}))
	}},
	{"FinishAuthentication", CodeStoreUnavailable, nil, func(e verbEnv) (int, []byte) {
		resp := e.loginResponse(softauth.Tamper{})
		e.store.down.Store(true)
		return e.post("/login/finish", resp)
	}},
	{"FinishAuthentication", CodeInternal, nil, func(e verbEnv) (int, []byte) {
		resp := e.loginResponse(softauth.Tamper{})
		e.g.creds.mu.Lock()
		e.g.creds.fail = errors.New("test: database down") // the lookup fails
		e.g.creds.mu.Unlock()
		return e.post("/login/finish", resp)
	}},
}

// routesEnv is a browser on Routes served over the network, signed in as alice.
type routesEnv struct {
	t     *testing.T
	rt    *Routes
	creds *credTable
	url   string
	c     *http.Client
}

// as signs the browser in as the user named name ("": signs it out).
func (e routesEnv) as(name string) {
	c := &http.Cookie{Name: "user", Value: name}
	if name == "" {
		c.MaxAge = -1
	}
	e.c.Jar.SetCookies(mustURL(e.url), []*http.Cookie{c})
}

func (e routesEnv) post(path string, body []byte) (int, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, e.url+"/auth/passkey"+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := e.c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.Bytes()
}

// routesCases drive Routes into the codes it answers itself, and into one that it passes
// on from a verb.
var routesCases = []struct {
	path, code string
	run        func(e routesEnv) (int, []byte)
}{
	{"/login/finish", CodeMethodNotAllowed, func(e routesEnv) (int, []byte) {
		w := httptest.NewRecorder()
		e.rt.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/auth/passkey/login/finish", nil))
		return recorded(e.t, w)
	}},
	{"/register/begin", CodeLoginRequired, func(e routesEnv) (int, []byte) {
		e.as("")
		return e.post("/register/begin", nil)
	}},
	{"/register/finish", CodeLoginRequired, func(e routesEnv) (int, []byte) {
		e.as("")
		return e.post("/register/finish", []byte("{}"))
	}},
	{"/register/begin", CodeInternal, func(e routesEnv) (int, []byte) {
		e.creds.mu.Lock()
		e.creds.fail = errors.New("test: database down") // CredentialIDs fails
		e.creds.mu.Unlock()
		return e.post("/register/begin", nil)
	}},
	{"/register/finish", CodeUserMismatch, func(e routesEnv) (int, []byte) {
		st, opts := e.post("/register/begin", nil)
		if st != http.StatusOK {
			e.t.Fatalf("register begin: %d %s", st, opts)
		}
		resp, _, err := softauth.New().Create(opts, testOrigin, softauth.Tamper{})
		if err != nil {
			e.t.Fatal(err)
		}
		e.as("bob") // another account signs in, in the same browser, and finishes
		return e.post("/register/finish", resp)
	}},
	{"/register/finish", CodeCredentialExists, func(e routesEnv) (int, []byte) {
		a := softauth.New()
		if st, body := e.register(a, softauth.Tamper{}); st != http.StatusOK {
			e.t.Fatalf("register: %d %s", st, body)
		}
		return e.register(softauth.New(), softauth.Tamper{CredentialID: a.Creds[0].ID})
	}},
	{"/credentials/delete", CodeLastCredential, func(e routesEnv) (int, []byte) {
		e.rt.Credentials = &mgmtTable{credTable: e.creds, labels: map[string]string{}}
		a := softauth.New()
		if st, body := e.register(a, softauth.Tamper{}); st != http.StatusOK {
			e.t.Fatalf("register: %d %s", st, body)
		}
		return e.manage("delete", manageBody{ID: base64.RawURLEncoding.EncodeToString(a.Creds[0].ID)})
	}},
	{"/login/begin", CodePayloadTooLarge, func(e routesEnv) (int, []byte) {
		return e.post("/login/begin", bytes.Repeat([]byte(" "), 5<<10))
	}},
	{"/login/begin", CodeBadRequest, func(e routesEnv) (int, []byte) { return e.post("/login/begin", []byte("[")) }},
	{"/login/finish", CodeBadRequest, func(e routesEnv) (int, []byte) { return e.post("/login/finish", []byte("{nope")) }},
}

// TestVerbAnswersCarryTableStatus drives each verb, and Routes, into every failure code it
// can answer, and checks that the answer carries the code with the status that
// internal/codes documents for it. Every server code of the table is answered by one of them.
func TestVerbAnswersCarryTableStatus(t *testing.T) {
	for _, tc := range verbCases {
		t.Run(tc.verb+"/"+tc.code, func(t *testing.T) {
			store := &downStore{}
			g := newRig(t, func(c *Config) {
				c.Store = NewMemoryStore(MemoryStoreOptions{Clock: c.Clock})
				if tc.cfg != nil {
					tc.cfg(c)
				}
				store.CeremonyStore, c.Store = c.Store, store
			})
			e := verbEnv{g: g, b: g.browser(), a: softauth.New(), store: store}
			g.register(e.b, e.a)
			st, body := tc.run(e)
			wantCode(t, st, body, tableStatus(tc.code), tc.code)
		})
	}
	for _, tc := range routesCases {
		t.Run("Routes"+tc.path+"/"+tc.code, func(t *testing.T) {
			rt, creds := newRoutes(t)
			mux := http.NewServeMux()
			mux.Handle("/auth/passkey/", rt)
			ts := httptest.NewServer(mux)
			defer ts.Close()
			jar, _ := cookiejar.New(nil)
			e := routesEnv{t: t, rt: rt, creds: creds, url: ts.URL, c: &http.Client{Jar: jar}}
			e.as("alice")
			st, body := tc.run(e)
			wantCode(t, st, body, tableStatus(tc.code), tc.code)
		})
	}

	answered := map[string]bool{}
	for _, tc := range verbCases {
		answered[tc.code] = true
	}
	for _, tc := range routesCases {
		answered[tc.code] = true
	}
	for _, c := range codes.ServerCodes {
		if !answered[c.Name] {
			t.Errorf("no case here answers %s: add one", c.Name)
		}
	}
}
