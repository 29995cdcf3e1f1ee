package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// Server runs WebAuthn ceremonies for one relying party. It is safe for concurrent use.
type Server struct {
	cfg          Config
	wa           *webauthn.WebAuthn
	cookiePrefix string
	cookieSecure bool
	log          *slog.Logger
	limit        *limiter     // nil when Config.ClientLimit is Off
	decoyKey     [32]byte     // for decoyCredentialID, random per Server
	wellKnown    http.Handler // WellKnown, its body made once
}

// New validates cfg and returns a Server. The error names the bad value and the fix.
func New(cfg Config) (*Server, error) {
	if len(cfg.Origins) == 0 {
		return nil, errors.New("passkeys: Origins is empty: list the exact origins of your site, e.g. https://example.com (http://localhost:8000 in development)")
	}
	hosts := make([]string, 0, len(cfg.Origins))
	allSecure := true
	for _, o := range cfg.Origins {
		host, secure, err := checkOrigin(o)
		if err != nil {
			return nil, fmt.Errorf("passkeys: %w", err)
		}
		hosts = append(hosts, host)
		allSecure = allSecure && secure
	}
	if err := checkRPID(cfg.RPID, hosts); err != nil {
		return nil, fmt.Errorf("passkeys: %w", err)
	}
	if err := checkRelatedOrigins(cfg.RPID, cfg.RelatedOrigins); err != nil {
		return nil, fmt.Errorf("passkeys: %w", err)
	}
	cfg.Origins = append([]string(nil), cfg.Origins...)
	cfg.RelatedOrigins = append([]string(nil), cfg.RelatedOrigins...)
	if cfg.RPName == "" {
		cfg.RPName = cfg.RPID
	}
	var err error
	if cfg.UserVerification, err = oneOf("UserVerification", cfg.UserVerification, "preferred", "required", "discouraged"); err != nil {
		return nil, err
	}
	if cfg.ResidentKey, err = oneOf("ResidentKey", cfg.ResidentKey, "required", "preferred", "discouraged"); err != nil {
		return nil, err
	}
	if cfg.Attestation, err = oneOf("Attestation", cfg.Attestation, "none", "indirect", "direct", "enterprise"); err != nil {
		return nil, err
	}
	if cfg.Timeout < 0 || cfg.ChallengeTTL < 0 || cfg.MaxBodyBytes < 0 || cfg.StoreTimeout < 0 {
		return nil, errors.New("passkeys: Timeout, ChallengeTTL, MaxBodyBytes and StoreTimeout may not be negative")
	}
	if cfg.StoreTimeout == 0 {
		cfg.StoreTimeout = defaultStoreTimeout
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.ChallengeTTL == 0 {
		cfg.ChallengeTTL = defaultChallengeTTL
	}
	if cfg.ChallengeTTL < cfg.Timeout {
		return nil, fmt.Errorf("passkeys: ChallengeTTL (%s) is shorter than Timeout (%s): a user could finish in time for the browser and be refused; raise ChallengeTTL or lower Timeout", cfg.ChallengeTTL, cfg.Timeout)
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = defaultMaxBody
	}
	if l := cfg.ClientLimit; l.Rate < 0 || math.IsNaN(l.Rate) || l.Burst < 0 || l.Clients < 0 {
		return nil, fmt.Errorf("passkeys: ClientLimit Rate (%v), Burst (%d) and Clients (%d) may not be negative; set Off to turn the limit off", l.Rate, l.Burst, l.Clients)
	}
	if cfg.SignCount != SignCountReject && cfg.SignCount != SignCountFlag {
		return nil, fmt.Errorf("passkeys: SignCount policy %d is not SignCountReject or SignCountFlag", cfg.SignCount)
	}
	if cfg.Cookie.SameSite == 0 {
		cfg.Cookie.SameSite = http.SameSiteLaxMode
	}
	if cfg.Store == nil {
		cfg.Store = NewMemoryStore(MemoryStoreOptions{Clock: cfg.Clock})
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	s := &Server{cfg: cfg, log: cfg.Logger, cookieSecure: allSecure && !cfg.Cookie.Insecure, limit: newLimiter(cfg.ClientLimit)}
	s.cookiePrefix = cfg.Cookie.Name
	if s.cookiePrefix == "" {
		s.cookiePrefix = "chirp-passkeys"
		if s.cookieSecure {
			s.cookiePrefix = "__Host-chirp-passkeys"
		}
	}
	rand.Read(s.decoyKey[:])
	s.wellKnown = newWellKnown(cfg.RelatedOrigins)
	timeouts := webauthn.TimeoutConfig{Timeout: cfg.Timeout, TimeoutUVD: cfg.Timeout}
	s.wa, err = webauthn.New(&webauthn.Config{
		RPID:                  cfg.RPID,
		RPDisplayName:         cfg.RPName,
		RPOrigins:             append(append([]string(nil), cfg.Origins...), cfg.RelatedOrigins...),
		AttestationPreference: protocol.ConveyancePreference(cfg.Attestation),
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:        protocol.ResidentKeyRequirement(cfg.ResidentKey),
			RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification:   protocol.UserVerificationRequirement(cfg.UserVerification),
		},
		// Expiry is enforced here, with Config.Clock, not by go-webauthn.
		Timeouts: webauthn.TimeoutsConfig{Login: timeouts, Registration: timeouts},
	})
	if err != nil {
		return nil, fmt.Errorf("passkeys: go-webauthn refused the configuration: %w", err)
	}
	if cfg.ResidentKey != "required" {
		s.wa.Config.AuthenticatorSelection.RequireResidentKey = protocol.ResidentKeyNotRequired()
	}
	return s, nil
}

func oneOf(field, v string, allowed ...string) (string, error) {
	if v == "" {
		return allowed[0], nil
	}
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	return "", fmt.Errorf("passkeys: %s %q is not one of %q", field, v, allowed)
}

// Config returns the configuration in effect, defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// save stores a new ceremony and binds it to this browser with a cookie of its own.
func (s *Server) save(ctx context.Context, w http.ResponseWriter, r *http.Request, kind ceremonyKind, session *webauthn.SessionData) *Error {
	now := s.cfg.Clock()
	secret := newCeremonySecret(now)
	rec := record{kind: kind, expires: now.Add(s.cfg.ChallengeTTL), session: *session}
	b, err := rec.encode()
	if err != nil {
		return newError(CodeInternal, "Internal error.", err)
	}
	key := ceremonyKey(secret, session.Challenge)
	if err := s.storeCall(ctx, func(ctx context.Context) error {
		return s.cfg.Store.Put(ctx, key, b, s.cfg.ChallengeTTL+expiryGrace)
	}); err != nil {
		return storeError(err)
	}
	s.pruneCeremonyCookies(w, r)
	s.setCeremonyCookie(w, s.ceremonyCookieName(session.Challenge), secret)
	return nil
}

// take removes the ceremony that this browser began with this challenge and checks that it
// is of the wanted kind and not expired. It runs before any verification, so that every
// finish, failed or not, uses the ceremony up; and it deletes the ceremony's cookie.
func (s *Server) take(ctx context.Context, w http.ResponseWriter, r *http.Request, kind ceremonyKind, challenge string) (*webauthn.SessionData, *Error) {
	if challenge == "" {
		return nil, newError(CodeChallengeMissing, "No passkey ceremony is pending in this browser; start again.", nil)
	}
	secret := s.ceremonySecret(r, challenge)
	if secret == "" {
		return nil, newError(CodeChallengeMissing, "No passkey ceremony is pending in this browser; start again.", nil)
	}
	var b []byte
	var found bool
	key := ceremonyKey(secret, challenge)
	err := s.storeCall(ctx, func(ctx context.Context) (err error) {
		b, found, err = s.cfg.Store.Take(ctx, key)
		return err
	})
	if err != nil {
		return nil, storeError(err) // the cookie stays: a retry may find the store back
	}
	s.deleteCeremonyCookie(w, s.ceremonyCookieName(challenge))
	if !found {
		return nil, newError(CodeChallengeMissing, "No passkey ceremony is pending for this challenge; start again.", nil)
	}
	rec, err := decodeRecord(b)
	if err != nil {
		return nil, newError(CodeChallengeMissing, "No passkey ceremony is pending for this challenge; start again.", err)
	}
	if rec.kind != kind {
		return nil, newError(CodeCeremonyMismatch, fmt.Sprintf("This challenge was issued for %s, not %s; start again.", rec.kind, kind), nil)
	}
	if !s.cfg.Clock().Before(rec.expires) {
		return nil, newError(CodeChallengeExpired, "The passkey ceremony expired; start again.", nil)
	}
	// Expiry is checked above with Config.Clock; go-webauthn would check it with time.Now.
	rec.session.Expires = time.Time{}
	return &rec.session, nil
}

// decoyCredentialID is the credential ID that Routes offers for a username without
// credentials: HMAC-SHA256 of the username under a key of this Server, so that asking
// twice gives the same answer, as it does for a real user.
func (s *Server) decoyCredentialID(username string) []byte {
	m := hmac.New(sha256.New, s.decoyKey[:])
	m.Write([]byte("chirp-passkeys decoy credential\x00"))
	m.Write([]byte(username))
	return m.Sum(nil)
}

// exactOrigin refuses a clientDataJSON origin that is not, byte for byte, one of
// Config.Origins or Config.RelatedOrigins. go-webauthn compares scheme and host only, so
// that HTTP://LOCALHOST, http://localhost/phish?x and http://evil@localhost would pass
// it; browsers never send those, and the README promises exact origins.
func (s *Server) exactOrigin(origin string) *Error {
	for _, o := range s.cfg.Origins {
		if origin == o {
			return nil
		}
	}
	for _, o := range s.cfg.RelatedOrigins {
		if origin == o {
			return nil
		}
	}
	return newError(CodeVerificationFailed, "The passkey could not be verified.",
		fmt.Errorf("origin %q is not one of the configured origins", origin))
}

// storeCall runs a call f to the ceremony store within Config.StoreTimeout: f gets a
// context with that deadline, and when f has not returned by then (a store that does not
// honour the context, such as go-redis without ContextTimeoutEnabled, waiting on a frozen
// server) storeCall returns context.DeadlineExceeded without it; f finishes on its own.
// The memory store, which never blocks, is called directly.
func (s *Server) storeCall(ctx context.Context, f func(context.Context) error) error {
	if _, ok := s.cfg.Store.(*MemoryStore); ok {
		return f(ctx)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.StoreTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("ceremony store: no answer within %s: %w", s.cfg.StoreTimeout, ctx.Err())
	}
}

func storeError(err error) *Error {
	if errors.Is(err, ErrStoreFull) {
		return newError(CodeStoreUnavailable, "Too many passkey ceremonies are pending; try again shortly.", err)
	}
	return newError(CodeStoreUnavailable, "Passkeys are unavailable right now; try again shortly.", err)
}

// readFinish reads a finish request's body, parses it with parse and takes the ceremony
// of this kind that it names. A body that does not parse still uses up the ceremony its
// clientDataJSON names, if any: every finish naming a pending ceremony consumes it, and
// nothing is verified before that.
func readFinish[T any](s *Server, w http.ResponseWriter, r *http.Request, kind ceremonyKind, parse func([]byte) (T, error), challenge func(T) string) (T, *webauthn.SessionData, *Error) {
	var zero T
	body, e := s.readBody(w, r)
	if e != nil {
		return zero, nil, e
	}
	parsed, err := parse(body)
	if err != nil {
		if c := challengeOf(body); c != "" {
			_, _ = s.take(r.Context(), w, r, kind, c)
		}
		return zero, nil, newError(CodeBadRequest, "The credential could not be parsed.", err)
	}
	session, e := s.take(r.Context(), w, r, kind, challenge(parsed))
	if e != nil {
		return zero, nil, e
	}
	return parsed, session, nil
}

// readBody reads a finish request's JSON body within Config.MaxBodyBytes.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *Error) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return nil, newError(CodeMethodNotAllowed, "Use POST.", nil)
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, newError(CodeUnsupportedMediaType, "Send the credential as application/json.", nil)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, newError(CodePayloadTooLarge, fmt.Sprintf("The body exceeds %d bytes.", s.cfg.MaxBodyBytes), nil)
		}
		return nil, newError(CodeBadRequest, "Could not read the request body.", err)
	}
	return body, nil
}

// fail logs a failure with its cause and writes it to the browser.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, verb string, e *Error) error {
	attrs := []any{"verb", verb, "code", e.Code, "status", e.Status}
	if e.Cause != nil {
		attrs = append(attrs, "cause", e.Cause.Error())
		var pe *protocol.Error
		if errors.As(e.Cause, &pe) && pe.DevInfo != "" {
			attrs = append(attrs, "devinfo", pe.DevInfo)
		}
	}
	level := slog.LevelInfo
	if e.Status >= 500 {
		level = slog.LevelError
	}
	s.log.Log(r.Context(), level, "passkeys: ceremony failed", attrs...)
	WriteError(w, e)
	return e
}

// verificationError turns a go-webauthn verification failure into the answer the browser
// gets. The protocol error's Details and DevInfo are logged, not sent.
func verificationError(err error) *Error {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Type == "parse_error" {
		return newError(CodeBadRequest, "The credential could not be parsed.", err)
	}
	return newError(CodeVerificationFailed, "The passkey could not be verified.", err)
}
