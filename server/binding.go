package server

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"slices"
	"strings"
	"time"
)

// A ceremony is bound to the browser that began it by a cookie of its own. Begin sets
// one cookie per ceremony, named after the ceremony's challenge and holding a secret; the
// store key is derived from both (ceremonyKey), and finish, which reads the challenge
// from clientDataJSON, finds the cookie by that name and deletes it. Nothing depends on
// which of several concurrent begins the browser answered last: two tabs, or autofill
// beside a button, each keep their own cookie from the browser's very first request.
//
// Cookies that no finish deletes (an autofill sign-in abandoned by leaving the page)
// expire with the ceremony, and a begin that finds maxCeremonyCookies of them deletes
// the oldest, so that the Cookie header stays small (about 80 bytes a ceremony).

// maxCeremonyCookies bounds the ceremony cookies one browser holds at once.
const maxCeremonyCookies = 8

// ceremonySecretLen is the length of a ceremony cookie's value: 8 bytes of begin time
// (Unix ms, to find the oldest) and 24 random bytes, in base64url.
const ceremonySecretLen = 43

// cookieTagLen is the length of the challenge-derived suffix of a ceremony cookie's name.
const cookieTagLen = 11

// ceremonyCookieName returns the name of the cookie that binds the ceremony with this
// challenge: the configured prefix, a dash and 8 bytes of the challenge's SHA-256.
func (s *Server) ceremonyCookieName(challenge string) string {
	h := sha256.Sum256([]byte(challenge))
	return s.cookiePrefix + "-" + base64.RawURLEncoding.EncodeToString(h[:8])
}

// newCeremonySecret returns a fresh cookie value stamped with now.
func newCeremonySecret(now time.Time) string {
	b := randomBytes(32)
	binary.BigEndian.PutUint64(b, uint64(now.UnixMilli()))
	return base64.RawURLEncoding.EncodeToString(b)
}

// validSecret reports whether v has the shape of a ceremony cookie's value.
func validSecret(v string) bool {
	if len(v) != ceremonySecretLen {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil
}

// ceremonySecret returns the secret of the cookie that binds the ceremony with this
// challenge, or "" when the request carries no valid one.
func (s *Server) ceremonySecret(r *http.Request, challenge string) string {
	c, err := r.Cookie(s.ceremonyCookieName(challenge))
	if err != nil || !validSecret(c.Value) {
		return ""
	}
	return c.Value
}

// setCeremonyCookie sets the binding cookie of a new ceremony. It lives as long as the
// store keeps the ceremony.
func (s *Server) setCeremonyCookie(w http.ResponseWriter, name, secret string) {
	http.SetCookie(w, s.ceremonyCookie(name, secret, int((s.cfg.ChallengeTTL+expiryGrace).Seconds())))
}

// deleteCeremonyCookie tells the browser to drop a ceremony's cookie.
func (s *Server) deleteCeremonyCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, s.ceremonyCookie(name, "", -1))
}

func (s *Server) ceremonyCookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.cookieSecure,
		SameSite: s.cfg.Cookie.SameSite,
	}
}

// pruneCeremonyCookies deletes the oldest ceremony cookies of this browser so that, with
// the one about to be set, it holds at most maxCeremonyCookies.
func (s *Server) pruneCeremonyCookies(w http.ResponseWriter, r *http.Request) {
	type held struct {
		name  string
		begun uint64
	}
	var mine []held
	prefix := s.cookiePrefix + "-"
	for _, c := range r.Cookies() {
		if len(c.Name) != len(prefix)+cookieTagLen || !strings.HasPrefix(c.Name, prefix) {
			continue
		}
		var begun uint64 // an undecodable value counts as the oldest
		if b, err := base64.RawURLEncoding.DecodeString(c.Value); err == nil && len(b) >= 8 {
			begun = binary.BigEndian.Uint64(b)
		}
		mine = append(mine, held{c.Name, begun})
	}
	if len(mine) < maxCeremonyCookies {
		return
	}
	slices.SortFunc(mine, func(a, b held) int {
		if a.begun < b.begun {
			return -1
		} else if a.begun > b.begun {
			return 1
		}
		return strings.Compare(a.name, b.name)
	})
	for _, h := range mine[:len(mine)-maxCeremonyCookies+1] {
		s.deleteCeremonyCookie(w, h.name)
	}
}

// ceremonyKey derives the store key of a ceremony from its cookie's secret and its
// challenge. A challenge presented by another browser (which lacks the secret) finds
// nothing.
func ceremonyKey(secret, challenge string) string {
	h := sha256.New()
	h.Write([]byte(secret))
	h.Write([]byte{0})
	h.Write([]byte(challenge))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}
