package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// User is the account a credential is registered for.
type User struct {
	// ID is the user handle: opaque bytes (at most 64), stable for the account, and
	// never personal data such as an email address. A random 32-byte value stored in
	// the user's row is the usual choice. Usernameless sign-in returns it.
	ID []byte
	// Name is the account's name as the user knows it (a username or email address);
	// the browser shows it in its passkey picker.
	Name string
	// DisplayName is a friendlier name; zero means Name.
	DisplayName string
}

// StoredCredential is what the app hands back for a credential it stored: the four values
// FinishAuthentication needs. RegisteredCredential implements it, and so can the app's own
// row type. A row that also remembers flags should implement StoredFlags.
type StoredCredential interface {
	CredentialID() []byte
	CredentialPublicKey() []byte
	CredentialSignCount() uint32
	CredentialUserID() []byte
}

// StoredFlags is implemented by stored credentials that kept the backup flags of
// registration. When a row does not, the flags are taken from the login response as they
// come; when it does, a change of BackupEligible fails the login, as the spec requires.
type StoredFlags interface {
	CredentialBackupEligible() bool
	CredentialBackupState() bool
}

// LookupFunc finds a stored credential by its ID for FinishAuthentication. It returns
// ErrUnknownCredential (or a nil credential) when there is none.
type LookupFunc func(ctx context.Context, credentialID []byte) (StoredCredential, error)

// ErrUnknownCredential is returned by a LookupFunc that has no credential with the ID.
var ErrUnknownCredential = errors.New("passkeys: unknown credential")

// ErrCredentialExists is returned (wrapped) by CredentialStore.AddCredential when a
// credential with the ID is already stored. Routes answers it 400 credential_exists.
var ErrCredentialExists = errors.New("passkeys: credential ID already registered")

// ErrSignCountChanged is returned (wrapped) by CredentialStore.UpdateCredential when the
// stored sign count is no longer AuthenticatedCredential.PreviousSignCount: another sign-in
// with the same counter value was stored first. Routes answers it 400 sign_count_regressed.
var ErrSignCountChanged = errors.New("passkeys: sign count changed since it was read")

// RegisteredCredential is a new credential, as FinishRegistration returns it: everything
// worth persisting. Only ID, PublicKey, SignCount and UserID are needed to sign in later.
type RegisteredCredential struct {
	ID                []byte
	PublicKey         []byte // COSE-encoded
	SignCount         uint32
	UserID            []byte // the user handle the ceremony was begun for
	Transports        []string
	AAGUID            []byte
	BackupEligible    bool
	BackupState       bool
	UserVerified      bool
	AttestationFormat string
	// Discoverable reports whether the credential is a discoverable credential (a
	// passkey, usable without a username), as the browser's credProps extension said;
	// nil when the browser did not say.
	Discoverable *bool
	// PRFEnabled reports whether the authenticator enabled the PRF extension for this
	// credential (asked with RegistrationOptions.PRF).
	PRFEnabled bool
}

// CredentialID implements StoredCredential.
func (c *RegisteredCredential) CredentialID() []byte { return c.ID }

// CredentialPublicKey implements StoredCredential.
func (c *RegisteredCredential) CredentialPublicKey() []byte { return c.PublicKey }

// CredentialSignCount implements StoredCredential.
func (c *RegisteredCredential) CredentialSignCount() uint32 { return c.SignCount }

// CredentialUserID implements StoredCredential.
func (c *RegisteredCredential) CredentialUserID() []byte { return c.UserID }

// CredentialBackupEligible implements StoredFlags.
func (c *RegisteredCredential) CredentialBackupEligible() bool { return c.BackupEligible }

// CredentialBackupState implements StoredFlags.
func (c *RegisteredCredential) CredentialBackupState() bool { return c.BackupState }

// AuthenticatedCredential is the outcome of a successful FinishAuthentication: who signed
// in, with which credential, and what the app should update in the credential's row.
type AuthenticatedCredential struct {
	CredentialID []byte
	UserID       []byte
	// SignCount is the authenticator's new counter: store it. It stays 0 for
	// authenticators that do not count (most synced passkeys).
	SignCount uint32
	// PreviousSignCount is the counter the lookup returned. Store SignCount only while the
	// row still holds PreviousSignCount (compare-and-set: UPDATE … WHERE id = ? AND
	// sign_count = ?), and refuse the sign-in when it does not: of two sign-ins that
	// presented one counter value, only one may win.
	PreviousSignCount uint32
	// CloneWarning is set when the counter did not increase and Config.SignCount is
	// SignCountFlag (with SignCountReject the login fails instead).
	CloneWarning   bool
	BackupEligible bool
	BackupState    bool
	UserVerified   bool
}

// waUser adapts a user and its credentials to go-webauthn's User interface.
type waUser struct {
	User
	creds []webauthn.Credential
}

func (u *waUser) WebAuthnID() []byte   { return u.ID }
func (u *waUser) WebAuthnName() string { return u.Name }
func (u *waUser) WebAuthnDisplayName() string {
	if u.DisplayName == "" {
		return u.Name
	}
	return u.DisplayName
}
func (u *waUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// descriptors turns credential IDs into the allow or exclude list of a ceremony.
func descriptors(ids [][]byte) []protocol.CredentialDescriptor {
	d := make([]protocol.CredentialDescriptor, len(ids))
	for i, id := range ids {
		d[i] = protocol.CredentialDescriptor{Type: protocol.PublicKeyCredentialType, CredentialID: id}
	}
	return d
}

// parseHints checks hints against WebAuthn L3 §5.8.7.
func parseHints(hints []string) ([]protocol.PublicKeyCredentialHints, error) {
	out := make([]protocol.PublicKeyCredentialHints, 0, len(hints))
	for _, h := range hints {
		switch hint := protocol.PublicKeyCredentialHints(h); hint {
		case protocol.PublicKeyCredentialHintSecurityKey, protocol.PublicKeyCredentialHintClientDevice, protocol.PublicKeyCredentialHintHybrid:
			out = append(out, hint)
		default:
			return nil, fmt.Errorf("hint %q is not security-key, client-device or hybrid", h)
		}
	}
	return out, nil
}

// mediation is the mediation requirement of a ceremony begun with Conditional or not.
func mediation(conditional bool) protocol.CredentialMediationRequirement {
	if conditional {
		return protocol.MediationConditional
	}
	return protocol.MediationDefault
}
