package virtualauth

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
)

// AuthenticatorOptions describe a virtual authenticator. The zero value is a
// platform passkey authenticator that always succeeds: protocol ctap2,
// transport internal, resident keys (discoverable credentials), user
// verification supported and passing, and automatic user presence.
//
// The negative fields exist so that the zero value is the safe default.
type AuthenticatorOptions struct {
	// Protocol defaults to ctap2.
	Protocol webauthn.AuthenticatorProtocol
	// Ctap2Version is empty for the browser's default (ctap2_0). Some
	// extensions (largeBlob, credBlob, prf) need ctap2_1.
	Ctap2Version webauthn.Ctap2version
	// Transport defaults to internal (a platform authenticator such as
	// Touch ID or Windows Hello). Use usb, nfc, ble or hybrid for a roaming
	// security key.
	Transport webauthn.AuthenticatorTransport

	// DisableResidentKey makes the authenticator unable to store
	// discoverable credentials (residentKey "required" then fails).
	DisableResidentKey bool
	// DisableUserVerification makes the authenticator unable to verify the
	// user at all (no PIN or biometrics).
	DisableUserVerification bool
	// FailUserVerification keeps user verification supported, but makes it
	// fail (IsUserVerified false). See also Authenticator.SetUserVerified.
	FailUserVerification bool
	// DisablePresenceSimulation turns automatic user presence off: every
	// ceremony then waits for ever (until the tab's deadline). Only for
	// tests of a pending or aborted ceremony.
	DisablePresenceSimulation bool

	// BackupEligible and BackupState set the BE and BS flags of the
	// credentials this authenticator creates, like a synced passkey.
	BackupEligible bool
	BackupState    bool

	// Extension support.
	LargeBlob    bool
	CredBlob     bool
	MinPinLength bool
	PRF          bool
	HmacSecret   bool
}

// Params returns the CDP options the authenticator is created with.
func (o AuthenticatorOptions) Params() *webauthn.VirtualAuthenticatorOptions {
	p := &webauthn.VirtualAuthenticatorOptions{
		Protocol:                    o.Protocol,
		Ctap2version:                o.Ctap2Version,
		Transport:                   o.Transport,
		HasResidentKey:              !o.DisableResidentKey,
		HasUserVerification:         !o.DisableUserVerification,
		IsUserVerified:              !o.DisableUserVerification && !o.FailUserVerification,
		AutomaticPresenceSimulation: !o.DisablePresenceSimulation,
		DefaultBackupEligibility:    o.BackupEligible,
		DefaultBackupState:          o.BackupState,
		HasLargeBlob:                o.LargeBlob,
		HasCredBlob:                 o.CredBlob,
		HasMinPinLength:             o.MinPinLength,
		HasPrf:                      o.PRF,
		HasHmacSecret:               o.HmacSecret,
	}
	if p.Protocol == "" {
		p.Protocol = webauthn.AuthenticatorProtocolCtap2
	}
	if p.Transport == "" {
		p.Transport = webauthn.AuthenticatorTransportInternal
	}
	return p
}

// Authenticator is a CDP virtual authenticator attached to one tab. Pass
// that tab's context to its methods. It goes away with the tab.
type Authenticator struct {
	ID      webauthn.AuthenticatorID
	Options AuthenticatorOptions

	mu        sync.Mutex
	overrides ResponseOverrides
}

// ResponseOverrides corrupt the authenticator's responses, to test that a
// server rejects them.
type ResponseOverrides struct {
	BogusSignature bool // the signature is all zero
	BadUV          bool // the UV flag is cleared
	BadUP          bool // the UP flag is cleared
}

// AddAuthenticator adds a virtual authenticator to the tab (a context from
// NewTab, NewTabIn or Tab). From then on, navigator.credentials.create and
// get in that tab use it instead of a real device.
func AddAuthenticator(tab context.Context, opts AuthenticatorOptions) (*Authenticator, error) {
	res, err := chromedp.Call(tab, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: opts.Params()})
	if err != nil {
		return nil, fmt.Errorf("virtualauth: adding a virtual authenticator (is WebAuthn enabled in this tab? use NewTab or Tab): %w", err)
	}
	return &Authenticator{ID: res.AuthenticatorID, Options: opts}, nil
}

// Credentials returns the credentials the authenticator holds.
func (a *Authenticator) Credentials(tab context.Context) ([]*webauthn.Credential, error) {
	res, err := chromedp.Call(tab, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: a.ID})
	if err != nil {
		return nil, fmt.Errorf("virtualauth: listing credentials: %w", err)
	}
	return res.Credentials, nil
}

// Credential returns one credential by its ID (the raw bytes, as in
// PublicKeyCredential.rawId).
func (a *Authenticator) Credential(tab context.Context, credentialID []byte) (*webauthn.Credential, error) {
	res, err := chromedp.Call(tab, webauthn.GetCredential, webauthn.GetCredentialParams{AuthenticatorID: a.ID, CredentialID: credentialID})
	if err != nil {
		return nil, fmt.Errorf("virtualauth: getting a credential: %w", err)
	}
	return res.Credential, nil
}

// AddCredential imports a credential into the authenticator, for example
// one created by another authenticator (Credentials returns its private
// key). RpID and PrivateKey must be set.
func (a *Authenticator) AddCredential(tab context.Context, cred *webauthn.Credential) error {
	// cdproto always sends generateCmtgKeyOnNextOperation, and Chromium refuses any CMTG
	// member for authenticators without CMTG support ("CMTG is not supported by this
	// authenticator"): send the credential without it when it is false.
	raw, err := json.Marshal(cred)
	if err != nil {
		return fmt.Errorf("virtualauth: adding a credential: %w", err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return fmt.Errorf("virtualauth: adding a credential: %w", err)
	}
	if !cred.GenerateCmtgKeyOnNextOperation {
		delete(fields, "generateCmtgKeyOnNextOperation")
	}
	_, err = chromedp.Call(tab, addCredential, addCredentialParams{AuthenticatorID: a.ID, Credential: fields})
	if err != nil {
		return fmt.Errorf("virtualauth: adding a credential: %w", err)
	}
	return nil
}

// SetUserVerified sets whether user verification succeeds. With false, a
// ceremony with userVerification "required" fails with NotAllowedError.
func (a *Authenticator) SetUserVerified(tab context.Context, verified bool) error {
	_, err := chromedp.Call(tab, webauthn.SetUserVerified, webauthn.SetUserVerifiedParams{AuthenticatorID: a.ID, IsUserVerified: verified})
	if err != nil {
		return fmt.Errorf("virtualauth: setting user verification: %w", err)
	}
	return nil
}

// SetPresenceSimulation turns automatic user presence on or off. Off, every
// ceremony waits for ever.
func (a *Authenticator) SetPresenceSimulation(tab context.Context, enabled bool) error {
	_, err := chromedp.Call(tab, webauthn.SetAutomaticPresenceSimulation, webauthn.SetAutomaticPresenceSimulationParams{AuthenticatorID: a.ID, Enabled: enabled})
	if err != nil {
		return fmt.Errorf("virtualauth: setting presence simulation: %w", err)
	}
	return nil
}

// SetSignCount sets the signature counter of a credential. The next
// assertion reports count+1. A count of -1 removes the counter, so that every
// assertion reports 0 (like a synced passkey). Setting a count lower than
// the one a server stored makes the server see a possible clone.
func (a *Authenticator) SetSignCount(tab context.Context, credentialID []byte, count int64) error {
	if count < -1 {
		return fmt.Errorf("virtualauth: sign count %d is below -1", count)
	}
	_, err := chromedp.Call(tab, webauthn.SetCredentialProperties, webauthn.SetCredentialPropertiesParams{
		AuthenticatorID: a.ID,
		CredentialID:    credentialID,
		SignCount:       new(float64(count)),
	})
	if err != nil {
		return fmt.Errorf("virtualauth: setting the sign count: %w", err)
	}
	return nil
}

// SetBackupFlags sets the BE (backup eligible) and BS (backup state) flags
// that the credential's next assertions report.
func (a *Authenticator) SetBackupFlags(tab context.Context, credentialID []byte, eligible, state bool) error {
	_, err := chromedp.Call(tab, webauthn.SetCredentialProperties, webauthn.SetCredentialPropertiesParams{
		AuthenticatorID:   a.ID,
		CredentialID:      credentialID,
		BackupEligibility: new(eligible),
		BackupState:       new(state),
	})
	if err != nil {
		return fmt.Errorf("virtualauth: setting the backup flags: %w", err)
	}
	return nil
}

// SetResponseOverrides sets all the response overrides at once.
func (a *Authenticator) SetResponseOverrides(tab context.Context, o ResponseOverrides) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.setOverrides(tab, o)
}

// setOverrides sends o; the caller holds a.mu. CDP resets every bit that a
// call leaves out, so each call sends all of them.
func (a *Authenticator) setOverrides(tab context.Context, o ResponseOverrides) error {
	_, err := chromedp.Call(tab, webauthn.SetResponseOverrideBits, webauthn.SetResponseOverrideBitsParams{
		AuthenticatorID:  a.ID,
		IsBogusSignature: new(o.BogusSignature),
		IsBadUV:          new(o.BadUV),
		IsBadUP:          new(o.BadUP),
	})
	if err != nil {
		return fmt.Errorf("virtualauth: setting response overrides: %w", err)
	}
	a.overrides = o
	return nil
}

func (a *Authenticator) updateOverrides(tab context.Context, f func(*ResponseOverrides)) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	o := a.overrides
	f(&o)
	return a.setOverrides(tab, o)
}

// SetBogusSignature makes the authenticator's signatures all zero (true) or
// valid again (false). The ceremony still succeeds in the browser; the
// server must reject the assertion. The other overrides stay as they are.
func (a *Authenticator) SetBogusSignature(tab context.Context, bogus bool) error {
	return a.updateOverrides(tab, func(o *ResponseOverrides) { o.BogusSignature = bogus })
}

// SetBadUV clears the UV flag in the authenticator's responses.
func (a *Authenticator) SetBadUV(tab context.Context, bad bool) error {
	return a.updateOverrides(tab, func(o *ResponseOverrides) { o.BadUV = bad })
}

// SetBadUP clears the UP flag in the authenticator's responses.
func (a *Authenticator) SetBadUP(tab context.Context, bad bool) error {
	return a.updateOverrides(tab, func(o *ResponseOverrides) { o.BadUP = bad })
}

// RemoveCredential deletes one credential from the authenticator.
func (a *Authenticator) RemoveCredential(tab context.Context, credentialID []byte) error {
	_, err := chromedp.Call(tab, webauthn.RemoveCredential, webauthn.RemoveCredentialParams{AuthenticatorID: a.ID, CredentialID: credentialID})
	if err != nil {
		return fmt.Errorf("virtualauth: removing a credential: %w", err)
	}
	return nil
}

// ClearCredentials deletes all the credentials of the authenticator.
func (a *Authenticator) ClearCredentials(tab context.Context) error {
	_, err := chromedp.Call(tab, webauthn.ClearCredentials, webauthn.ClearCredentialsParams{AuthenticatorID: a.ID})
	if err != nil {
		return fmt.Errorf("virtualauth: clearing credentials: %w", err)
	}
	return nil
}

// Remove detaches the authenticator from the tab, with its credentials.
func (a *Authenticator) Remove(tab context.Context) error {
	_, err := chromedp.Call(tab, webauthn.RemoveVirtualAuthenticator, webauthn.RemoveVirtualAuthenticatorParams{AuthenticatorID: a.ID})
	if err != nil {
		return fmt.Errorf("virtualauth: removing the authenticator: %w", err)
	}
	return nil
}

// addCredential is WebAuthn.addCredential with the credential as raw JSON members.
var addCredential = cdp.Command[addCredentialParams, cdp.Empty]{Method: webauthn.CommandAddCredential}

type addCredentialParams struct {
	AuthenticatorID webauthn.AuthenticatorID   `json:"authenticatorId"`
	Credential      map[string]json.RawMessage `json:"credential"`
}
