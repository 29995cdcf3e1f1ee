package app

import (
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// sessionCookie holds a random token naming a row of the sessions table. Every visitor
// has a session (for the CSRF token); signing in puts a user on a new one.
const sessionCookie = "demo_session"

type session struct {
	Token  string
	UserID sql.NullInt64
	CSRF   string
}

func token() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// sessions loads or starts the visitor's session, and rejects a POST whose CSRF token
// (form field csrf_token or header X-CSRF-Token) is not the session's, with 403.
func (a *App) sessions(c *gin.Context) {
	ctx := c.Request.Context()
	var s *session
	if v, err := c.Cookie(sessionCookie); err == nil && v != "" {
		s = &session{Token: v}
		err := a.db.QueryRowContext(ctx, "SELECT user_id, csrf FROM sessions WHERE token = ?", v).Scan(&s.UserID, &s.CSRF)
		if errors.Is(err, sql.ErrNoRows) {
			s = nil
		} else if err != nil {
			a.internal(c, err)
			return
		}
	}
	if s == nil {
		var err error
		if s, err = a.newSession(c, sql.NullInt64{}); err != nil {
			a.internal(c, err)
			return
		}
	}
	c.Set("session", s)
	if c.Request.Method == http.MethodPost {
		sent := c.GetHeader("X-CSRF-Token")
		if sent == "" && !strings.HasPrefix(c.ContentType(), "application/json") {
			sent = c.PostForm("csrf_token")
		}
		if subtle.ConstantTimeCompare([]byte(sent), []byte(s.CSRF)) != 1 {
			a.forbidden(c, "The CSRF token is missing or wrong; reload the page.")
			return
		}
	}
	c.Next()
}

// newSession starts a session, for userID or anonymous, and sets its cookie.
func (a *App) newSession(c *gin.Context, userID sql.NullInt64) (*session, error) {
	s := &session{Token: token(), UserID: userID, CSRF: token()}
	if _, err := a.db.ExecContext(c.Request.Context(), "INSERT INTO sessions (token, user_id, csrf, created_at) VALUES (?, ?, ?, ?)",
		s.Token, s.UserID, s.CSRF, a.now().Unix()); err != nil {
		return nil, err
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: s.Token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: a.secure})
	c.Set("session", s)
	return s, nil
}

// login ends the current session and starts a signed-in one: a new token and a new CSRF
// token, so that nothing fixed before sign-in survives it. This is the app's single
// identity-termination point, for passwords and passkeys alike.
func (a *App) login(c *gin.Context, userID int64) error {
	if err := a.endSession(c); err != nil {
		return err
	}
	_, err := a.newSession(c, sql.NullInt64{Int64: userID, Valid: true})
	return err
}

func (a *App) endSession(c *gin.Context) error {
	_, err := a.db.ExecContext(c.Request.Context(), "DELETE FROM sessions WHERE token = ?", current(c).Token)
	return err
}

func current(c *gin.Context) *session { return c.MustGet("session").(*session) }

// currentUser returns the signed-in user, or nil.
func (a *App) currentUser(c *gin.Context) (*user, error) {
	s := current(c)
	if !s.UserID.Valid {
		return nil, nil
	}
	u, err := a.userBy(c.Request.Context(), "id", s.UserID.Int64)
	if errors.Is(err, errNoUser) {
		return nil, nil
	}
	return u, err
}
