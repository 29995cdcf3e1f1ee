package app

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/chirpkit/passkeys/server"
	"golang.org/x/crypto/bcrypt"
)

type page struct {
	Title    string
	CSRF     string
	Nonce    string
	User     *user
	Error    string
	Username string
	Passkeys []*passkey
	// Upgrade is the passkey upgrade the home page offers: "conditional" right after a
	// password sign-in (a conditional create, or the prompt where the browser has none),
	// "prompt" later, "" when the user has passkeys or dismissed the offer.
	Upgrade string
}

// render writes a whole page, or (name without ".html") a fragment for htmx.
func (a *App) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	if r.Method != http.MethodHead {
		p.CSRF = a.csrfToken(w, r)
	}
	p.Nonce = nonceOf(r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := a.tmpl.ExecuteTemplate(w, name, p); err != nil {
		a.log.Error("render", "page", name, "err", err)
	}
}

// requireUser returns the signed-in user, or sends the browser to /login (or answers 401
// to htmx and scripts) and returns nil.
func (a *App) requireUser(w http.ResponseWriter, r *http.Request) *user {
	u, err := a.currentUser(r)
	if err != nil {
		a.internal(w, r, err)
		return nil
	}
	if u == nil {
		if r.Header.Get("HX-Request") == "true" || wantsJSON(r) {
			w.Header().Set("HX-Redirect", "/login")
			a.fail(w, r, http.StatusUnauthorized, server.CodeLoginRequired, "Sign in first.")
			return nil
		}
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	}
	return u
}

func (a *App) home(w http.ResponseWriter, r *http.Request) {
	u, err := a.currentUser(r)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	p := page{Title: "Lucky Cat", User: u}
	if u != nil {
		s := current(r)
		keys, err := a.passkeysOf(r.Context(), u.WebAuthnID)
		if err != nil {
			a.internal(w, r, err)
			return
		}
		p.Passkeys = keys
		if len(keys) == 0 && !u.UpgradeDismissed {
			p.Upgrade = "prompt"
			if s.OfferUpgrade {
				// Once, on the page right after a password sign-in: that is when a
				// browser may create a passkey by itself (conditional create).
				p.Upgrade = "conditional"
			}
		}
		if s.OfferUpgrade {
			if _, err := a.db.ExecContext(r.Context(), "UPDATE sessions SET offer_upgrade = 0 WHERE token = ?", s.Token); err != nil {
				a.internal(w, r, err)
				return
			}
		}
	}
	a.render(w, r, http.StatusOK, "home.html", p)
}

func (a *App) signupPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "signup.html", page{Title: "Create your account"})
}

// checkUsername returns what is wrong with a username, or "".
func checkUsername(name string) string {
	if name == "" || utf8.RuneCountInString(name) > 64 || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return "Choose a username of 1 to 64 characters."
	}
	return ""
}

// passwordSignup makes an account with a password and signs it in; the home page then
// offers the passkey upgrade.
func (a *App) passwordSignup(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostFormValue("username"))
	pw := r.PostFormValue("password")
	fail := func(msg string) {
		a.render(w, r, http.StatusUnprocessableEntity, "signup.html", page{Title: "Create your account", Error: msg, Username: name})
	}
	if msg := checkUsername(name); msg != "" {
		fail(msg)
		return
	}
	if len(pw) < 8 || len(pw) > 72 {
		fail("Choose a password of 8 to 72 characters, or sign up with a passkey.")
		return
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(pw), a.bcryptCost)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	id, err := a.createUser(r.Context(), name, hash)
	if errors.Is(err, errUsernameTaken) {
		fail("That username is taken.")
		return
	}
	if err != nil {
		a.internal(w, r, err)
		return
	}
	if err := a.login(w, r, id, true); err != nil {
		a.internal(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// passkeySignup begins a passkey-only sign-up (a script's POST, answered JSON): it makes
// a pending account and a session of it, in which the page registers the passkey with
// the ready routes. The account becomes real when the passkey is stored; the page
// cancels it (cancelSignup) when the ceremony fails, and an abandoned one is deleted
// after pendingFor. The answer carries the session's CSRF token for the ceremony.
func (a *App) passkeySignup(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostFormValue("username"))
	if msg := checkUsername(name); msg != "" {
		a.fail(w, r, http.StatusUnprocessableEntity, "bad_username", msg)
		return
	}
	// A sign-up of this browser that is still pending is replaced (a second try).
	if err := a.dropPending(w, r); err != nil {
		a.internal(w, r, err)
		return
	}
	id, err := a.createUser(r.Context(), name, nil)
	if errors.Is(err, errUsernameTaken) {
		a.fail(w, r, http.StatusConflict, "username_taken", "That username is taken.")
		return
	}
	if err != nil {
		a.internal(w, r, err)
		return
	}
	if err := a.login(w, r, id, false); err != nil {
		a.internal(w, r, err)
		return
	}
	_ = server.WriteJSON(w, map[string]any{"ok": true, "csrf": current(r).CSRF})
}

// dropPending deletes the session's account if it is a pending sign-up (with its
// session) and signs out.
func (a *App) dropPending(w http.ResponseWriter, r *http.Request) error {
	u, err := a.sessionUser(r)
	if err != nil || u == nil || !u.Pending {
		return err
	}
	if err := a.endSession(w, r); err != nil {
		return err
	}
	_, err = a.db.ExecContext(r.Context(), "DELETE FROM users WHERE id = ? AND pending_until IS NOT NULL", u.ID)
	return err
}

// cancelSignup ends a passkey sign-up whose ceremony failed or was cancelled: the
// pending account is deleted, so its username is free again. It answers the visitor's
// new CSRF token, for the next try.
func (a *App) cancelSignup(w http.ResponseWriter, r *http.Request) {
	if err := a.dropPending(w, r); err != nil {
		a.internal(w, r, err)
		return
	}
	_ = server.WriteJSON(w, map[string]any{"ok": true, "csrf": a.csrfToken(w, r)})
}

func (a *App) loginPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, http.StatusOK, "login.html", page{Title: "Sign in"})
}

// passwordLogin signs in with a username and password, throttled and with a dummy hash
// for unknown usernames and passkey-only accounts (see examples/minimal).
func (a *App) passwordLogin(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostFormValue("username"))
	now := a.now()
	fromClient, retry := a.clientLimit.Take(server.ClientAddr(r), now)
	if fromClient == nil {
		a.tooManyAttempts(w, r, name, retry)
		return
	}
	fromUser, retry := a.userLimit.Take(string(a.mac("login-user", name)[:16]), now)
	if fromUser == nil {
		a.clientLimit.Give(fromClient)
		a.tooManyAttempts(w, r, name, retry)
		return
	}
	u, err := a.userBy(r.Context(), "username", name)
	if err != nil && !errors.Is(err, errNoUser) {
		a.internal(w, r, err)
		return
	}
	hash := a.dummyHash
	if u != nil && u.HasPassword() && !u.Pending {
		hash = u.Hash
	}
	if ok := bcrypt.CompareHashAndPassword(hash, []byte(r.PostFormValue("password"))) == nil; !ok || u == nil || !u.HasPassword() || u.Pending {
		a.render(w, r, http.StatusUnauthorized, "login.html", page{Title: "Sign in", Error: "Wrong username or password.", Username: name})
		return
	}
	a.clientLimit.Give(fromClient)
	a.userLimit.Give(fromUser)
	if err := a.login(w, r, u.ID, true); err != nil {
		a.internal(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (a *App) tooManyAttempts(w http.ResponseWriter, r *http.Request, name string, retry time.Duration) {
	secs := int(math.Ceil(retry.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	a.render(w, r, http.StatusTooManyRequests, "login.html", page{Title: "Sign in",
		Error: fmt.Sprintf("Too many failed sign-in attempts. Try again in %d seconds.", secs), Username: name})
}

func (a *App) logout(w http.ResponseWriter, r *http.Request) {
	if err := a.endSession(w, r); err != nil {
		a.internal(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// dismissUpgrade turns the passkey upgrade prompt off for good (htmx removes it).
func (a *App) dismissUpgrade(w http.ResponseWriter, r *http.Request) {
	u := a.requireUser(w, r)
	if u == nil {
		return
	}
	if _, err := a.db.ExecContext(r.Context(), "UPDATE users SET upgrade_dismissed = 1 WHERE id = ?", u.ID); err != nil {
		a.internal(w, r, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// passkeyUser is Routes.CurrentUser: the session's user, a pending sign-up included (its
// first passkey is what makes it real).
func (a *App) passkeyUser(r *http.Request) (*server.User, error) {
	u, err := a.sessionUser(r)
	if u == nil || err != nil {
		return nil, err
	}
	return &server.User{ID: u.WebAuthnID, Name: u.Username}, nil
}

// passkeyLogin is Routes.Login: a passkey sign-in signs the user in through the same
// login as a password, and the page goes home.
func (a *App) passkeyLogin(w http.ResponseWriter, r *http.Request, handle []byte) (string, error) {
	u, err := a.userBy(r.Context(), "webauthn_id", handle)
	if err != nil {
		return "", err
	}
	if err := a.login(w, r, u.ID, false); err != nil {
		return "", err
	}
	return "/", nil
}

// Settings → Security.

func (a *App) securityPage(w http.ResponseWriter, r *http.Request) {
	u := a.requireUser(w, r)
	if u == nil {
		return
	}
	keys, err := a.passkeysOf(r.Context(), u.WebAuthnID)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "security.html", page{Title: "Security", User: u, Passkeys: keys})
}

// passkeyList is the list's fragment, which htmx reloads after every change.
func (a *App) passkeyList(w http.ResponseWriter, r *http.Request) {
	u := a.requireUser(w, r)
	if u == nil {
		return
	}
	keys, err := a.passkeysOf(r.Context(), u.WebAuthnID)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	a.render(w, r, http.StatusOK, "passkeys", page{User: u, Passkeys: keys})
}

// onePasskey returns the signed-in user's passkey named by the path's {id}, or answers.
func (a *App) onePasskey(w http.ResponseWriter, r *http.Request) (*user, *passkey) {
	u := a.requireUser(w, r)
	if u == nil {
		return nil, nil
	}
	id, err := base64.RawURLEncoding.DecodeString(r.PathValue("id"))
	if err != nil {
		a.fail(w, r, http.StatusBadRequest, server.CodeBadRequest, "Bad passkey id.")
		return nil, nil
	}
	keys, err := a.passkeysOf(r.Context(), u.WebAuthnID)
	if err != nil {
		a.internal(w, r, err)
		return nil, nil
	}
	for _, k := range keys {
		if bytes.Equal(k.ID, id) {
			return u, k
		}
	}
	a.fail(w, r, http.StatusNotFound, server.CodeUnknownCredential, "You have no such passkey.")
	return nil, nil
}

// passkeyRow is one passkey's row (htmx puts it back when a rename is cancelled).
func (a *App) passkeyRow(w http.ResponseWriter, r *http.Request) {
	if u, k := a.onePasskey(w, r); k != nil {
		a.render(w, r, http.StatusOK, "passkey-row", page{User: u, Passkeys: []*passkey{k}})
	}
}

// passkeyEdit is one passkey's rename form, in place of its row.
func (a *App) passkeyEdit(w http.ResponseWriter, r *http.Request) {
	if u, k := a.onePasskey(w, r); k != nil {
		a.render(w, r, http.StatusOK, "passkey-edit", page{User: u, Passkeys: []*passkey{k}})
	}
}

// acceptedCredentials answers what the WebAuthn signals need to tell the user's passkey
// providers which of their passkeys this site still accepts (after a delete: the
// provider hides the deleted one) and the account's current name:
//
//	{"rpId", "userId", "allAcceptedCredentialIds": [...], "name", "displayName"}
//
// (base64url), the arguments of PublicKeyCredential.signalAllAcceptedCredentials and
// signalCurrentUserDetails.
//
// acceptedCredentials answers the two signals' JSON for the signed-in user: the
// credentials the site accepts (Server.AcceptedCredentials) and the user's current name
// (Server.CurrentUserDetails), as {"accepted": …, "details": …}.
func (a *App) acceptedCredentials(w http.ResponseWriter, r *http.Request) {
	u := a.requireUser(w, r)
	if u == nil {
		return
	}
	keys, err := a.passkeysOf(r.Context(), u.WebAuthnID)
	if err != nil {
		a.internal(w, r, err)
		return
	}
	ids := make([][]byte, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	_ = server.WriteJSON(w, map[string]any{
		"accepted": a.pk.AcceptedCredentials(u.WebAuthnID, ids),
		"details":  a.pk.CurrentUserDetails(server.User{ID: u.WebAuthnID, Name: u.Username}),
	})
}
