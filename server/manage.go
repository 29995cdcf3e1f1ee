package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/chirpkit/passkeys/providers"
)

// CredentialInfo is what an account's settings page shows of one credential.
type CredentialInfo struct {
	ID []byte
	// Label is the name the user gave it ("" for none).
	Label string
	// AAGUID names the provider (providers.Name), when the authenticator says.
	AAGUID []byte
	// BackupEligible and BackupState: a synced passkey has both; a passkey bound to one
	// device (a security key, some platform authenticators) has neither.
	BackupEligible bool
	BackupState    bool
	Transports     []string
	Created        time.Time
	// LastUsed is the time of the last sign-in with it; zero for never.
	LastUsed time.Time
}

// CredentialLister is implemented by a CredentialStore that can list a user's
// credentials; Routes then answers {Prefix}/credentials/list.
type CredentialLister interface {
	// ListCredentials returns the credentials of the user with handle userID, oldest
	// first.
	ListCredentials(ctx context.Context, userID []byte) ([]CredentialInfo, error)
}

// CredentialRenamer is implemented by a CredentialStore that keeps a label per
// credential; Routes then answers {Prefix}/credentials/rename.
type CredentialRenamer interface {
	// RenameCredential sets the label of the credential credentialID of the user userID.
	// It returns ErrUnknownCredential when the user has no such credential (another
	// user's included) and changes nothing then.
	RenameCredential(ctx context.Context, userID, credentialID []byte, label string) error
}

// CredentialDeleter is implemented by a CredentialStore that can delete a credential;
// Routes then answers {Prefix}/credentials/delete.
type CredentialDeleter interface {
	// DeleteCredential deletes the credential credentialID of the user userID. It
	// returns ErrUnknownCredential when the user has no such credential (another user's
	// included). With keepLast, it refuses to delete the user's only credential and
	// returns ErrLastCredential; the count and the delete are one atomic step (in SQL:
	// DELETE … WHERE id = ? AND user_id = ? AND (SELECT count(*) FROM credentials WHERE
	// user_id = ?) > 1), so that two concurrent deletes of a user's last two credentials
	// cannot both win.
	DeleteCredential(ctx context.Context, userID, credentialID []byte, keepLast bool) error
}

// ErrLastCredential is returned by CredentialDeleter.DeleteCredential with keepLast when
// the credential is the user's last one. Routes answers it 409 last_credential.
var ErrLastCredential = errors.New("passkeys: the user's last credential")

// maxLabel is the longest label, in runes, Routes accepts.
const maxLabel = 64

// credentialJSON is one credential of the list route's answer.
type credentialJSON struct {
	ID             string    `json:"id"`
	Label          string    `json:"label"`
	Provider       string    `json:"provider"`
	Synced         bool      `json:"synced"`
	BackupEligible bool      `json:"backupEligible"`
	Transports     []string  `json:"transports"`
	Created        time.Time `json:"created"`
	LastUsed       time.Time `json:"lastUsed,omitzero"`
}

// manageBody is the JSON body of the rename and delete routes.
type manageBody struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// readManage reads the body of a rename or delete: a JSON object with the credential's
// base64url id (and a label).
func (rt *Routes) readManage(w http.ResponseWriter, r *http.Request, verb string) (id []byte, body manageBody, ok bool) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 4<<10))
	if err != nil {
		_ = rt.Server.fail(w, r, verb, newError(CodePayloadTooLarge, "The body is too large.", err))
		return nil, body, false
	}
	if err := json.Unmarshal(b, &body); err != nil {
		_ = rt.Server.fail(w, r, verb, newError(CodeBadRequest, `Send {"id": "…"} as JSON.`, err))
		return nil, body, false
	}
	id, err = base64.RawURLEncoding.DecodeString(body.ID)
	if err != nil || len(id) == 0 || len(id) > 1023 {
		_ = rt.Server.fail(w, r, verb, newError(CodeBadRequest, "The credential id is not base64url.", err))
		return nil, body, false
	}
	return id, body, true
}

func (rt *Routes) listCredentials(w http.ResponseWriter, r *http.Request) {
	const verb = "ListCredentials"
	u := rt.signedIn(w, r, verb)
	if u == nil {
		return
	}
	infos, err := rt.Credentials.(CredentialLister).ListCredentials(r.Context(), u.ID)
	if err != nil {
		rt.internal(w, r, verb, err)
		return
	}
	out := make([]credentialJSON, len(infos))
	for i, c := range infos {
		out[i] = credentialJSON{ID: base64.RawURLEncoding.EncodeToString(c.ID), Label: c.Label, Provider: providers.Name(c.AAGUID),
			Synced: c.BackupState, BackupEligible: c.BackupEligible, Transports: c.Transports, Created: c.Created, LastUsed: c.LastUsed}
		if out[i].Transports == nil {
			out[i].Transports = []string{}
		}
	}
	_ = WriteJSON(w, map[string]any{"credentials": out})
}

func (rt *Routes) renameCredential(w http.ResponseWriter, r *http.Request) {
	const verb = "RenameCredential"
	u := rt.signedIn(w, r, verb)
	if u == nil {
		return
	}
	id, body, ok := rt.readManage(w, r, verb)
	if !ok {
		return
	}
	label := strings.TrimSpace(body.Label)
	if !utf8.ValidString(label) || utf8.RuneCountInString(label) > maxLabel || strings.IndexFunc(label, unicode.IsControl) >= 0 {
		_ = rt.Server.fail(w, r, verb, newError(CodeBadRequest, "A label is at most 64 characters of text.", nil))
		return
	}
	err := rt.Credentials.(CredentialRenamer).RenameCredential(r.Context(), u.ID, id, label)
	if errors.Is(err, ErrUnknownCredential) {
		_ = rt.Server.fail(w, r, verb, newError(CodeUnknownCredential, "You have no such passkey.", nil))
		return
	}
	if err != nil {
		rt.internal(w, r, verb, err)
		return
	}
	_ = WriteJSON(w, map[string]bool{"ok": true})
}

func (rt *Routes) deleteCredential(w http.ResponseWriter, r *http.Request) {
	const verb = "DeleteCredential"
	u := rt.signedIn(w, r, verb)
	if u == nil {
		return
	}
	id, _, ok := rt.readManage(w, r, verb)
	if !ok {
		return
	}
	keepLast := true
	if rt.HasOtherSignIn != nil {
		other, err := rt.HasOtherSignIn(r, u.ID)
		if err != nil {
			rt.internal(w, r, verb, err)
			return
		}
		keepLast = !other
	}
	err := rt.Credentials.(CredentialDeleter).DeleteCredential(r.Context(), u.ID, id, keepLast)
	switch {
	case errors.Is(err, ErrUnknownCredential):
		_ = rt.Server.fail(w, r, verb, newError(CodeUnknownCredential, "You have no such passkey.", nil))
	case errors.Is(err, ErrLastCredential):
		_ = rt.Server.fail(w, r, verb, newError(CodeLastCredential, "This is your only way to sign in: add another passkey (or a password) before you delete it.", nil))
	case err != nil:
		rt.internal(w, r, verb, err)
	default:
		_ = WriteJSON(w, map[string]bool{"ok": true})
	}
}
