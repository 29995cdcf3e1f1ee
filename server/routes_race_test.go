package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chirpkit/passkeys/internal/softauth"
)

// newRoutesEnv serves Routes on a ServeMux and returns a browser on it signed in as user,
// and the credential table behind it.
func newRoutesEnv(t *testing.T, user string) (routesEnv, *credTable) {
	rt, creds := newRoutes(t)
	mux := http.NewServeMux()
	mux.Handle("/auth/passkey/", rt)
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	e := routesEnv{t: t, rt: rt, creds: creds, url: ts.URL}
	e = e.browser()
	e.as(user)
	return e, creds
}

// browser returns e with a cookie jar of its own: another browser on the same Routes.
func (e routesEnv) browser() routesEnv {
	jar, _ := cookiejar.New(nil)
	e.c = &http.Client{Jar: jar}
	return e
}

// register begins a registration and finishes it with a's response, changed by tamper.
func (e routesEnv) register(a *softauth.Authenticator, tamper softauth.Tamper) (int, []byte) {
	e.t.Helper()
	st, opts := e.post("/register/begin", nil)
	if st != http.StatusOK {
		e.t.Fatalf("register begin: %d %s", st, opts)
	}
	resp, _, err := a.Create(opts, testOrigin, tamper)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.post("/register/finish", resp)
}

// barrierCreds holds every GetCredential until parties of them have read, so that
// concurrent finishes all read before any writes: the interleaving that check-then-act
// loses.
type barrierCreds struct {
	*credTable
	parties int32
	arrived atomic.Int32
	gate    chan struct{}
}

func newBarrier(c *credTable, parties int32) *barrierCreds {
	return &barrierCreds{credTable: c, parties: parties, gate: make(chan struct{})}
}

func (b *barrierCreds) GetCredential(ctx context.Context, id []byte) (StoredCredential, error) {
	c, err := b.credTable.GetCredential(ctx, id)
	if b.arrived.Add(1) == b.parties {
		close(b.gate)
	}
	select {
	case <-b.gate:
	case <-time.After(5 * time.Second):
	}
	return c, err
}

// together runs each function at once and returns their answers.
func together(fs ...func() (int, []byte)) (sts []int, bodies [][]byte) {
	sts, bodies = make([]int, len(fs)), make([][]byte, len(fs))
	var wg sync.WaitGroup
	for i, f := range fs {
		wg.Go(func() { sts[i], bodies[i] = f() })
	}
	wg.Wait()
	return sts, bodies
}

// TestRoutesRefuseRegisteredCredentialID: a registration whose credential ID is already
// registered, to another user or to the same one, is refused with credential_exists, and
// the registered row is left as it was (with a store that overwrote by ID, another user
// would take over the victim's row).
func TestRoutesRefuseRegisteredCredentialID(t *testing.T) {
	ae, creds := newRoutesEnv(t, "alice")
	victim := softauth.New()
	if st, body := ae.register(victim, softauth.Tamper{}); st != http.StatusOK {
		t.Fatalf("alice registers: %d %s", st, body)
	}
	id := victim.Creds[0].ID
	row, _ := creds.lookup(t.Context(), id)
	key := bytes.Clone(row.CredentialPublicKey())

	bob := ae.browser()
	bob.as("bob")
	st, body := bob.register(softauth.New(), softauth.Tamper{CredentialID: id})
	wantCode(t, st, body, http.StatusBadRequest, CodeCredentialExists)
	st, body = ae.register(softauth.New(), softauth.Tamper{CredentialID: id})
	wantCode(t, st, body, http.StatusBadRequest, CodeCredentialExists)

	row, _ = creds.lookup(t.Context(), id)
	if !bytes.Equal(row.CredentialUserID(), alice.ID) || !bytes.Equal(row.CredentialPublicKey(), key) || creds.len() != 1 {
		t.Fatalf("the victim's row changed: user %q, same key %v, %d rows", row.CredentialUserID(), bytes.Equal(row.CredentialPublicKey(), key), creds.len())
	}
}

// TestRoutesConcurrentRegistrationsOfOneID: two registrations of one new credential ID,
// finished at once by two users after both looked it up: exactly one is stored.
func TestRoutesConcurrentRegistrationsOfOneID(t *testing.T) {
	for run := range 5 {
		ae, creds := newRoutesEnv(t, "alice")
		ae.rt.Credentials = newBarrier(creds, 2)
		bob := ae.browser()
		bob.as("bob")
		id := bytes.Repeat([]byte{byte(run + 1)}, 16)
		finish := func(e routesEnv) func() (int, []byte) {
			st, opts := e.post("/register/begin", nil)
			if st != http.StatusOK {
				t.Fatalf("begin: %d %s", st, opts)
			}
			resp, _, err := softauth.New().Create(opts, testOrigin, softauth.Tamper{CredentialID: id})
			if err != nil {
				t.Fatal(err)
			}
			return func() (int, []byte) { return e.post("/register/finish", resp) }
		}
		sts, bodies := together(finish(ae), finish(bob))
		if ok := (sts[0] == 200) != (sts[1] == 200); !ok || creds.len() != 1 {
			t.Fatalf("run %d: answers %d %s / %d %s, %d rows; want one 200 and one credential_exists", run, sts[0], bodies[0], sts[1], bodies[1], creds.len())
		}
		for i := range sts {
			if sts[i] != 200 {
				wantCode(t, sts[i], bodies[i], http.StatusBadRequest, CodeCredentialExists)
			}
		}
	}
}

// TestRoutesSignCountCompareAndSet: two sign-ins that present the same counter value,
// finished at once after both read the stored count: exactly one wins, the other gets
// sign_count_regressed, and the stored count is the presented one.
func TestRoutesSignCountCompareAndSet(t *testing.T) {
	for run := range 5 {
		e, creds := newRoutesEnv(t, "alice")
		a := softauth.New()
		if st, body := e.register(a, softauth.Tamper{}); st != http.StatusOK {
			t.Fatalf("register: %d %s", st, body)
		}
		e.rt.Credentials = newBarrier(creds, 2)
		e.as("")
		count := uint32(7 + run)
		finish := func() func() (int, []byte) {
			st, opts := e.post("/login/begin", nil)
			if st != http.StatusOK {
				t.Fatalf("login begin: %d %s", st, opts)
			}
			resp, err := a.Sign(a.Creds[0], challengeOfOptions(t, opts), "localhost", testOrigin, softauth.Tamper{SignCount: &count})
			if err != nil {
				t.Fatal(err)
			}
			return func() (int, []byte) { return e.post("/login/finish", resp) }
		}
		sts, bodies := together(finish(), finish())
		if (sts[0] == 200) == (sts[1] == 200) {
			t.Fatalf("run %d: answers %d %s / %d %s; want exactly one 200", run, sts[0], bodies[0], sts[1], bodies[1])
		}
		for i := range sts {
			if sts[i] != 200 {
				wantCode(t, sts[i], bodies[i], http.StatusBadRequest, CodeSignCountRegressed)
			}
		}
		row, _ := creds.lookup(t.Context(), a.Creds[0].ID)
		if row.CredentialSignCount() != count {
			t.Fatalf("stored count %d, want %d", row.CredentialSignCount(), count)
		}
	}
}

// TestRoutesUsernameProbe: a username-first login/begin answers an unknown username as it
// answers a user with a passkey: 200 and an allow list of one ID, the same one when asked
// again, so that the answer does not tell who has an account.
func TestRoutesUsernameProbe(t *testing.T) {
	e, _ := newRoutesEnv(t, "alice")
	if st, body := e.register(softauth.New(), softauth.Tamper{}); st != http.StatusOK {
		t.Fatalf("register: %d %s", st, body)
	}
	e.as("")
	allow := func(name string) []string {
		st, opts := e.post("/login/begin", []byte(`{"username":"`+name+`"}`))
		if st != http.StatusOK {
			t.Fatalf("login begin for %s: %d %s", name, st, opts)
		}
		var o struct {
			AllowCredentials []struct{ ID, Type string } `json:"allowCredentials"`
		}
		if err := json.Unmarshal(opts, &o); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range o.AllowCredentials {
			if c.Type != "public-key" {
				t.Fatalf("%s: descriptor type %q", name, c.Type)
			}
			ids = append(ids, c.ID)
		}
		return ids
	}
	real, nobody, again, other := allow("alice"), allow("nobody"), allow("nobody"), allow("somebody")
	if len(real) != 1 || len(nobody) != 1 || len(nobody[0]) != len(real[0]) {
		t.Fatalf("allow lists differ in shape: alice %v, nobody %v", real, nobody)
	}
	if again[0] != nobody[0] || other[0] == nobody[0] || nobody[0] == real[0] {
		t.Fatalf("decoy IDs: nobody %s then %s, somebody %s", nobody[0], again[0], other[0])
	}
}
