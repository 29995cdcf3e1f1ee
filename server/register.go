package server

import (
	"fmt"
	"net/http"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// RegistrationOptions tunes one BeginRegistration. The zero value is a plain registration.
type RegistrationOptions struct {
	// ExcludeCredentials lists the IDs of the credentials the user already has, so that
	// an authenticator holding one of them refuses to make another (the browser reports
	// it, and the bridge rejects with passkeyReason "duplicate").
	ExcludeCredentials [][]byte

	// Conditional asks for conditional mediation: the browser may create the passkey
	// without a dialog right after a password sign-in (automatic passkey upgrade).
	Conditional bool

	// Hints tell the browser which kind of authenticator the app expects, most preferred
	// first: "security-key", "client-device" or "hybrid" (WebAuthn L3 §5.8.7). Zero means
	// none; another value fails the begin (500, logged).
	Hints []string

	// PRF asks the authenticator to enable the PRF extension for the new credential (so
	// that sign-ins can derive secrets with AuthenticationOptions.PRF);
	// RegisteredCredential.PRFEnabled reports whether it did.
	PRF bool
}

// BeginRegistration starts registering a passkey for user, who must already be signed in
// (the app checks that). It stores the ceremony, binds it to this browser with a cookie,
// and answers 200 with the PublicKeyCredentialCreationOptionsJSON for the bridge's
// register(). On failure it answers the error itself and returns it.
func (s *Server) BeginRegistration(w http.ResponseWriter, r *http.Request, user User, opts RegistrationOptions) error {
	const verb = "BeginRegistration"
	if len(user.ID) == 0 || len(user.ID) > 64 || user.Name == "" {
		return s.fail(w, r, verb, newError(CodeInternal, "Internal error.",
			errorf("BeginRegistration: user.ID must be 1 to 64 bytes and user.Name set (got %d bytes, name %q)", len(user.ID), user.Name)))
	}
	if e := s.admit(w, r); e != nil {
		return s.fail(w, r, verb, e)
	}
	hints, err := parseHints(opts.Hints)
	if err != nil {
		return s.fail(w, r, verb, newError(CodeInternal, "Internal error.", fmt.Errorf("BeginRegistration: %w", err)))
	}
	// credProps always: it tells whether the credential is discoverable (a passkey).
	ext := []webauthn.ExtensionOption{webauthn.WithExtensionCredProps()}
	if opts.PRF {
		ext = append(ext, webauthn.WithExtensionPRFSupport())
	}
	regOpts := []webauthn.RegistrationOption{webauthn.WithExtensions(ext...)}
	if len(opts.ExcludeCredentials) > 0 {
		regOpts = append(regOpts, webauthn.WithExclusions(descriptors(opts.ExcludeCredentials)))
	}
	if len(hints) > 0 {
		regOpts = append(regOpts, webauthn.WithPublicKeyCredentialHints(hints))
	}
	creation, session, err := s.wa.BeginMediatedRegistration(&waUser{User: user}, mediation(opts.Conditional), regOpts...)
	if err != nil {
		return s.fail(w, r, verb, newError(CodeInternal, "Internal error.", err))
	}
	if e := s.save(r.Context(), w, r, kindRegistration, session); e != nil {
		return s.fail(w, r, verb, e)
	}
	return WriteJSON(w, creation.Response)
}

// FinishRegistration verifies the browser's RegistrationResponseJSON against the ceremony
// this browser began, which it uses up whatever the outcome. On success it writes nothing,
// and the app, before it answers (for example {"ok": true}):
//   - checks that RegisteredCredential.UserID is the signed-in user's (else 400
//     user_mismatch);
//   - refuses a credential ID it already has, for this user or any other, as the spec
//     requires (else another user could take over the victim's row): 400
//     credential_exists, WriteError(w, &Error{Code: CodeCredentialExists, Message: …}),
//     decided by the insert itself (a primary key on the ID), not by a read before it;
//   - persists the credential.
//
// On failure it answers the error itself and returns it; nothing is to be stored then.
func (s *Server) FinishRegistration(w http.ResponseWriter, r *http.Request) (*RegisteredCredential, error) {
	const verb = "FinishRegistration"
	parsed, session, e := readFinish(s, w, r, kindRegistration, protocol.ParseCredentialCreationResponseBytes,
		func(p *protocol.ParsedCredentialCreationData) string { return p.Response.CollectedClientData.Challenge })
	if e != nil {
		return nil, s.fail(w, r, verb, e)
	}
	if e := s.exactOrigin(parsed.Response.CollectedClientData.Origin); e != nil {
		return nil, s.fail(w, r, verb, e)
	}
	cred, err := s.wa.CreateCredential(&waUser{User: User{ID: session.UserID}}, *session, parsed)
	if err != nil {
		return nil, s.fail(w, r, verb, verificationError(err))
	}
	transports := make([]string, len(cred.Transport))
	for i, t := range cred.Transport {
		transports[i] = string(t)
	}
	out := parsed.ClientExtensionResults
	var discoverable *bool
	if out.CredProps != nil && out.CredProps.RK != nil {
		rk := *out.CredProps.RK
		discoverable = &rk
	}
	return &RegisteredCredential{
		ID:                cred.ID,
		PublicKey:         cred.PublicKey,
		SignCount:         cred.Authenticator.SignCount,
		UserID:            session.UserID,
		Transports:        transports,
		AAGUID:            cred.Authenticator.AAGUID,
		BackupEligible:    cred.Flags.BackupEligible,
		BackupState:       cred.Flags.BackupState,
		UserVerified:      cred.Flags.UserVerified,
		AttestationFormat: cred.AttestationFormat,
		Discoverable:      discoverable,
		PRFEnabled:        out.PRF != nil && out.PRF.Enabled != nil && *out.PRF.Enabled,
	}, nil
}
