// Package softauth is a software WebAuthn authenticator and client for tests: it answers
// the options a begin endpoint emits with the JSON a browser would post to finish, and can
// be told to misbehave (another origin, another rp ID, a bogus signature, another user
// handle, a counter that goes back). It makes "none" attestations with P-256 keys.
package softauth

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"
)

var b64 = base64.RawURLEncoding

// Flags of authenticator data.
const (
	FlagUP = 0x01
	FlagUV = 0x04
	FlagBE = 0x08
	FlagBS = 0x10
	FlagAT = 0x40
)

// Credential is a key pair the authenticator holds.
type Credential struct {
	ID         []byte
	Key        *ecdsa.PrivateKey
	UserHandle []byte
	RPID       string
	SignCount  uint32
}

// Authenticator holds credentials. The zero value is not usable; call New.
type Authenticator struct {
	Creds []*Credential
	// Flags added to every response besides UP (and AT on create). Default UV.
	Flags byte
	// Counting: when true, each assertion increments the credential's sign count;
	// when false the count stays 0, as with synced passkeys.
	Counting bool
	AAGUID   [16]byte
}

// New returns an authenticator that verifies users and counts signatures.
func New() *Authenticator { return &Authenticator{Flags: FlagUV, Counting: true} }

// Tamper changes one response.
type Tamper struct {
	Origin       string // clientData origin (default the origin passed)
	RPID         string // rp ID hashed into authenticator data (default the options')
	BogusSig     bool   // flip a byte of the signature
	UserHandle   []byte // userHandle to send instead of the credential's
	Type         string // clientData type instead of webauthn.create / webauthn.get
	Challenge    string // challenge to send instead of the options'
	SignCount    *uint32
	NoUserHandle bool
	CredentialID []byte         // create: this credential ID instead of a random one
	Extensions   map[string]any // clientExtensionResults instead of {}
	// NoUserPresence: create without the UP flag, as a conditional create may.
	NoUserPresence bool
}

type creationOptions struct {
	RP struct {
		ID string `json:"id"`
	} `json:"rp"`
	User struct {
		ID string `json:"id"`
	} `json:"user"`
	Challenge string `json:"challenge"`
	Exclude   []struct {
		ID string `json:"id"`
	} `json:"excludeCredentials"`
}

type requestOptions struct {
	Challenge string `json:"challenge"`
	RPID      string `json:"rpId"`
	Allow     []struct {
		ID string `json:"id"`
	} `json:"allowCredentials"`
}

// ErrExcluded is returned by Create when the authenticator holds an excluded credential.
var ErrExcluded = errors.New("softauth: excluded credential present (InvalidStateError)")

// ErrNoCredential is returned by Get when no credential matches.
var ErrNoCredential = errors.New("softauth: no matching credential (NotAllowedError)")

// Create answers creation options (the bare PublicKeyCredentialCreationOptionsJSON) with
// a RegistrationResponseJSON, as a browser on origin would.
func (a *Authenticator) Create(options []byte, origin string, t Tamper) ([]byte, *Credential, error) {
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, nil, err
	}
	for _, ex := range o.Exclude {
		for _, c := range a.Creds {
			if ex.ID == b64.EncodeToString(c.ID) && c.RPID == o.RP.ID {
				return nil, nil, ErrExcluded
			}
		}
	}
	uh, err := b64.DecodeString(o.User.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("softauth: user.id: %w", err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	c := &Credential{ID: random(32), Key: key, UserHandle: uh, RPID: o.RP.ID}
	if t.CredentialID != nil {
		c.ID = bytes.Clone(t.CredentialID)
	}
	cose, err := webauthncbor.Marshal(&webauthncose.EC2PublicKeyData{
		PublicKeyData: webauthncose.PublicKeyData{KeyType: int64(webauthncose.EllipticKey), Algorithm: int64(webauthncose.AlgES256)},
		Curve:         1,
		XCoord:        pad32(key.X.Bytes()),
		YCoord:        pad32(key.Y.Bytes()),
	})
	if err != nil {
		return nil, nil, err
	}
	rpID := o.RP.ID
	if t.RPID != "" {
		rpID = t.RPID
	}
	up := byte(FlagUP)
	if t.NoUserPresence {
		up = 0
	}
	ad := authData(rpID, up|FlagAT|a.Flags, 0)
	ad = append(ad, a.AAGUID[:]...)
	ad = binary.BigEndian.AppendUint16(ad, uint16(len(c.ID)))
	ad = append(ad, c.ID...)
	ad = append(ad, cose...)
	att, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": ad})
	if err != nil {
		return nil, nil, err
	}
	cd := clientData(pick(t.Type, "webauthn.create"), pick(t.Challenge, o.Challenge), pick(t.Origin, origin))
	a.Creds = append(a.Creds, c)
	resp, err := json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.ID), "rawId": b64.EncodeToString(c.ID), "type": "public-key",
		"authenticatorAttachment": "platform",
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(cd),
			"attestationObject": b64.EncodeToString(att),
			"transports":        []string{"internal"},
		},
		"clientExtensionResults": extensions(t),
	})
	return resp, c, err
}

// Get answers request options (the bare PublicKeyCredentialRequestOptionsJSON) with an
// AuthenticationResponseJSON signed by the first matching credential.
func (a *Authenticator) Get(options []byte, origin string, t Tamper) ([]byte, error) {
	var o requestOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, err
	}
	var c *Credential
	for _, cand := range a.Creds {
		if cand.RPID != o.RPID {
			continue
		}
		if len(o.Allow) == 0 {
			c = cand
			break
		}
		for _, al := range o.Allow {
			if al.ID == b64.EncodeToString(cand.ID) {
				c = cand
			}
		}
		if c != nil {
			break
		}
	}
	if c == nil {
		return nil, ErrNoCredential
	}
	return a.Sign(c, o.Challenge, o.RPID, origin, t)
}

// Sign makes an AuthenticationResponseJSON with credential c for the challenge.
func (a *Authenticator) Sign(c *Credential, challenge, rpID, origin string, t Tamper) ([]byte, error) {
	if a.Counting {
		c.SignCount++
	}
	count := c.SignCount
	if t.SignCount != nil {
		count = *t.SignCount
	}
	ad := authData(pick(t.RPID, rpID), FlagUP|a.Flags, count)
	cd := clientData(pick(t.Type, "webauthn.get"), pick(t.Challenge, challenge), pick(t.Origin, origin))
	cdHash := sha256.Sum256(cd)
	digest := sha256.Sum256(append(bytes.Clone(ad), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, c.Key, digest[:])
	if err != nil {
		return nil, err
	}
	if t.BogusSig {
		sig[len(sig)-1] ^= 0xff
	}
	uh := c.UserHandle
	if t.UserHandle != nil {
		uh = t.UserHandle
	}
	response := map[string]any{
		"clientDataJSON":    b64.EncodeToString(cd),
		"authenticatorData": b64.EncodeToString(ad),
		"signature":         b64.EncodeToString(sig),
	}
	if !t.NoUserHandle {
		response["userHandle"] = b64.EncodeToString(uh)
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.ID), "rawId": b64.EncodeToString(c.ID), "type": "public-key",
		"authenticatorAttachment": "platform",
		"response":                response,
		"clientExtensionResults":  map[string]any{},
	})
}

func authData(rpID string, flags byte, count uint32) []byte {
	h := sha256.Sum256([]byte(rpID))
	ad := append(h[:], flags)
	return binary.BigEndian.AppendUint32(ad, count)
}

func clientData(typ, challenge, origin string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": origin, "crossOrigin": false})
	return b
}

func extensions(t Tamper) map[string]any {
	if t.Extensions != nil {
		return t.Extensions
	}
	return map[string]any{}
}

func pick(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func pad32(b []byte) []byte {
	if len(b) >= 32 {
		return b
	}
	return append(make([]byte, 32-len(b)), b...)
}

func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
