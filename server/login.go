package server

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// AuthenticationOptions tunes one BeginAuthentication. The zero value is a usernameless
// sign-in: the browser offers every passkey it has for this site.
type AuthenticationOptions struct {
	// AllowCredentials limits the sign-in to these credential IDs, for username-first
	// login (the app looked the user up and lists the user's credentials).
	AllowCredentials [][]byte

	// Conditional marks the request for conditional mediation (autofill sign-in); the
	// bridge's authenticate(options, {conditional: true}) runs it.
	Conditional bool

	// Hints tell the browser which kind of authenticator the app expects, most preferred
	// first: "security-key", "client-device" or "hybrid". Another value fails the begin.
	Hints []string

	// PRF, if set, asks the authenticator to evaluate its PRF with these salts. The
	// outputs reach the page in the bridge's result, not the server (unless the page
	// sends them): they are secrets of the user's device, for end-to-end encryption.
	PRF *PRFSalts
}

// PRFSalts are the inputs of a PRF evaluation (WebAuthn L3 §10.1.4): First is required,
// Second optional (for key rotation). The browser hashes each with a fixed prefix
// before the authenticator sees it.
type PRFSalts struct {
	First, Second []byte
}

// BeginAuthentication starts a sign-in. It stores the ceremony, binds it to this browser
// with a cookie, and answers 200 with the PublicKeyCredentialRequestOptionsJSON for the
// bridge's authenticate(). On failure it answers the error itself and returns it.
func (s *Server) BeginAuthentication(w http.ResponseWriter, r *http.Request, opts AuthenticationOptions) error {
	const verb = "BeginAuthentication"
	if e := s.admit(w, r); e != nil {
		return s.fail(w, r, verb, e)
	}
	hints, err := parseHints(opts.Hints)
	if err == nil && opts.PRF != nil && len(opts.PRF.First) == 0 {
		err = errors.New("PRF.First is empty")
	}
	if err != nil {
		return s.fail(w, r, verb, newError(CodeInternal, "Internal error.", fmt.Errorf("BeginAuthentication: %w", err)))
	}
	var loginOpts []webauthn.LoginOption
	if len(opts.AllowCredentials) > 0 {
		loginOpts = append(loginOpts, webauthn.WithAllowedCredentials(descriptors(opts.AllowCredentials)))
	}
	if len(hints) > 0 {
		loginOpts = append(loginOpts, webauthn.WithAssertionPublicKeyCredentialHints(hints))
	}
	if opts.PRF != nil {
		loginOpts = append(loginOpts, webauthn.WithAssertionExtensions(webauthn.WithExtensionPRF(protocol.PRFValues{First: opts.PRF.First, Second: opts.PRF.Second})))
	}
	assertion, session, err := s.wa.BeginDiscoverableMediatedLogin(mediation(opts.Conditional), loginOpts...)
	if err != nil {
		return s.fail(w, r, verb, newError(CodeInternal, "Internal error.", err))
	}
	if e := s.save(r.Context(), w, r, kindAuthentication, session); e != nil {
		return s.fail(w, r, verb, e)
	}
	return WriteJSON(w, assertion.Response)
}

// FinishAuthentication verifies the browser's AuthenticationResponseJSON against the
// ceremony this browser began, which it uses up whatever the outcome. It asks lookup for
// the stored credential, checks that the response's user handle is that credential's user,
// verifies the signature, and applies Config.SignCount. On success it writes nothing: the
// app stores the new sign count as a compare-and-set (only while the row still holds
// AuthenticatedCredential.PreviousSignCount; when it does not, a concurrent sign-in with the
// same counter won, and the app refuses this one, for example with
// WriteError(w, &Error{Code: CodeSignCountRegressed, Message: …})), signs the user in, and
// answers. On failure it answers the error itself and returns it.
func (s *Server) FinishAuthentication(w http.ResponseWriter, r *http.Request, lookup LookupFunc) (*AuthenticatedCredential, error) {
	const verb = "FinishAuthentication"
	parsed, session, e := readFinish(s, w, r, kindAuthentication, protocol.ParseCredentialRequestResponseBytes,
		func(p *protocol.ParsedCredentialAssertionData) string {
			return p.Response.CollectedClientData.Challenge
		})
	if e != nil {
		return nil, s.fail(w, r, verb, e)
	}
	if e := s.exactOrigin(parsed.Response.CollectedClientData.Origin); e != nil {
		return nil, s.fail(w, r, verb, e)
	}
	if len(session.AllowedCredentialIDs) > 0 && !containsID(session.AllowedCredentialIDs, parsed.RawID) {
		return nil, s.fail(w, r, verb, newError(CodeVerificationFailed, "This passkey was not offered for this sign-in.", nil))
	}
	stored, err := lookup(r.Context(), parsed.RawID)
	if errors.Is(err, ErrUnknownCredential) || (err == nil && stored == nil) {
		return nil, s.fail(w, r, verb, newError(CodeUnknownCredential, "This passkey is not registered here.", err))
	}
	if err != nil {
		return nil, s.fail(w, r, verb, newError(CodeInternal, "Internal error.", fmt.Errorf("lookup: %w", err)))
	}
	userID := stored.CredentialUserID()
	if h := parsed.Response.UserHandle; len(h) > 0 && !bytes.Equal(h, userID) {
		return nil, s.fail(w, r, verb, newError(CodeUserMismatch, "This passkey belongs to another account.", nil))
	}
	flags := parsed.Response.AuthenticatorData.Flags
	cred := webauthn.Credential{
		ID:            stored.CredentialID(),
		PublicKey:     stored.CredentialPublicKey(),
		Authenticator: webauthn.Authenticator{SignCount: stored.CredentialSignCount()},
		// Without stored flags, take the response's: go-webauthn would otherwise fail
		// every backup-eligible (synced) passkey.
		Flags: webauthn.CredentialFlags{BackupEligible: flags.HasBackupEligible(), BackupState: flags.HasBackupState()},
	}
	if sf, ok := stored.(StoredFlags); ok {
		cred.Flags.BackupEligible = sf.CredentialBackupEligible()
		cred.Flags.BackupState = sf.CredentialBackupState()
	}
	// The allow list was checked above against the session; go-webauthn would require the
	// single looked-up credential to own every listed ID.
	session.AllowedCredentialIDs = nil
	session.UserID = userID
	verified, err := s.wa.ValidateLogin(&waUser{User: User{ID: userID}, creds: []webauthn.Credential{cred}}, *session, parsed)
	if err != nil {
		return nil, s.fail(w, r, verb, verificationError(err))
	}
	clone := verified.Authenticator.CloneWarning
	if clone && s.cfg.SignCount == SignCountReject {
		return nil, s.fail(w, r, verb, newError(CodeSignCountRegressed,
			"This passkey's signature counter went backwards; it may have been cloned.",
			fmt.Errorf("sign count %d after stored %d", parsed.Response.AuthenticatorData.Counter, stored.CredentialSignCount())))
	}
	return &AuthenticatedCredential{
		CredentialID:      parsed.RawID,
		UserID:            userID,
		SignCount:         max(parsed.Response.AuthenticatorData.Counter, stored.CredentialSignCount()),
		PreviousSignCount: stored.CredentialSignCount(),
		CloneWarning:      clone,
		BackupEligible:    flags.HasBackupEligible(),
		BackupState:       flags.HasBackupState(),
		UserVerified:      flags.HasUserVerified(),
	}, nil
}

func containsID(ids [][]byte, id []byte) bool {
	for _, x := range ids {
		if bytes.Equal(x, id) {
			return true
		}
	}
	return false
}
