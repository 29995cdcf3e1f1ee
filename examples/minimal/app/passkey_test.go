package app

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/chirpkit/passkeys/internal/softauth"
)

// TestCredentialExists: registering a credential ID that is registered already, to
// another user or to the same one, is refused with 400 credential_exists and stores
// nothing. (Before: 500 from the primary key.)
func TestCredentialExists(t *testing.T) {
	a, _ := newApp(t, nil)
	ada, bob := newClient(t, a), newClient(t, a)
	ada.signUp("ada", "correct horse")
	bob.signUp("bob", "correct horse")
	cred, resp := ada.register(softauth.New())
	var key []byte
	if err := a.db.QueryRow("SELECT public_key FROM passkeys").Scan(&key); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		cl   *client
	}{{"another user", bob}, {"the same user", ada}} {
		t.Run(tc.name, func(t *testing.T) {
			again := rechallenge(t, resp, tc.cl.registerBegin())
			r := tc.cl.post("/auth/passkey/register/finish", string(again))
			if r.Code != http.StatusBadRequest || r.json()["code"] != "credential_exists" {
				t.Fatalf("%d %s, want 400 credential_exists", r.Code, r.Body)
			}
			var owner string
			var stored []byte
			if err := a.db.QueryRow("SELECT u.username, p.public_key FROM passkeys p JOIN users u ON u.id = p.user_id WHERE p.credential_id = ?", cred.ID).
				Scan(&owner, &stored); err != nil || owner != "ada" || string(stored) != string(key) {
				t.Fatalf("the passkey row: owner %q (%v), key changed %v", owner, err, string(stored) != string(key))
			}
			if n := count(t, a, "passkeys", ""); n != 1 {
				t.Fatalf("%d passkey rows", n)
			}
		})
	}
}

// TestCredentialExistsConcurrent: two users finish a registration of one new credential
// ID at once: exactly one gets 200, the other 400 credential_exists.
func TestCredentialExistsConcurrent(t *testing.T) {
	a, _ := newApp(t, nil)
	ada, bob := newClient(t, a), newClient(t, a)
	ada.signUp("ada", "correct horse")
	bob.signUp("bob", "correct horse")
	for round := range 10 {
		resp, _, err := softauth.New().Create(ada.registerBegin(), testOrigin, softauth.Tamper{})
		if err != nil {
			t.Fatal(err)
		}
		bodies := []string{string(resp), string(rechallenge(t, resp, bob.registerBegin()))}
		codes := make([]reply, 2)
		var wg sync.WaitGroup
		for i, cl := range []*client{ada, bob} {
			wg.Go(func() { codes[i] = cl.post("/auth/passkey/register/finish", bodies[i]) })
		}
		wg.Wait()
		ok, exists := 0, 0
		for _, r := range codes {
			switch {
			case r.Code == http.StatusOK:
				ok++
			case r.Code == http.StatusBadRequest && r.json()["code"] == "credential_exists":
				exists++
			}
		}
		if ok != 1 || exists != 1 {
			t.Fatalf("round %d: %d %s / %d %s, want one 200 and one 400 credential_exists",
				round, codes[0].Code, codes[0].Body, codes[1].Code, codes[1].Body)
		}
		if n := count(t, a, "passkeys", ""); n != round+1 {
			t.Fatalf("round %d: %d passkey rows", round, n)
		}
	}
}

// signIns runs n passkey sign-ins at once, each from its own browser, whose assertions
// carry the sign count count (nil: the authenticator's own), lined up so that every
// verification is done before any sign count is stored. It returns the answers.
func signIns(t *testing.T, a *App, auth *softauth.Authenticator, n int, count *uint32) []reply {
	t.Helper()
	clients := make([]*client, n)
	resps := make([][]byte, n)
	for i := range n {
		clients[i] = newClient(t, a)
		r := clients[i].loginBegin("")
		if r.Code != http.StatusOK {
			t.Fatalf("begin: %d %s", r.Code, r.Body)
		}
		var err error
		if resps[i], err = auth.Get([]byte(r.Body), testOrigin, softauth.Tamper{SignCount: count}); err != nil {
			t.Fatal(err)
		}
	}
	a.beforeMarkUsed = barrier(n)
	defer func() { a.beforeMarkUsed = nil }()
	out := make([]reply, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { out[i] = clients[i].post("/auth/passkey/login/finish", string(resps[i])) })
	}
	wg.Wait()
	return out
}

func storedCount(t *testing.T, a *App) uint32 {
	t.Helper()
	var n uint32
	if err := a.db.QueryRow("SELECT sign_count FROM passkeys").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSignCountCompareAndSet: two sign-ins verified against one stored count with the
// same new count (a clone racing the original) cannot both pass: one gets 200, the other
// 400 sign_count_regressed. (Before: both were signed in; the update was check-then-act.)
func TestSignCountCompareAndSet(t *testing.T) {
	a, _ := newApp(t, nil)
	auth := softauth.New()
	ada := newClient(t, a)
	ada.signUp("ada", "correct horse")
	ada.register(auth)
	for round := range 5 {
		next := uint32(10 * (round + 1))
		got := signIns(t, a, auth, 2, &next)
		ok, regressed := 0, 0
		for _, r := range got {
			switch {
			case r.Code == http.StatusOK:
				ok++
			case r.Code == http.StatusBadRequest && r.json()["code"] == "sign_count_regressed":
				regressed++
			}
		}
		if ok != 1 || regressed != 1 {
			t.Fatalf("round %d: %d %s / %d %s, want one 200 and one 400 sign_count_regressed",
				round, got[0].Code, got[0].Body, got[1].Code, got[1].Body)
		}
		if c := storedCount(t, a); c != next {
			t.Fatalf("stored sign count %d, want %d", c, next)
		}
	}
	// One at a time, a counting authenticator signs in as before.
	auth.Creds[0].SignCount = 100
	for i := range 3 {
		if got := signIns(t, a, auth, 1, nil); got[0].Code != http.StatusOK {
			t.Fatalf("sign-in %d: %d %s", i, got[0].Code, got[0].Body)
		}
		if c := storedCount(t, a); c != uint32(101+i) {
			t.Fatalf("stored sign count %d, want %d", c, 101+i)
		}
	}
}

// TestSyncedPasskeyZeroCount: a passkey whose counter is always 0 (synced) signs in one
// at a time and concurrently: 0 → 0 passes the compare-and-set.
func TestSyncedPasskeyZeroCount(t *testing.T) {
	a, _ := newApp(t, nil)
	auth := softauth.New()
	auth.Counting = false
	auth.Flags |= softauth.FlagBE | softauth.FlagBS
	ada := newClient(t, a)
	ada.signUp("ada", "correct horse")
	ada.register(auth)
	for _, n := range []int{1, 1, 2, 3} {
		for i, r := range signIns(t, a, auth, n, nil) {
			if r.Code != http.StatusOK {
				t.Fatalf("%d sign-ins at once, #%d: %d %s", n, i, r.Code, r.Body)
			}
		}
		if c := storedCount(t, a); c != 0 {
			t.Fatalf("stored sign count %d", c)
		}
	}
}

// TestDashboardNamesProviders: the passkey list names each passkey's provider from its
// AAGUID (a generic name when unknown) and says whether it is synced.
func TestDashboardNamesProviders(t *testing.T) {
	a, _ := newApp(t, nil)
	cl := newClient(t, a)
	cl.signUp("ada", "correct horse battery")
	gpm := softauth.New()
	gpm.AAGUID = [16]byte{0xea, 0x9b, 0x8d, 0x66, 0x4d, 0x01, 0x1d, 0x21, 0x3c, 0xe4, 0xb6, 0xb4, 0x8c, 0xb5, 0x75, 0xd4}
	gpm.Flags |= softauth.FlagBE | softauth.FlagBS
	cl.register(gpm)
	cl.register(softauth.New())
	body := cl.page("/dashboard").Body
	for _, want := range []string{
		`<span class="provider">Google Password Manager</span> (synced)`,
		`<span class="provider">Passkey</span> (on this device only)`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q:\n%s", want, body)
		}
	}
}
