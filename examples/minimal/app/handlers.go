package app

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/chirpkit/passkeys/server"
	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"
)

type page struct {
	Title    string
	CSRF     string
	User     *user
	Error    string
	Username string
	Passkeys []*passkey
}

func (a *App) render(c *gin.Context, status int, name string, p page) {
	p.CSRF = current(c).CSRF
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-store")
	c.Status(status)
	if err := a.tmpl.ExecuteTemplate(c.Writer, name, p); err != nil {
		a.log.Error("render", "page", name, "err", err)
	}
}

func (a *App) home(c *gin.Context) {
	u, err := a.currentUser(c)
	if err != nil {
		a.internal(c, err)
		return
	}
	a.render(c, http.StatusOK, "home.html", page{Title: "Passkeys demo", User: u})
}

func (a *App) signupPage(c *gin.Context) {
	a.render(c, http.StatusOK, "signup.html", page{Title: "Sign up"})
}

func (a *App) signup(c *gin.Context) {
	name := strings.TrimSpace(c.PostForm("username"))
	pw := c.PostForm("password")
	fail := func(msg string) {
		a.render(c, http.StatusUnprocessableEntity, "signup.html", page{Title: "Sign up", Error: msg, Username: name})
	}
	if name == "" || len(name) > 64 || !utf8.ValidString(name) {
		fail("Choose a username of 1 to 64 characters.")
		return
	}
	if len(pw) < 8 || len(pw) > 72 {
		fail("Choose a password of 8 to 72 characters.")
		return
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), a.bcryptCost)
	if err != nil {
		a.internal(c, err)
		return
	}
	handle := make([]byte, 32)
	_, _ = rand.Read(handle)
	res, err := a.db.ExecContext(c.Request.Context(), "INSERT INTO users (username, password_hash, webauthn_id) VALUES (?, ?, ?)", name, hash, handle)
	if err != nil {
		if strings.Contains(err.Error(), "UNIQUE") {
			fail("That username is taken.")
			return
		}
		a.internal(c, err)
		return
	}
	id, _ := res.LastInsertId()
	if err := a.login(c, id); err != nil {
		a.internal(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/dashboard")
}

func (a *App) loginPage(c *gin.Context) {
	a.render(c, http.StatusOK, "login.html", page{Title: "Sign in"})
}

func (a *App) passwordLogin(c *gin.Context) {
	name := strings.TrimSpace(c.PostForm("username"))
	u, err := a.userBy(c.Request.Context(), "username", name)
	if err != nil && !errors.Is(err, errNoUser) {
		a.internal(c, err)
		return
	}
	if u == nil || bcrypt.CompareHashAndPassword(u.Hash, []byte(c.PostForm("password"))) != nil {
		a.render(c, http.StatusUnauthorized, "login.html", page{Title: "Sign in", Error: "Wrong username or password.", Username: name})
		return
	}
	if err := a.login(c, u.ID); err != nil {
		a.internal(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/dashboard")
}

func (a *App) logout(c *gin.Context) {
	if err := a.endSession(c); err != nil {
		a.internal(c, err)
		return
	}
	c.SetCookie(sessionCookie, "", -1, "/", "", a.secure, true)
	c.Redirect(http.StatusSeeOther, "/")
}

func (a *App) dashboard(c *gin.Context) {
	u := a.requireUser(c, false)
	if u == nil {
		return
	}
	keys, err := a.passkeysOf(c.Request.Context(), u.ID)
	if err != nil {
		a.internal(c, err)
		return
	}
	a.render(c, http.StatusOK, "dashboard.html", page{Title: "Dashboard", User: u, Passkeys: keys})
}

func (a *App) deletePasskey(c *gin.Context) {
	u := a.requireUser(c, false)
	if u == nil {
		return
	}
	id, err := base64.RawURLEncoding.DecodeString(c.Param("id"))
	if err != nil {
		c.String(http.StatusBadRequest, "bad passkey id")
		return
	}
	// The user_id condition makes sure one user cannot delete another's passkey.
	if _, err := a.db.ExecContext(c.Request.Context(), "DELETE FROM passkeys WHERE credential_id = ? AND user_id = ?", id, u.ID); err != nil {
		a.internal(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/dashboard")
}

// requireUser returns the signed-in user, or answers 401 (JSON for the API, a redirect
// to /login for pages) and returns nil.
func (a *App) requireUser(c *gin.Context, api bool) *user {
	u, err := a.currentUser(c)
	if err != nil {
		a.internal(c, err)
		return nil
	}
	if u == nil {
		if api {
			c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "Sign in first.", "code": server.CodeLoginRequired})
		} else {
			c.Redirect(http.StatusSeeOther, "/login")
			c.Abort()
		}
	}
	return u
}

// The four passkey routes: the library owns the verb, the app owns the row.

func (a *App) registerBegin(c *gin.Context) {
	u := a.requireUser(c, true)
	if u == nil {
		return
	}
	keys, err := a.passkeysOf(c.Request.Context(), u.ID)
	if err != nil {
		a.internal(c, err)
		return
	}
	exclude := make([][]byte, len(keys))
	for i, k := range keys {
		exclude[i] = k.ID
	}
	_ = a.pk.BeginRegistration(c.Writer, c.Request, server.User{ID: u.WebAuthnID, Name: u.Username}, server.RegistrationOptions{ExcludeCredentials: exclude})
}

func (a *App) registerFinish(c *gin.Context) {
	u := a.requireUser(c, true)
	if u == nil {
		return
	}
	cred, err := a.pk.FinishRegistration(c.Writer, c.Request)
	if err != nil {
		return // answered by the verb
	}
	if !bytes.Equal(cred.UserID, u.WebAuthnID) {
		server.WriteError(c.Writer, &server.Error{Code: server.CodeUserMismatch, Message: "This ceremony was begun for another account."})
		return
	}
	if err := a.addPasskey(c.Request.Context(), u.ID, cred); err != nil {
		a.internal(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true})
}

// loginBeginRequest is the optional body of /auth/passkey/login/begin: a username for
// username-first sign-in (an allow list of that user's passkeys).
type loginBeginRequest struct {
	Username string `json:"username"`
}

func (a *App) loginBegin(c *gin.Context) {
	var req loginBeginRequest
	if c.Request.ContentLength != 0 {
		if err := c.ShouldBindJSON(&req); err != nil {
			c.JSON(http.StatusBadRequest, gin.H{"error": "Send a JSON object.", "code": server.CodeBadRequest})
			return
		}
	}
	var opts server.AuthenticationOptions
	if req.Username != "" {
		u, err := a.userBy(c.Request.Context(), "username", strings.TrimSpace(req.Username))
		if err != nil && !errors.Is(err, errNoUser) {
			a.internal(c, err)
			return
		}
		if u != nil {
			keys, err := a.passkeysOf(c.Request.Context(), u.ID)
			if err != nil {
				a.internal(c, err)
				return
			}
			for _, k := range keys {
				opts.AllowCredentials = append(opts.AllowCredentials, k.ID)
			}
		}
		if len(opts.AllowCredentials) == 0 {
			// Do not tell who exists: an unknown user and a user without passkeys look alike.
			c.JSON(http.StatusBadRequest, gin.H{"error": "No passkey is registered for that username.", "code": "no_passkeys"})
			return
		}
	}
	_ = a.pk.BeginAuthentication(c.Writer, c.Request, opts)
}

func (a *App) loginFinish(c *gin.Context) {
	ctx := c.Request.Context()
	got, err := a.pk.FinishAuthentication(c.Writer, c.Request, a.lookupPasskey)
	if err != nil {
		return // answered by the verb
	}
	if err := a.markUsed(ctx, got); err != nil {
		a.internal(c, err)
		return
	}
	u, err := a.userBy(ctx, "webauthn_id", got.UserID)
	if err != nil {
		a.internal(c, err)
		return
	}
	if err := a.login(c, u.ID); err != nil {
		a.internal(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"ok": true, "redirect": "/dashboard"})
}

func (a *App) internal(c *gin.Context, err error) {
	a.log.Error("internal error", "path", c.Request.URL.Path, "err", err)
	if strings.HasPrefix(c.Request.URL.Path, "/auth/") {
		c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"error": "Internal error.", "code": server.CodeInternal})
		return
	}
	c.AbortWithStatus(http.StatusInternalServerError)
}

func (a *App) forbidden(c *gin.Context, msg string) {
	if strings.HasPrefix(c.Request.URL.Path, "/auth/") || strings.Contains(c.GetHeader("Accept"), "application/json") {
		c.AbortWithStatusJSON(http.StatusForbidden, gin.H{"error": msg, "code": "csrf_failed"})
		return
	}
	c.AbortWithStatus(http.StatusForbidden)
	_, _ = c.Writer.WriteString(msg + "\n")
}
