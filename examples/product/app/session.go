package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	"github.com/chirpkit/passkeys/examples/internal/bodylimit"
	"github.com/chirpkit/passkeys/server"
)

// Sessions and CSRF tokens, as in examples/minimal (see its package doc), on net/http.
//
// A session is a row named by a random token in the session cookie, made at sign-in
// (a new token and CSRF token, whatever came before) and deleted at sign-out; it ends
// after Options.SessionIdle without a request or Options.SessionLifetime after sign-in.
// A visitor who is not signed in has no row: their CSRF token is a signed double-submit
// token, HMAC(app secret, value of a random csrf cookie). A passkey sign-up in progress
// has a session of its pending account, which only the passkey routes and the sign-up's
// cancel accept (pages treat it as signed out).
//
// Every POST carries a CSRF token, in the form field csrf_token or the header
// X-CSRF-Token (the bridge and htmx send the page's <meta name="csrf-token">).

const (
	sessionCookieBase = "product_session"
	csrfCookieBase    = "product_csrf"
	touchEvery        = time.Minute
	purgeBatch        = 100
)

type session struct {
	Token        string // "" when nobody is signed in
	UserID       int64
	CSRF         string
	OfferUpgrade bool // signed in with a password just now: offer the passkey upgrade once
}

func (s *session) signedIn() bool { return s.Token != "" }

type sessionKey struct{}

func current(r *http.Request) *session {
	s, _ := r.Context().Value(sessionKey{}).(*session)
	if s == nil {
		return &session{}
	}
	return s
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func token() string { return base64.RawURLEncoding.EncodeToString(randomBytes(32)) }

// cookie returns a cookie of the app's: HttpOnly, SameSite=Lax, Path=/, and Secure with
// the __Host- prefix over https. maxAge < 0 deletes it.
func (a *App) cookie(base, value string, maxAge int) *http.Cookie {
	name := base
	if a.secure {
		name = "__Host-" + base
	}
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: a.secure}
}

func (a *App) cookieValue(r *http.Request, base string) string {
	c, err := r.Cookie(a.cookie(base, "", 0).Name)
	if err != nil {
		return ""
	}
	return c.Value
}

// sessions loads the session, if any, into the request's context, and refuses a POST
// whose CSRF token is not the session's (or, signed out, the visitor's) with 403.
func (a *App) sessions(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := &session{}
		if v := a.cookieValue(r, sessionCookieBase); v != "" {
			var err error
			if s, err = a.loadSession(w, r, v); err != nil {
				a.internal(w, r, err)
				return
			}
		}
		r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, s))
		if r.Method == http.MethodPost {
			if err := bodylimit.ParseForm(r); err != nil {
				if bodylimit.TooLarge(err) {
					bodylimit.Refuse(w)
					return
				}
				a.fail(w, r, http.StatusBadRequest, server.CodeBadRequest, "The form could not be read.")
				return
			}
			sent := r.Header.Get("X-CSRF-Token")
			if sent == "" {
				sent = r.PostFormValue("csrf_token")
			}
			want := s.CSRF
			if !s.signedIn() {
				if v := a.cookieValue(r, csrfCookieBase); validToken(v) {
					want = a.visitorCSRF(v)
				}
			}
			if want == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(want)) != 1 {
				a.fail(w, r, http.StatusForbidden, "csrf_failed", "The CSRF token is missing or wrong; reload the page.")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (a *App) loadSession(w http.ResponseWriter, r *http.Request, v string) (*session, error) {
	ctx := r.Context()
	s := &session{Token: v}
	var created, seen int64
	err := a.db.QueryRowContext(ctx, "SELECT user_id, csrf, created_at, last_seen_at, offer_upgrade FROM sessions WHERE token = ?", v).
		Scan(&s.UserID, &s.CSRF, &created, &seen, &s.OfferUpgrade)
	if errors.Is(err, sql.ErrNoRows) {
		http.SetCookie(w, a.cookie(sessionCookieBase, "", -1))
		return &session{}, nil
	}
	if err != nil {
		return nil, err
	}
	now := a.now()
	if now.Sub(time.Unix(created, 0)) >= a.sessionLifetime || now.Sub(time.Unix(seen, 0)) >= a.sessionIdle {
		if _, err := a.db.ExecContext(ctx, "DELETE FROM sessions WHERE token = ?", v); err != nil {
			return nil, err
		}
		http.SetCookie(w, a.cookie(sessionCookieBase, "", -1))
		return &session{}, nil
	}
	if now.Sub(time.Unix(seen, 0)) >= touchEvery {
		if _, err := a.db.ExecContext(ctx, "UPDATE sessions SET last_seen_at = ? WHERE token = ?", now.Unix(), v); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// csrfToken returns the CSRF token for the page being rendered: the session's, or for a
// visitor the one signed from the csrf cookie, which it sets first if the browser has none.
func (a *App) csrfToken(w http.ResponseWriter, r *http.Request) string {
	s := current(r)
	if s.CSRF != "" {
		return s.CSRF
	}
	v := a.cookieValue(r, csrfCookieBase)
	if !validToken(v) {
		v = token()
		http.SetCookie(w, a.cookie(csrfCookieBase, v, int(a.sessionLifetime/time.Second)))
	}
	s.CSRF = a.visitorCSRF(v)
	return s.CSRF
}

func (a *App) visitorCSRF(v string) string {
	return base64.RawURLEncoding.EncodeToString(a.mac("csrf", v))
}

func (a *App) mac(purpose, msg string) []byte {
	m := hmac.New(sha256.New, a.secret)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func validToken(v string) bool {
	b, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil && len(b) == 32
}

// login ends the current session and starts one for userID: a new token and a new CSRF
// token. It is the app's single identity-termination point: passwords, passkeys and a
// passkey sign-up's pending account all come through here. offerUpgrade marks a password
// sign-in, after which the next page offers the passkey upgrade.
func (a *App) login(w http.ResponseWriter, r *http.Request, userID int64, offerUpgrade bool) error {
	if err := a.endSession(w, r); err != nil {
		return err
	}
	ctx := r.Context()
	now := a.now()
	if _, err := a.db.ExecContext(ctx, `DELETE FROM sessions WHERE rowid IN
		(SELECT rowid FROM sessions WHERE created_at <= ? OR last_seen_at <= ? LIMIT ?)`,
		now.Add(-a.sessionLifetime).Unix(), now.Add(-a.sessionIdle).Unix(), purgeBatch); err != nil {
		return err
	}
	s := &session{Token: token(), UserID: userID, CSRF: token(), OfferUpgrade: offerUpgrade}
	if _, err := a.db.ExecContext(ctx, "INSERT INTO sessions (token, user_id, csrf, created_at, last_seen_at, offer_upgrade) VALUES (?, ?, ?, ?, ?, ?)",
		s.Token, s.UserID, s.CSRF, now.Unix(), now.Unix(), offerUpgrade); err != nil {
		return err
	}
	http.SetCookie(w, a.cookie(sessionCookieBase, s.Token, int(a.sessionLifetime/time.Second)))
	if a.cookieValue(r, csrfCookieBase) != "" {
		http.SetCookie(w, a.cookie(csrfCookieBase, "", -1))
	}
	*current(r) = *s
	return nil
}

// endSession deletes the session, if any, and drops its cookie.
func (a *App) endSession(w http.ResponseWriter, r *http.Request) error {
	s := current(r)
	if !s.signedIn() {
		return nil
	}
	if _, err := a.db.ExecContext(r.Context(), "DELETE FROM sessions WHERE token = ?", s.Token); err != nil {
		return err
	}
	http.SetCookie(w, a.cookie(sessionCookieBase, "", -1))
	*s = session{}
	return nil
}

// sessionUser returns the session's user, pending or not, or nil.
func (a *App) sessionUser(r *http.Request) (*user, error) {
	s := current(r)
	if !s.signedIn() {
		return nil, nil
	}
	u, err := a.userBy(r.Context(), "id", s.UserID)
	if errors.Is(err, errNoUser) {
		return nil, nil
	}
	return u, err
}

// currentUser returns the signed-in user, or nil; a pending sign-up is not signed in.
func (a *App) currentUser(r *http.Request) (*user, error) {
	u, err := a.sessionUser(r)
	if u != nil && u.Pending {
		return nil, err
	}
	return u, err
}
