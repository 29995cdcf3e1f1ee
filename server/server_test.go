package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/internal/softauth"
)

func TestRegisterThenSignIn(t *testing.T) {
	g := newRig(t, nil)
	b := g.browser()
	a := softauth.New()
	cred := g.register(b, a)
	stored := g.creds.row(cred.ID)
	if stored == nil || !bytes.Equal(stored.UserID, alice.ID) || len(stored.PublicKey) == 0 || !stored.UserVerified {
		t.Fatalf("stored credential: %+v", stored)
	}
	if got := strings.Join(stored.Transports, ","); got != "internal" {
		t.Fatalf("transports %q", got)
	}
	for i := uint32(1); i <= 2; i++ {
		resp, err := a.Get(g.begin(b, "/login/begin"), testOrigin, softauth.Tamper{})
		if err != nil {
			t.Fatal(err)
		}
		if st, body := g.post(b, "/login/finish", resp); st != 200 {
			t.Fatalf("login finish: %d %s", st, body)
		}
		if g.last.SignCount != i || !bytes.Equal(g.last.UserID, alice.ID) || g.last.CloneWarning {
			t.Fatalf("login %d: %+v", i, g.last)
		}
	}
}

func TestBeginOptions(t *testing.T) {
	g := newRig(t, nil)
	b := g.browser()
	g.register(b, softauth.New())
	reg := string(g.begin(b, "/register/begin"))
	for _, want := range []string{`"rp":{"name":"localhost","id":"localhost"}`, `"excludeCredentials":[{`, `"residentKey":"required"`, `"challenge":"`} {
		if !strings.Contains(reg, want) {
			t.Errorf("registration options lack %s: %s", want, reg)
		}
	}
	login := string(g.begin(b, "/login/begin"))
	if strings.Contains(login, "allowCredentials") || !strings.Contains(login, `"rpId":"localhost"`) {
		t.Errorf("usernameless options: %s", login)
	}
	allow := string(g.begin(b, "/login/begin?allow=1"))
	if !strings.Contains(allow, `"allowCredentials":[{`) {
		t.Errorf("username-first options: %s", allow)
	}
	st, _ := g.post(b, "/login/begin", nil)
	if st != 200 {
		t.Errorf("begin with no body: %d", st)
	}
	// The binding cookie: one per ceremony, named after its challenge, HttpOnly,
	// SameSite=Lax, not Secure on http.
	req, _ := http.NewRequest("POST", g.http.URL+"/login/begin", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sc := resp.Header.Get("Set-Cookie")
	if !regexp.MustCompile(`^chirp-passkeys-[A-Za-z0-9_-]{11}=[A-Za-z0-9_-]{43}; `).MatchString(sc) || !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Lax") || strings.Contains(sc, "Secure") {
		t.Errorf("cookie: %s", sc)
	}
}

func TestAllowListSignIn(t *testing.T) {
	g := newRig(t, nil)
	b := g.browser()
	a := softauth.New()
	g.register(b, a)
	g.register(b, softauth.New()) // a second credential of alice, on another authenticator
	resp, err := a.Get(g.begin(b, "/login/begin?allow=1"), testOrigin, softauth.Tamper{NoUserHandle: true})
	if err != nil {
		t.Fatal(err)
	}
	if st, body := g.post(b, "/login/finish", resp); st != 200 {
		t.Fatalf("username-first login without user handle: %d %s", st, body)
	}
}

func TestSyncedPasskeyKeepsWorking(t *testing.T) {
	g := newRig(t, nil)
	b := g.browser()
	a := softauth.New()
	a.Flags |= softauth.FlagBE | softauth.FlagBS
	a.Counting = false
	cred := g.register(b, a)
	if c := g.creds.row(cred.ID); !c.BackupEligible || !c.BackupState {
		t.Fatalf("flags not kept: %+v", c)
	}
	for range 3 {
		resp, _ := a.Get(g.begin(b, "/login/begin"), testOrigin, softauth.Tamper{})
		if st, body := g.post(b, "/login/finish", resp); st != 200 {
			t.Fatalf("synced passkey login: %d %s", st, body)
		}
	}
}

// TestFinishErrors covers every error a finish can answer.
func TestFinishErrors(t *testing.T) {
	type env struct {
		g    *rig
		b    *http.Client
		a    *softauth.Authenticator
		cred *softauth.Credential
	}
	login := func(e env, tamper softauth.Tamper) (int, []byte) {
		resp, err := e.a.Get(e.g.begin(e.b, "/login/begin"), testOrigin, tamper)
		if err != nil {
			e.g.t.Fatal(err)
		}
		return e.g.post(e.b, "/login/finish", resp)
	}
	zero := uint32(0)
	cases := []struct {
		name   string
		cfg    func(*Config)
		run    func(e env) (int, []byte)
		status int
		code   string
	}{
		{"replayed finish", nil, func(e env) (int, []byte) {
			resp, _ := e.a.Get(e.g.begin(e.b, "/login/begin"), testOrigin, softauth.Tamper{})
			if st, body := e.g.post(e.b, "/login/finish", resp); st != 200 {
				e.g.t.Fatalf("first finish: %d %s", st, body)
			}
			return e.g.post(e.b, "/login/finish", resp)
		}, 400, CodeChallengeMissing},
		{"finish from another browser", nil, func(e env) (int, []byte) {
			resp, _ := e.a.Get(e.g.begin(e.b, "/login/begin"), testOrigin, softauth.Tamper{})
			return e.g.post(e.g.browser(), "/login/finish", resp)
		}, 400, CodeChallengeMissing},
		{"failed finish uses the ceremony up", nil, func(e env) (int, []byte) {
			opts := e.g.begin(e.b, "/login/begin")
			bad, _ := e.a.Get(opts, testOrigin, softauth.Tamper{BogusSig: true})
			if st, _ := e.g.post(e.b, "/login/finish", bad); st != 400 {
				e.g.t.Fatalf("bogus finish: %d", st)
			}
			good, _ := e.a.Get(opts, testOrigin, softauth.Tamper{})
			return e.g.post(e.b, "/login/finish", good)
		}, 400, CodeChallengeMissing},
		{"unparseable finish uses the ceremony up", nil, func(e env) (int, []byte) {
			opts := e.g.begin(e.b, "/login/begin")
			good, _ := e.a.Get(opts, testOrigin, softauth.Tamper{})
			var m map[string]any
			_ = jsonUnmarshal(good, &m)
			m["response"].(map[string]any)["authenticatorData"] = "%%%not base64%%%"
			bad, _ := json.Marshal(m)
			st, body := e.g.post(e.b, "/login/finish", bad)
			wantCode(e.g.t, st, body, 400, CodeBadRequest)
			return e.g.post(e.b, "/login/finish", good)
		}, 400, CodeChallengeMissing},
		{"login challenge finishing a registration", nil, func(e env) (int, []byte) {
			var o struct{ Challenge string }
			opts := e.g.begin(e.b, "/login/begin")
			_ = jsonUnmarshal(opts, &o)
			resp, _, _ := softauth.New().Create(e.g.begin(e.b, "/register/begin"), testOrigin, softauth.Tamper{Challenge: o.Challenge})
			return e.g.post(e.b, "/register/finish", resp)
		}, 400, CodeCeremonyMismatch},
		{"expired", nil, func(e env) (int, []byte) {
			resp, _ := e.a.Get(e.g.begin(e.b, "/login/begin"), testOrigin, softauth.Tamper{})
			e.g.clock.Add(5*time.Minute + time.Second)
			return e.g.post(e.b, "/login/finish", resp)
		}, 400, CodeChallengeExpired},
		{"tampered origin", nil, func(e env) (int, []byte) {
			return login(e, softauth.Tamper{Origin: "http://localhost:9999"})
		}, 400, CodeVerificationFailed},
		{"tampered rp ID hash", nil, func(e env) (int, []byte) {
			return login(e, softauth.Tamper{RPID: "evil.example"})
		}, 400, CodeVerificationFailed},
		{"tampered registration origin", nil, func(e env) (int, []byte) {
			resp, _, _ := softauth.New().Create(e.g.begin(e.b, "/register/begin"), "https://evil.example", softauth.Tamper{})
			return e.g.post(e.b, "/register/finish", resp)
		}, 400, CodeVerificationFailed},
		{"bogus signature", nil, func(e env) (int, []byte) {
			return login(e, softauth.Tamper{BogusSig: true})
		}, 400, CodeVerificationFailed},
		{"wrong clientData type", nil, func(e env) (int, []byte) {
			return login(e, softauth.Tamper{Type: "webauthn.create"})
		}, 400, CodeVerificationFailed},
		{"user handle of another user", nil, func(e env) (int, []byte) {
			return login(e, softauth.Tamper{UserHandle: []byte("mallory")})
		}, 400, CodeUserMismatch},
		{"sign count regressed", nil, func(e env) (int, []byte) {
			if st, body := login(e, softauth.Tamper{}); st != 200 { // count 1 stored
				e.g.t.Fatalf("%d %s", st, body)
			}
			return login(e, softauth.Tamper{SignCount: &zero})
		}, 400, CodeSignCountRegressed},
		{"unknown credential", nil, func(e env) (int, []byte) {
			// A credential the authenticator made but the app never stored.
			other := softauth.New()
			if _, _, err := other.Create(e.g.begin(e.b, "/register/begin"), testOrigin, softauth.Tamper{}); err != nil {
				e.g.t.Fatal(err)
			}
			resp, _ := other.Get(e.g.begin(e.b, "/login/begin"), testOrigin, softauth.Tamper{})
			return e.g.post(e.b, "/login/finish", resp)
		}, 400, CodeUnknownCredential},
		{"not json", nil, func(e env) (int, []byte) {
			return e.g.post(e.b, "/login/finish", []byte("{nope"))
		}, 400, CodeBadRequest},
		{"payload too large", func(c *Config) { c.MaxBodyBytes = 1024 }, func(e env) (int, []byte) {
			return e.g.post(e.b, "/login/finish", bytes.Repeat([]byte(" "), 2048))
		}, 413, CodePayloadTooLarge},
		{"store full", func(c *Config) { c.Store = NewMemoryStore(MemoryStoreOptions{Capacity: 2}) }, func(e env) (int, []byte) {
			e.g.begin(e.b, "/login/begin")
			e.g.begin(e.b, "/login/begin")
			return e.g.post(e.b, "/login/begin", nil)
		}, 503, CodeStoreUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := newRig(t, tc.cfg)
			e := env{g: g, b: g.browser(), a: softauth.New()}
			e.cred = g.register(e.b, e.a)
			before := g.creds.len()
			st, body := tc.run(e)
			wantCode(t, st, body, tc.status, tc.code)
			if g.creds.len() != before {
				t.Fatalf("a failed finish stored a credential")
			}
		})
	}
}

func TestUnsupportedMediaType(t *testing.T) {
	g := newRig(t, nil)
	resp, err := http.Post(g.http.URL+"/login/finish", "text/plain", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	wantCode(t, resp.StatusCode, body.Bytes(), 415, CodeUnsupportedMediaType)
}

func TestSignCountFlagPolicy(t *testing.T) {
	g := newRig(t, func(c *Config) { c.SignCount = SignCountFlag })
	b := g.browser()
	a := softauth.New()
	cred := g.register(b, a)
	cred.SignCount = 5
	resp, _ := a.Get(g.begin(b, "/login/begin"), testOrigin, softauth.Tamper{})
	if st, body := g.post(b, "/login/finish", resp); st != 200 {
		t.Fatal(st, string(body))
	}
	cred.SignCount = 2
	resp, _ = a.Get(g.begin(b, "/login/begin"), testOrigin, softauth.Tamper{})
	if st, body := g.post(b, "/login/finish", resp); st != 200 {
		t.Fatal(st, string(body))
	}
	if !g.last.CloneWarning || g.last.SignCount != 6 {
		t.Fatalf("want a clone warning and the stored count kept: %+v", g.last)
	}
}

// TestConcurrentCeremonies runs two ceremonies of one browser at once (two tabs), and
// many browsers in parallel.
func TestConcurrentCeremonies(t *testing.T) {
	g := newRig(t, nil)
	b := g.browser()
	a := softauth.New()
	g.register(b, a)
	opts1 := g.begin(b, "/login/begin")
	opts2 := g.begin(b, "/login/begin")
	for _, opts := range [][]byte{opts2, opts1} {
		resp, _ := a.Get(opts, testOrigin, softauth.Tamper{})
		if st, body := g.post(b, "/login/finish", resp); st != 200 {
			t.Fatalf("tab: %d %s", st, body)
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	for range 8 {
		wg.Go(func() {
			br := g.browser()
			au := softauth.New()
			au.Counting = false
			mu.Lock()
			g.register(br, au)
			mu.Unlock()
			for range 5 {
				resp, _ := au.Get(g.begin(br, "/login/begin"), testOrigin, softauth.Tamper{})
				if st, body := g.post(br, "/login/finish", resp); st != 200 {
					t.Errorf("parallel: %d %s", st, body)
				}
			}
		})
	}
	wg.Wait()
}

// TestTakeIsAtomic races many finishes of one response: exactly one may win.
func TestTakeIsAtomic(t *testing.T) {
	g := newRig(t, nil)
	b := g.browser()
	a := softauth.New()
	g.register(b, a)
	resp, _ := a.Get(g.begin(b, "/login/begin"), testOrigin, softauth.Tamper{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 16 {
		wg.Go(func() {
			if st, _ := g.post(b, "/login/finish", resp); st == 200 {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d finishes of one challenge succeeded, want 1", wins)
	}
}

func TestWriteErrorHidesCauses(t *testing.T) {
	w := newRecorder()
	WriteError(w, context.DeadlineExceeded)
	if w.code != 500 || !strings.Contains(w.body.String(), `"code":"internal_error"`) || strings.Contains(w.body.String(), "deadline") {
		t.Fatalf("%d %s", w.code, w.body.String())
	}
}

// TestWriteErrorZeroStatus: an app's own *Error with no status is answered with its code's
// status from the table, and with 500 for a code the table does not have.
func TestWriteErrorZeroStatus(t *testing.T) {
	for _, tc := range []struct {
		code string
		want int
	}{{CodeUserMismatch, 400}, {CodeStoreUnavailable, 503}, {CodeMethodNotAllowed, 405}, {"not_a_code", 500}} {
		w := newRecorder()
		WriteError(w, &Error{Code: tc.code, Message: "m"})
		if w.code != tc.want || !strings.Contains(w.body.String(), `"code":"`+tc.code+`"`) {
			t.Errorf("%s: %d %s, want %d", tc.code, w.code, w.body.String(), tc.want)
		}
	}
}

// TestVerbMisuse covers what an app (not a browser) gets wrong: a verb mounted for GET,
// and a registration begun for a user without a handle.
func TestVerbMisuse(t *testing.T) {
	g := newRig(t, nil)
	w := newRecorder()
	if _, err := g.srv.FinishAuthentication(w, httptestRequest("GET", "/login/finish", ""), g.creds.lookup); err == nil || w.code != 405 {
		t.Fatalf("GET finish: %d %v", w.code, err)
	}
	w = newRecorder()
	if err := g.srv.BeginRegistration(w, httptestRequest("POST", "/register/begin", ""), User{Name: "x"}, RegistrationOptions{}); err == nil || w.code != 500 {
		t.Fatalf("user without ID: %d %v", w.code, err)
	}
	if strings.Contains(w.body.String(), "user.ID") {
		t.Fatalf("the cause reached the browser: %s", w.body.String())
	}
	w = newRecorder()
	if err := g.srv.BeginRegistration(w, httptestRequest("POST", "/register/begin", ""), User{ID: bytes.Repeat([]byte{1}, 65), Name: "x"}, RegistrationOptions{}); err == nil || w.code != 500 {
		t.Fatalf("user ID over 64 bytes: %d %v", w.code, err)
	}
}

// TestConcurrentBeginsFromFreshBrowser begins two ceremonies at the same moment from a
// browser that holds no cookie yet (the autofill request beside a click on "Sign in with
// a passkey", two tabs restored together), then finishes both: neither may be lost.
func TestConcurrentBeginsFromFreshBrowser(t *testing.T) {
	g := newRig(t, nil)
	a := softauth.New()
	a.Counting = false
	g.register(g.browser(), a)
	for round := range 20 {
		b := g.browser()
		var opts [2][]byte
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range opts {
			wg.Go(func() { <-start; opts[i] = g.begin(b, "/login/begin") })
		}
		close(start)
		wg.Wait()
		for i := range opts {
			resp, _ := a.Get(opts[i], testOrigin, softauth.Tamper{})
			if st, body := g.post(b, "/login/finish", resp); st != 200 {
				t.Fatalf("round %d, ceremony %d: %d %s", round, i, st, body)
			}
		}
		if n := len(b.Jar.Cookies(mustURL(g.http.URL))); n != 0 {
			t.Fatalf("round %d: %d ceremony cookies left after both finishes, want 0", round, n)
		}
	}
}

// TestCeremonyCookiesBounded: a browser that begins many ceremonies and finishes none
// (autofill on every page load) holds at most maxCeremonyCookies cookies; the newest
// ceremonies still finish, the pruned oldest do not.
func TestCeremonyCookiesBounded(t *testing.T) {
	g := newRig(t, nil)
	a := softauth.New()
	a.Counting = false
	b := g.browser()
	g.register(b, a)
	var all [][]byte
	for range 3 * maxCeremonyCookies {
		all = append(all, g.begin(b, "/login/begin"))
		g.clock.Add(time.Millisecond) // cookies are ordered by their begin time
		if n := len(b.Jar.Cookies(mustURL(g.http.URL))); n > maxCeremonyCookies {
			t.Fatalf("the browser holds %d ceremony cookies, want at most %d", n, maxCeremonyCookies)
		}
	}
	resp, _ := a.Get(all[0], testOrigin, softauth.Tamper{})
	st, body := g.post(b, "/login/finish", resp)
	wantCode(t, st, body, http.StatusBadRequest, CodeChallengeMissing)
	for _, opts := range all[len(all)-maxCeremonyCookies:] {
		resp, _ := a.Get(opts, testOrigin, softauth.Tamper{})
		if st, body := g.post(b, "/login/finish", resp); st != 200 {
			t.Fatalf("a recent ceremony: %d %s", st, body)
		}
	}
}
