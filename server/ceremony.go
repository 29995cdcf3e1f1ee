package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net/http"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
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
	return r.session.MarshalMsg(b)
}

var errBadRecord = errors.New("passkeys: undecodable ceremony record")

func decodeRecord(b []byte) (*record, error) {
	if len(b) < 10 || b[0] != recordVersion {
		return nil, errBadRecord
	}
	r := &record{kind: ceremonyKind(b[1]), expires: time.Unix(0, int64(binary.BigEndian.Uint64(b[2:])))}
	rest, err := r.session.UnmarshalMsg(b[10:])
	if err != nil || len(rest) != 0 {
		return nil, errBadRecord
	}
	return r, nil
}

// browserIDLen is the length of a browser identifier: 32 random bytes in base64url.
const browserIDLen = 43

// browserID returns the identifier in the binding cookie, or "" when there is no valid one.
func (s *Server) browserID(r *http.Request) string {
	c, err := r.Cookie(s.cookieName)
	if err != nil || len(c.Value) != browserIDLen {
		return ""
	}
	if _, err := base64.RawURLEncoding.DecodeString(c.Value); err != nil {
		return ""
	}
	return c.Value
}

// bindBrowser returns the browser's identifier, issuing a new cookie when it has none.
// The cookie is refreshed on every begin so that it outlives the newest ceremony.
func (s *Server) bindBrowser(w http.ResponseWriter, r *http.Request) string {
	id := s.browserID(r)
	if id == "" {
		id = base64.RawURLEncoding.EncodeToString(randomBytes(32))
	}
	http.SetCookie(w, &http.Cookie{
		Name:     s.cookieName,
		Value:    id,
		Path:     "/",
		MaxAge:   int((s.cfg.ChallengeTTL + expiryGrace).Seconds()),
		HttpOnly: true,
		Secure:   s.cookieSecure,
		SameSite: s.cfg.Cookie.SameSite,
	})
	return id
}

// ceremonyKey derives the store key of a ceremony from the browser identifier and the
// challenge. A browser may run any number of ceremonies at once (two tabs, autofill beside
// a button), each under its own key, and a challenge presented by another browser (which
// lacks the identifier) finds nothing.
func ceremonyKey(browserID, challenge string) string {
	h := sha256.New()
	h.Write([]byte(browserID))
	h.Write([]byte{0})
	h.Write([]byte(challenge))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
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
