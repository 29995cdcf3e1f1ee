package server

import (
	"net/http"
	"testing"

	"github.com/chirpkit/passkeys/internal/softauth"
)

// TestOriginsAreExact: a clientDataJSON origin that is not byte for byte a configured
// origin fails both finishes with verification_failed, though go-webauthn, comparing scheme
// and host only, would accept each of these; and nothing is stored.
func TestOriginsAreExact(t *testing.T) {
	for _, origin := range []string{
		"HTTP://LOCALHOST",
		"http://LocalHost",
		"http://localhost/phish?x",
		"http://localhost/",
		"http://evil@localhost",
		"http://localhost:80",
	} {
		t.Run(origin, func(t *testing.T) {
			g := newRig(t, nil)
			e := verbEnv{g: g, b: g.browser(), a: softauth.New()}
			g.register(e.b, e.a)
			rows := g.creds.len()
			st, body := e.post("/register/finish", e.registrationResponse(testOrigin, softauth.Tamper{Origin: origin}))
			wantCode(t, st, body, http.StatusBadRequest, CodeVerificationFailed)
			if g.creds.len() != rows {
				t.Fatal("a registration from an inexact origin was stored")
			}
			st, body = e.post("/login/finish", e.loginResponse(softauth.Tamper{Origin: origin}))
			wantCode(t, st, body, http.StatusBadRequest, CodeVerificationFailed)
		})
	}
	g := newRig(t, nil)
	e := verbEnv{g: g, b: g.browser(), a: softauth.New()}
	g.register(e.b, e.a)
	if st, body := e.post("/login/finish", e.loginResponse(softauth.Tamper{Origin: testOrigin})); st != http.StatusOK {
		t.Fatalf("the exact origin: %d %s", st, body)
	}
}
