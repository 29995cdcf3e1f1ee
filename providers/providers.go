// Package providers names the passkey provider of a credential from its AAGUID (the
// authenticator model ID that RegisteredCredential.AAGUID carries): "Google Password
// Manager", "iCloud Keychain (Managed)", "Windows Hello", "1Password", and so on, for an
// account's settings page ("Passkey from 1Password, created …").
//
// The names come from the community list passkeydeveloper/passkey-authenticator-aaguids
// (aaguid.json, commit 47b6f84, 2026-08-07; 52 providers; names only, without the
// providers' icons), which exists for this one purpose: naming passkeys in account
// settings. It is not attestation: an AAGUID is what the authenticator says of itself,
// and many report all zeros (Apple's passkeys among them). So Name answers "" for an
// AAGUID it does not know, and a page should fall back to a generic name; the upstream
// list may also be retired one day, and this package then only stops naming new ones.
package providers

import (
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"sync"
)

//go:embed aaguids.json
var aaguidsJSON []byte

var names = sync.OnceValue(func() map[[16]byte]string {
	var raw map[string]struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(aaguidsJSON, &raw); err != nil {
		panic("providers: aaguids.json: " + err.Error()) // a test keeps it valid
	}
	m := make(map[[16]byte]string, len(raw))
	for k, v := range raw {
		if id, ok := parse(k); ok && v.Name != "" {
			m[id] = v.Name
		}
	}
	return m
})

// Name returns the provider name for the 16-byte AAGUID, or "" when it is unknown, all
// zeros, or not 16 bytes long.
func Name(aaguid []byte) string {
	if len(aaguid) != 16 {
		return ""
	}
	return names()[[16]byte(aaguid)]
}

// NameOf is Name for an AAGUID in its textual form, 8-4-4-4-12 hexadecimal digits
// ("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"), in either case.
func NameOf(aaguid string) string {
	id, ok := parse(aaguid)
	if !ok {
		return ""
	}
	return names()[id]
}

// Len returns the number of AAGUIDs the package names.
func Len() int { return len(names()) }

func parse(s string) (id [16]byte, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return id, false
	}
	h := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(id[:], []byte(h)); err != nil {
		return id, false
	}
	return id, true
}
