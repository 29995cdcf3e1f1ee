package server

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/tinylib/msgp/msgp"
)

// ceremonyKind says which finish verb a begun ceremony belongs to.
type ceremonyKind byte

const (
	kindRegistration   ceremonyKind = 1
	kindAuthentication ceremonyKind = 2
)

func (k ceremonyKind) String() string {
	if k == kindRegistration {
		return "registration"
	}
	return "authentication"
}

// recordVersion is the first byte of an encoded ceremony, so that a store shared by two
// versions of this package during a rolling deploy rejects what it cannot read.
const recordVersion = 1

// record is what a CeremonyStore holds for one pending ceremony: the kind, the expiry
// (checked here with Config.Clock, so that challenge_expired is told apart from
// challenge_missing), and go-webauthn's SessionData kept whole.
type record struct {
	kind    ceremonyKind
	expires time.Time
	session webauthn.SessionData
}

// encode lays the record out as version, kind, expiry (Unix ns) and the session in
// MessagePack, go-webauthn's own compact encoding of SessionData.
func (r *record) encode() ([]byte, error) {
	b := make([]byte, 10, 10+r.session.Msgsize())
	b[0] = recordVersion
	b[1] = byte(r.kind)
	binary.BigEndian.PutUint64(b[2:], uint64(r.expires.UnixNano()))
	b, err := r.session.MarshalMsg(b)
	if err != nil {
		return nil, err
	}
	// Msgsize is an upper bound (about twice the size); a memory store keeps the slice.
	return bytes.Clone(b), nil
}

var errBadRecord = errors.New("passkeys: undecodable ceremony record")

func decodeRecord(b []byte) (*record, error) {
	if len(b) < 10 || b[0] != recordVersion {
		return nil, errBadRecord
	}
	// go-webauthn's generated decoder sizes slices and maps from their declared length
	// before reading an element: refuse lengths the bytes cannot hold, so that a
	// corrupted (or hostile) store value cannot make it allocate gigabytes.
	if !msgpBounded(b[10:]) {
		return nil, errBadRecord
	}
	r := &record{kind: ceremonyKind(b[1]), expires: time.Unix(0, int64(binary.BigEndian.Uint64(b[2:])))}
	rest, err := r.session.UnmarshalMsg(b[10:])
	if err != nil || len(rest) != 0 {
		return nil, errBadRecord
	}
	return r, nil
}

// msgpBounded reports whether b is one MessagePack object in which no array or map
// declares more elements than the bytes after its header could hold (every element takes
// at least one byte), nested at most 32 deep.
func msgpBounded(b []byte) bool {
	rest, ok := msgpWalk(b, 0)
	return ok && len(rest) == 0
}

func msgpWalk(b []byte, depth int) ([]byte, bool) {
	if len(b) == 0 || depth > 32 {
		return nil, false
	}
	var n uint32
	var err error
	switch msgp.NextType(b) {
	case msgp.ArrayType:
		n, b, err = msgp.ReadArrayHeaderBytes(b)
	case msgp.MapType:
		n, b, err = msgp.ReadMapHeaderBytes(b)
		if uint64(n)*2 > uint64(len(b)) {
			return nil, false
		}
		n *= 2
	default:
		b, err = msgp.Skip(b)
		return b, err == nil
	}
	if err != nil || uint64(n) > uint64(len(b)) {
		return nil, false
	}
	for range n {
		var ok bool
		if b, ok = msgpWalk(b, depth+1); !ok {
			return nil, false
		}
	}
	return b, true
}

// challengeOf returns the challenge that a finish body's clientDataJSON names, or "" when
// the body names none. It only finds the ceremony to take: go-webauthn verifies the
// challenge (and everything else) afterwards, against the taken ceremony.
func challengeOf(body []byte) string {
	var cred struct {
		Response struct {
			ClientDataJSON string `json:"clientDataJSON"`
		} `json:"response"`
	}
	if json.Unmarshal(body, &cred) != nil {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(cred.Response.ClientDataJSON, "="))
	if err != nil {
		return ""
	}
	var cd struct {
		Challenge string `json:"challenge"`
	}
	if json.Unmarshal(raw, &cd) != nil {
		return ""
	}
	return cd.Challenge
}

// expiryGrace keeps a record in the store a little past its expiry, so that a late finish
// is answered challenge_expired rather than challenge_missing.
const expiryGrace = time.Minute

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("passkeys: crypto/rand failed: " + err.Error()) // crypto/rand never fails on supported platforms
	}
	return b
}
