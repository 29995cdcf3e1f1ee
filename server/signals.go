package server

import "encoding/base64"

// AcceptedCredentials is the argument of the browser's
// PublicKeyCredential.signalAllAcceptedCredentials, as JSON: the complete list of the
// credentials the app still accepts for a user. A browser or password manager that
// holds a passkey of this user and relying party whose ID is not listed may delete or
// hide it (a passkey deleted on the account page disappears from the user's devices).
//
// Send it to the page (as the JSON body of an endpoint, or in the page) and pass it to
// the bridge's window.chirp.passkeys.signalAccepted. Send it only to the user it
// describes (a signed-in page): it lists their credential IDs.
type AcceptedCredentials struct {
	// RPID is the relying party ID (Config.RPID).
	RPID string `json:"rpId"`
	// UserID is the user handle (User.ID), unpadded base64url.
	UserID string `json:"userId"`
	// AllAcceptedCredentialIDs are the IDs of every credential of the user that the app
	// accepts, each unpadded base64url. Never null: an empty list says the user has no
	// passkey left.
	AllAcceptedCredentialIDs []string `json:"allAcceptedCredentialIds"`
}

// CurrentUserDetails is the argument of the browser's
// PublicKeyCredential.signalCurrentUserDetails, as JSON: the user's current name and
// display name, so that the passkeys of this user handle show them (after a rename).
// Pass it to the bridge's window.chirp.passkeys.signalUser.
type CurrentUserDetails struct {
	// RPID is the relying party ID (Config.RPID).
	RPID string `json:"rpId"`
	// UserID is the user handle (User.ID), unpadded base64url.
	UserID string `json:"userId"`
	// Name is User.Name.
	Name string `json:"name"`
	// DisplayName is User.DisplayName, or User.Name when that is zero (as in the
	// registration options).
	DisplayName string `json:"displayName"`
}

// AcceptedCredentials returns the signal that the user with handle userID has exactly
// the credentials credentialIDs (all of them: typically CredentialStore.CredentialIDs
// after a passkey was deleted, or on every signed-in page load).
func (s *Server) AcceptedCredentials(userID []byte, credentialIDs [][]byte) AcceptedCredentials {
	ids := make([]string, len(credentialIDs))
	for i, id := range credentialIDs {
		ids[i] = base64.RawURLEncoding.EncodeToString(id)
	}
	return AcceptedCredentials{RPID: s.cfg.RPID, UserID: base64.RawURLEncoding.EncodeToString(userID), AllAcceptedCredentialIDs: ids}
}

// CurrentUserDetails returns the signal of u's current name and display name (for
// example after the user renamed their account).
func (s *Server) CurrentUserDetails(u User) CurrentUserDetails {
	w := waUser{User: u}
	return CurrentUserDetails{RPID: s.cfg.RPID, UserID: base64.RawURLEncoding.EncodeToString(u.ID), Name: u.Name, DisplayName: w.WebAuthnDisplayName()}
}
