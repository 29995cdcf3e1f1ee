package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chirpkit/passkeys/examples/internal/bodylimit"
	"github.com/chirpkit/passkeys/server"
	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"
	sqlite3 "modernc.org/sqlite/lib"
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
	if c.Request.Method != http.MethodHead { // a HEAD answer has no body to hold a token
		p.CSRF = a.csrfToken(c)
	}
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
	res, err := a.db.ExecContext(c.Request.Context(), "INSERT INTO users (username, password_hash, webauthn_id) VALUES (?, ?, ?)", name, hash, randomBytes(32))
	if err != nil {
		if isConstraint(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE) {
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

// passwordLogin signs in with a username and password. Two things keep it from telling
// who has an account, or from being a free guessing oracle:
//
//   - Timing: a username without an account is checked against a dummy bcrypt hash of
//     the same cost, so both answers take one bcrypt comparison (without it: 0.2 ms
//     against 47 ms at the default cost, which told who has an account).
//   - Throttling: every attempt takes a token from the client address's bucket and from
//     the username's (see limiter; the username's is kept whether or not the account
//     exists, so a 429 says nothing about it). An empty bucket answers 429 with
//     Retry-After before any bcrypt runs. A right password gives its tokens back, so only
//     failures count.
func (a *App) passwordLogin(c *gin.Context) {
	name := strings.TrimSpace(c.PostForm("username"))
	now := a.now()
	fromClient, retry := a.clientLimit.Take(server.ClientAddr(c.Request), now)
	if fromClient == nil {
		a.tooManyAttempts(c, name, retry)
		return
	}
	userKey := string(a.mac("login-user", name)[:16]) // fixed size, whatever was sent
	fromUser, retry := a.userLimit.Take(userKey, now)
	if fromUser == nil {
		a.clientLimit.Give(fromClient) // not an attempt: nothing was checked
		a.tooManyAttempts(c, name, retry)
		return
	}
	u, err := a.userBy(c.Request.Context(), "username", name)
	if err != nil && !errors.Is(err, errNoUser) {
		a.internal(c, err)
		return
	}
	hash := a.dummyHash
	if u != nil {
		hash = u.Hash
	}
	if ok := a.checkPassword(hash, []byte(c.PostForm("password"))) == nil; !ok || u == nil {
		a.render(c, http.StatusUnauthorized, "login.html", page{Title: "Sign in", Error: "Wrong username or password.", Username: name})
		return
	}
	a.clientLimit.Give(fromClient)
	a.userLimit.Give(fromUser)
	if err := a.login(c, u.ID); err != nil {
		a.internal(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/dashboard")
}

// tooManyAttempts answers a throttled password sign-in: 429 with Retry-After, the sign-in
// page with the wait for a browser, or a JSON rate_limited error for a client that asks
// for JSON.
func (a *App) tooManyAttempts(c *gin.Context, name string, retry time.Duration) {
	secs := int(math.Ceil(retry.Seconds()))
	c.Header("Retry-After", strconv.Itoa(secs))
	msg := fmt.Sprintf("Too many failed sign-in attempts. Try again in %d seconds.", secs)
	if strings.Contains(c.GetHeader("Accept"), "application/json") {
		server.WriteError(c.Writer, &server.Error{Code: server.CodeRateLimited, Message: msg})
		c.Abort()
		return
	}
	a.render(c, http.StatusTooManyRequests, "login.html", page{Title: "Sign in", Error: msg, Username: name})
}

func (a *App) logout(c *gin.Context) {
	if err := a.endSession(c); err != nil {
		a.internal(c, err)
		return
	}
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
		if errors.Is(err, errCredentialExists) {
			// The same message whether the ID is this user's or another's.
			server.WriteError(c.Writer, &server.Error{Code: server.CodeCredentialExists, Message: "This passkey is already registered."})
			return
		}
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

// loginBegin starts a passkey sign-in: usernameless with no body, username-first with
// {"username": ...} (an allow list of that user's passkeys).
//
// Username-first answers alike whether or not the username has passkeys, or an account:
// when it has none, the allow list holds one stand-in credential ID, HMAC(app secret,
// username) cut to a real ID's length. It is the same for every request about that name
// (so a repeated probe sees a stable list, as for a real user) and matches no
// authenticator, so the browser's ceremony fails as it does on a device without the
// passkey (NotAllowedError), and a finish with it gets unknown_credential. Answering 400
// for such names, as this used to, told anyone which usernames have passkeys. (The number
// of IDs listed still differs for a user with several passkeys.)
func (a *App) loginBegin(c *gin.Context) {
	var req loginBeginRequest
	if c.Request.ContentLength != 0 {
		if err := c.ShouldBindJSON(&req); err != nil {
			if bodylimit.TooLarge(err) {
				a.payloadTooLarge(c)
				return
			}
			c.JSON(http.StatusBadRequest, gin.H{"error": "Send a JSON object.", "code": server.CodeBadRequest})
			return
		}
	}
	var opts server.AuthenticationOptions
	if name := strings.TrimSpace(req.Username); name != "" {
		u, err := a.userBy(c.Request.Context(), "username", name)
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
			opts.AllowCredentials = [][]byte{a.standInCredentialID(name)}
		}
	}
	_ = a.pk.BeginAuthentication(c.Writer, c.Request, opts)
}

// standInCredentialID is the credential ID loginBegin lists for a username without
// passkeys: 32 bytes (the length of the IDs Chromium's and many platform authenticators
// make) derived from the username, unguessable without the app secret.
func (a *App) standInCredentialID(name string) []byte {
	return a.mac("stand-in-credential", name)[:32]
}

// loginFinish verifies a passkey sign-in and stores the new sign count with a
// compare-and-set (see markUsed): the count the verification was made against is the
// one the lookup read, kept by the lookup closure.
func (a *App) loginFinish(c *gin.Context) {
	ctx := c.Request.Context()
	var read *passkey
	lookup := func(ctx context.Context, id []byte) (server.StoredCredential, error) {
		p, err := a.lookupPasskey(ctx, id)
		read = p
		if err != nil {
			return nil, err
		}
		return p, nil
	}
	got, err := a.pk.FinishAuthentication(c.Writer, c.Request, lookup)
	if err != nil {
		return // answered by the verb
	}
	if a.beforeMarkUsed != nil {
		a.beforeMarkUsed()
	}
	switch err := a.markUsed(ctx, got, read.SignCount); {
	case errors.Is(err, errCounterMoved):
		server.WriteError(c.Writer, &server.Error{Code: server.CodeSignCountRegressed,
			Message: "This passkey's signature counter went backwards; it may have been cloned.", Cause: err})
		return
	case errors.Is(err, server.ErrUnknownCredential):
		server.WriteError(c.Writer, &server.Error{Code: server.CodeUnknownCredential, Message: "This passkey is not registered here."})
		return
	case err != nil:
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
