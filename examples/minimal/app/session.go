package app

import (
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
	"github.com/gin-gonic/gin"
)

// Sessions and CSRF tokens.
//
// A session is a row of the sessions table named by a random token in the session
// cookie, and it exists only for a signed-in user: signing in makes one (a new token and
// a new CSRF token, whatever came before), signing out deletes it. A visitor who is not
// signed in has no row. A session ends after Options.SessionIdle without a request and
// Options.SessionLifetime after sign-in, whichever comes first; its cookie has that
// lifetime as Max-Age. Each sign-in deletes up to purgeBatch expired rows, so the table
// holds little more than the live sessions, with bounded work per write.
//
// Every POST carries a CSRF token (form field csrf_token or header X-CSRF-Token). A
// signed-in user's is the session's. A visitor's is a signed double-submit token: the
// csrf cookie holds a random value (set the first time a page needs a token, never
// stored on the server), and the token is HMAC(app secret, value), so a page of another
// site can neither read nor forge it, and no row is written for it.
//
// Over https both cookies get the __Host- prefix: Secure, Path=/, no Domain, so no other
// host (a sibling subdomain) can plant them.

const (
	sessionCookieBase = "demo_session"
	csrfCookieBase    = "demo_csrf"
	// touchEvery bounds the writes of last_seen_at: at most one per session per minute
	// (the idle timeout is exact to a minute).
	touchEvery = time.Minute
	// purgeBatch is the number of expired sessions a sign-in deletes at most.
	purgeBatch = 100
)

type session struct {
	Token  string // "" when nobody is signed in
	UserID int64
	CSRF   string // the session's CSRF token, or the visitor's once computed
}

func (s *session) signedIn() bool { return s.Token != "" }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func token() string { return base64.RawURLEncoding.EncodeToString(randomBytes(32)) }

// cookie returns a cookie of the app's (name without its __Host- prefix): HttpOnly,
// SameSite=Lax, Path=/, Secure and __Host- over https. maxAge < 0 deletes it.
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

// sessions loads the signed-in user's session, if any and not expired, and rejects a POST
// whose CSRF token is not the session's (or, signed out, the visitor's) with 403.
func (a *App) sessions(c *gin.Context) {
	s := &session{}
	if v := a.cookieValue(c.Request, sessionCookieBase); v != "" {
		var err error
		if s, err = a.loadSession(c, v); err != nil {
			a.internal(c, err)
			return
		}
	}
	c.Set("session", s)
	c.Set("app", a)
	if c.Request.Method == http.MethodPost {
		// A form is parsed here, whatever carries the token, so that an over-size form
		// is answered 413 before any handler reads a truncated one.
		if err := bodylimit.ParseForm(c.Request); err != nil {
			if bodylimit.TooLarge(err) {
				a.payloadTooLarge(c)
				return
			}
			a.badRequest(c, "The form could not be read.")
			return
		}
		sent := c.GetHeader("X-CSRF-Token")
		if sent == "" {
			sent = c.Request.PostFormValue("csrf_token")
		}
		want := s.CSRF
		if !s.signedIn() {
			// A visitor's token needs the csrf cookie; without one no token is right.
			if v := a.cookieValue(c.Request, csrfCookieBase); validToken(v) {
				want = a.visitorCSRF(v)
			}
		}
		if want == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(want)) != 1 {
			a.forbidden(c, "The CSRF token is missing or wrong; reload the page.")
			return
		}
	}
	c.Next()
}

// loadSession returns the session named by the cookie value v, or a signed-out one when
// there is none or it has expired (the row is deleted and the cookie dropped then).
func (a *App) loadSession(c *gin.Context, v string) (*session, error) {
	ctx := c.Request.Context()
	s := &session{Token: v}
	var created, seen int64
	err := a.db.QueryRowContext(ctx, "SELECT user_id, csrf, created_at, last_seen_at FROM sessions WHERE token = ?", v).
		Scan(&s.UserID, &s.CSRF, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		http.SetCookie(c.Writer, a.cookie(sessionCookieBase, "", -1))
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
		http.SetCookie(c.Writer, a.cookie(sessionCookieBase, "", -1))
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
func (a *App) csrfToken(c *gin.Context) string {
	s := current(c)
	if s.CSRF != "" {
		return s.CSRF
	}
	v := a.cookieValue(c.Request, csrfCookieBase)
	if !validToken(v) {
		v = token()
		http.SetCookie(c.Writer, a.cookie(csrfCookieBase, v, int(a.sessionLifetime/time.Second)))
	}
	s.CSRF = a.visitorCSRF(v)
	return s.CSRF
}

// visitorCSRF is the CSRF token of a visitor whose csrf cookie holds v.
func (a *App) visitorCSRF(v string) string {
	return base64.RawURLEncoding.EncodeToString(a.mac("csrf", v))
}

// mac is HMAC-SHA256 of msg under the app's secret, for the given purpose.
func (a *App) mac(purpose, msg string) []byte {
	m := hmac.New(sha256.New, a.secret)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// validToken reports whether v looks like a value of token(), so that a cookie of any
// other shape is replaced.
func validToken(v string) bool {
	b, err := base64.RawURLEncoding.DecodeString(v)
	return err == nil && len(b) == 32
}

// login ends the current session and starts a signed-in one: a new token and a new CSRF
// token, so that nothing fixed before sign-in survives it. This is the app's single
// identity-termination point, for passwords and passkeys alike.
func (a *App) login(c *gin.Context, userID int64) error {
	if err := a.endSession(c); err != nil {
		return err
	}
	ctx := c.Request.Context()
	now := a.now()
	// Bounded upkeep on every write: the expired rows, at most purgeBatch of them.
	if _, err := a.db.ExecContext(ctx, `DELETE FROM sessions WHERE rowid IN
		(SELECT rowid FROM sessions WHERE created_at <= ? OR last_seen_at <= ? LIMIT ?)`,
		now.Add(-a.sessionLifetime).Unix(), now.Add(-a.sessionIdle).Unix(), purgeBatch); err != nil {
		return err
	}
	s := &session{Token: token(), UserID: userID, CSRF: token()}
	if _, err := a.db.ExecContext(ctx, "INSERT INTO sessions (token, user_id, csrf, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
		s.Token, s.UserID, s.CSRF, now.Unix(), now.Unix()); err != nil {
		return err
	}
	http.SetCookie(c.Writer, a.cookie(sessionCookieBase, s.Token, int(a.sessionLifetime/time.Second)))
	// The visitor's CSRF cookie has served its purpose; a new one comes after sign-out.
	if a.cookieValue(c.Request, csrfCookieBase) != "" {
		http.SetCookie(c.Writer, a.cookie(csrfCookieBase, "", -1))
	}
	c.Set("session", s)
	return nil
}

// endSession deletes the signed-in session, if any, and drops its cookie.
func (a *App) endSession(c *gin.Context) error {
	s := current(c)
	if !s.signedIn() {
		return nil
	}
	if _, err := a.db.ExecContext(c.Request.Context(), "DELETE FROM sessions WHERE token = ?", s.Token); err != nil {
		return err
	}
	http.SetCookie(c.Writer, a.cookie(sessionCookieBase, "", -1))
	c.Set("session", &session{})
	return nil
}

func current(c *gin.Context) *session { return c.MustGet("session").(*session) }

// currentUser returns the signed-in user, or nil.
func (a *App) currentUser(c *gin.Context) (*user, error) {
	s := current(c)
	if !s.signedIn() {
		return nil, nil
	}
	u, err := a.userBy(c.Request.Context(), "id", s.UserID)
	if errors.Is(err, errNoUser) {
		return nil, nil
	}
	return u, err
}

func (a *App) payloadTooLarge(c *gin.Context) {
	bodylimit.Refuse(c.Writer)
	c.Abort()
}

func (a *App) badRequest(c *gin.Context, msg string) {
	server.WriteError(c.Writer, &server.Error{Code: server.CodeBadRequest, Message: msg})
	c.Abort()
}
