package app

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/internal/softauth"
	"golang.org/x/crypto/bcrypt"
)

// TestPasswordSignInHashesForUnknownUsers: a sign-in for a username without an account
// runs one bcrypt comparison at the app's cost, as one for an account does, and gets
// the same answer. (Before: none ran, 0.2 ms against 47 ms at the default cost.)
func TestPasswordSignInHashesForUnknownUsers(t *testing.T) {
	a, _ := newApp(t, nil)
	var mu sync.Mutex
	var costs []int
	a.checkPassword = func(hash, pw []byte) error {
		cost, err := bcrypt.Cost(hash)
		if err != nil {
			t.Errorf("compared with a hash that is not bcrypt's: %v", err)
		}
		mu.Lock()
		costs = append(costs, cost)
		mu.Unlock()
		return bcrypt.CompareHashAndPassword(hash, pw)
	}
	newClient(t, a).signUp("ada", "correct horse")
	answers := map[string]reply{}
	for _, name := range []string{"ada", "nobody"} {
		costs = nil
		cl := newClient(t, a)
		cl.page("/login")
		r := cl.form("/login", url.Values{"username": {name}, "password": {"wrong password"}})
		if len(costs) != 1 || costs[0] != a.bcryptCost {
			t.Errorf("%s: bcrypt comparisons at costs %v, want one at %d", name, costs, a.bcryptCost)
		}
		answers[name] = r
	}
	// The same page but for the name typed and the visitor's CSRF token.
	norm := func(name string) string {
		r := answers[name]
		b := strings.ReplaceAll(r.Body, `value="`+name+`"`, `value="NAME"`)
		if m := csrfMeta.FindStringSubmatch(b); m != nil {
			b = strings.ReplaceAll(b, m[1], "TOKEN")
		}
		return fmt.Sprint(r.Code, b)
	}
	if ada, nobody := norm("ada"), norm("nobody"); ada != nobody || !strings.Contains(ada, "Wrong username or password.") {
		t.Errorf("answers differ:\n%s\n%s", ada, nobody)
	}
}

// TestPasswordSignInThrottled: wrong passwords for one username (from any address), or
// from one address (for any usernames), are answered 429 with Retry-After once their
// bucket is empty, until time refills it; right passwords use up nothing. (Before: 100
// wrong passwords in a row met no delay.)
func TestPasswordSignInThrottled(t *testing.T) {
	a, clk := newApp(t, nil)
	newClient(t, a).signUp("ada", "correct horse")
	attempt := func(remote, name, pw string, hdr map[string]string) reply {
		t.Helper()
		cl := newClient(t, a)
		cl.remote = remote
		cl.page("/login")
		v := url.Values{"username": {name}, "password": {pw}, "csrf_token": {cl.token}}
		return cl.do("POST", "/login", "application/x-www-form-urlencoded", strings.NewReader(v.Encode()), hdr)
	}
	addr := func(i int) string { return fmt.Sprintf("198.51.100.%d:4000", i) }

	t.Run("per username", func(t *testing.T) {
		for _, name := range []string{"ada", "nobody"} { // alike whether the account exists
			for i := range userBurst {
				if r := attempt(addr(i), name, "wrong password", nil); r.Code != http.StatusUnauthorized {
					t.Fatalf("%s: attempt %d: %d", name, i+1, r.Code)
				}
			}
			r := attempt(addr(100), name, "correct horse", nil)
			retry, _ := strconv.Atoi(r.Header.Get("Retry-After"))
			if r.Code != http.StatusTooManyRequests || retry < 1 || retry > int(userEvery/time.Second) ||
				!strings.Contains(r.Body, "Too many failed sign-in attempts. Try again in") {
				t.Fatalf("%s: attempt %d from a new address: %d, Retry-After %q", name, userBurst+1, r.Code, r.Header.Get("Retry-After"))
			}
		}
		clk.advance(userEvery)
		if r := attempt(addr(101), "ada", "correct horse", nil); r.Code != http.StatusSeeOther {
			t.Fatalf("after Retry-After: %d", r.Code)
		}
	})
	t.Run("per client", func(t *testing.T) {
		const remote = "203.0.113.7:5555"
		for i := range clientBurst {
			if r := attempt(remote, fmt.Sprintf("user%d", i), "wrong password", nil); r.Code != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i+1, r.Code)
			}
		}
		r := attempt(remote, "someone-else", "wrong password", map[string]string{"Accept": "application/json"})
		if r.Code != http.StatusTooManyRequests || r.json()["code"] != "rate_limited" || r.Header.Get("Retry-After") == "" {
			t.Fatalf("attempt %d: %d %s, Retry-After %q; want 429 rate_limited", clientBurst+1, r.Code, r.Body, r.Header.Get("Retry-After"))
		}
		// Another address of the same IPv4 client (another port) is the same client.
		if r := attempt("203.0.113.7:6666", "ada", "correct horse", nil); r.Code != http.StatusTooManyRequests {
			t.Fatalf("same IP, other port: %d", r.Code)
		}
		if r := attempt("203.0.113.8:5555", "ada", "correct horse", nil); r.Code != http.StatusSeeOther {
			t.Fatalf("another client: %d", r.Code)
		}
		clk.advance(clientEvery)
		if r := attempt(remote, "ada", "correct horse", nil); r.Code != http.StatusSeeOther {
			t.Fatalf("after Retry-After: %d", r.Code)
		}
	})
	t.Run("right passwords count nothing", func(t *testing.T) {
		for i := range 3 * clientBurst {
			if r := attempt("192.0.2.50:1", "ada", "correct horse", nil); r.Code != http.StatusSeeOther {
				t.Fatalf("sign-in %d: %d", i+1, r.Code)
			}
		}
	})
}

// TestUsernameFirstBeginLooksAlike: a username-first begin answers 200 with one allowed
// credential for a user with a passkey, a user without one and a username without an
// account alike. The stand-in is stable per username and matches no authenticator.
// (Before: 400 no_passkeys unless the user had passkeys.)
func TestUsernameFirstBeginLooksAlike(t *testing.T) {
	a, _ := newApp(t, nil)
	auth := softauth.New()
	ada := newClient(t, a)
	ada.signUp("ada", "correct horse")
	cred, _ := ada.register(auth)
	newClient(t, a).signUp("bob", "correct horse")

	allowed := func(name string) []string {
		t.Helper()
		cl := newClient(t, a)
		r := cl.loginBegin(`{"username":"` + name + `"}`)
		if r.Code != http.StatusOK {
			t.Fatalf("%s: begin %d %s", name, r.Code, r.Body)
		}
		keys := r.json()
		if _, ok := keys["challenge"]; !ok {
			t.Fatalf("%s: no challenge in %s", name, r.Body)
		}
		var ids []string
		for _, c := range keys["allowCredentials"].([]any) {
			ids = append(ids, c.(map[string]any)["id"].(string))
		}
		if _, err := auth.Get([]byte(r.Body), testOrigin, softauth.Tamper{}); name != "ada" && !errors.Is(err, softauth.ErrNoCredential) {
			t.Errorf("%s: the authenticator answered the stand-in: %v", name, err)
		}
		return ids
	}
	want := base64.RawURLEncoding.EncodeToString(cred.ID)
	if got := allowed("ada"); len(got) != 1 || got[0] != want {
		t.Fatalf("ada: allowCredentials %v, want [%s]", got, want)
	}
	stand := map[string]string{}
	for _, name := range []string{"bob", "nobody"} {
		first, again := allowed(name), allowed(name)
		if len(first) != 1 || len(again) != 1 || first[0] != again[0] {
			t.Fatalf("%s: allowCredentials %v then %v, want one stable ID", name, first, again)
		}
		id, _ := base64.RawURLEncoding.DecodeString(first[0])
		if len(id) != len(cred.ID) {
			t.Errorf("%s: stand-in of %d bytes, a real one has %d", name, len(id), len(cred.ID))
		}
		stand[name] = first[0]
	}
	if stand["bob"] == stand["nobody"] {
		t.Error("one stand-in for two usernames")
	}
	// A finish with the stand-in finds no credential.
	cl := newClient(t, a)
	opts := []byte(cl.loginBegin(`{"username":"nobody"}`).Body)
	fake := &softauth.Credential{ID: must64(t, stand["nobody"]), Key: auth.Creds[0].Key, UserHandle: []byte("x"), RPID: "localhost"}
	resp, err := auth.Sign(fake, challengeOf(t, opts), "localhost", testOrigin, softauth.Tamper{})
	if err != nil {
		t.Fatal(err)
	}
	if r := cl.post("/auth/passkey/login/finish", string(resp)); r.Code != http.StatusBadRequest || r.json()["code"] != "unknown_credential" {
		t.Errorf("finish with the stand-in: %d %s", r.Code, r.Body)
	}
}

func must64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func challengeOf(t *testing.T, options []byte) string {
	t.Helper()
	i := bytes.Index(options, []byte(`"challenge":"`))
	if i < 0 {
		t.Fatalf("no challenge in %s", options)
	}
	rest := options[i+len(`"challenge":"`):]
	return string(rest[:bytes.IndexByte(rest, '"')])
}
