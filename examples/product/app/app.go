// Package app is the product-shaped example of chirpkit/passkeys, the Go counterpart of
// the tutorial's lucky_cat: an account system whose sign-in is passkeys first and whose
// passkeys are managed from the account's settings, on net/http alone.
//
//   - Sign up with a passkey alone (no password), or with a password.
//   - Sign in by autofill (conditional mediation on the username field), with the
//     "Sign in with a passkey" button, or with the password.
//   - After a password sign-in, the passkey upgrade: a conditional create where the
//     browser offers it, otherwise a one-click prompt, which the user can dismiss for good.
//   - Settings → Security: the user's passkeys with their provider (by AAGUID), synced or
//     on one device, created and last used; add, rename and delete them (with the
//     WebAuthn signals), and no deleting the last way to sign in.
//
// The passkey endpoints are the library's ready routes (server.Routes, at /auth/passkey:
// the ceremonies and credentials/list, rename and delete) over the app's SQLite table
// (store). The pages are html/template, the settings interactions htmx (embedded, served
// from /static), and every script runs under a per-request CSP nonce: no inline script,
// no inline handler, no eval.
//
// Security as in examples/minimal (see its package doc): bounded bodies, sessions only
// for signed-in users, signed double-submit CSRF tokens for visitors, cross-origin
// protection, throttled password sign-in with a dummy hash, credential_exists decided by
// the primary key, a compare-and-set sign count.
package app

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/chirpkit/passkeys/examples/internal/bodylimit"
	"github.com/chirpkit/passkeys/examples/internal/throttle"
	"github.com/chirpkit/passkeys/injector"
	"github.com/chirpkit/passkeys/providers"
	"github.com/chirpkit/passkeys/server"
	"golang.org/x/crypto/bcrypt"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configures New.
type Options struct {
	// DB is the SQLite database file. Required.
	DB string
	// RPID and Origins configure the relying party (see server.Config).
	RPID    string
	Origins []string
	// Store keeps pending ceremonies; zero means the server's memory store
	// (main's -redis gives a redisstore).
	Store server.CeremonyStore
	// BcryptCost for password hashes; zero means bcrypt.DefaultCost.
	BcryptCost int
	// Logger; zero means slog.Default().
	Logger *slog.Logger
	// Clock; zero means time.Now.
	Clock func() time.Time
	// SessionIdle and SessionLifetime end sessions; zero means 2 hours and 24 hours.
	SessionIdle, SessionLifetime time.Duration
}

// App is the product example application.
type App struct {
	db              *sql.DB
	pk              *server.Server
	routes          *server.Routes
	tmpl            *template.Template
	log             *slog.Logger
	now             func() time.Time
	bcryptCost      int
	secure          bool
	rpID            string
	secret          []byte
	handler         http.Handler
	dummyHash       []byte
	sessionIdle     time.Duration
	sessionLifetime time.Duration

	clientLimit, userLimit *throttle.Limiter
}

// Throttling of password sign-in, as in examples/minimal.
const (
	clientBurst  = 20
	clientEvery  = 10 * time.Second
	userBurst    = 5
	userEvery    = time.Minute
	limiterTable = 10000
)

// New opens the database and builds the app.
func New(opts Options) (*App, error) {
	if opts.DB == "" {
		return nil, errors.New("app: Options.DB is empty")
	}
	if len(opts.Origins) == 0 {
		return nil, errors.New("app: Options.Origins is empty")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.BcryptCost == 0 {
		opts.BcryptCost = bcrypt.DefaultCost
	}
	if opts.SessionIdle == 0 {
		opts.SessionIdle = 2 * time.Hour
	}
	if opts.SessionLifetime == 0 {
		opts.SessionLifetime = 24 * time.Hour
	}
	pk, err := server.New(server.Config{RPID: opts.RPID, RPName: "Lucky Cat", Origins: opts.Origins,
		Store: opts.Store, Logger: opts.Logger, Clock: opts.Clock})
	if err != nil {
		return nil, err
	}
	tmpl, err := template.New("").Funcs(template.FuncMap{
		"b64":      base64.RawURLEncoding.EncodeToString,
		"when":     func(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04 UTC") },
		"provider": providerName,
	}).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	dummy, err := bcrypt.GenerateFromPassword(randomBytes(32), opts.BcryptCost)
	if err != nil {
		return nil, err
	}
	db, err := openDB(opts.DB)
	if err != nil {
		return nil, err
	}
	key, err := secret(db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("app secret: %w", err)
	}
	a := &App{db: db, pk: pk, tmpl: tmpl, log: opts.Logger, now: opts.Clock, bcryptCost: opts.BcryptCost,
		secure: strings.HasPrefix(opts.Origins[0], "https://"), rpID: opts.RPID, secret: key, dummyHash: dummy,
		sessionIdle: opts.SessionIdle, sessionLifetime: opts.SessionLifetime,
		clientLimit: throttle.New(clientBurst, clientEvery, limiterTable),
		userLimit:   throttle.New(userBurst, userEvery, limiterTable)}
	a.routes = &server.Routes{
		Server:      pk,
		Credentials: store{a},
		CurrentUser: a.passkeyUser,
		Login:       a.passkeyLogin,
		HasOtherSignIn: func(r *http.Request, handle []byte) (bool, error) {
			u, err := a.userBy(r.Context(), "webauthn_id", handle)
			return u != nil && u.HasPassword(), err
		},
		// Username-first sign-in, for a login/begin with {"username": …}: the user's
		// passkeys (an unknown name gets Routes' stand-in, which looks alike).
		AllowList: func(ctx context.Context, username string) ([][]byte, error) {
			u, err := a.userBy(ctx, "username", username)
			if err != nil || u == nil {
				return nil, err
			}
			keys, err := a.passkeysOf(ctx, u.WebAuthnID)
			ids := make([][]byte, len(keys))
			for i, k := range keys {
				ids[i] = k.ID
			}
			return ids, err
		},
	}
	a.handler = a.mux()
	return a, nil
}

// Handler returns the app's HTTP handler.
func (a *App) Handler() http.Handler { return a.handler }

// Close closes the database.
func (a *App) Close() error { return a.db.Close() }

// mux routes with the standard library's patterns. Every route is behind the security
// headers, the bridge injector, the sessions (with the CSRF check on POST), the body
// bounds and cross-origin protection.
func (a *App) mux() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticFiles(http.FileServerFS(static))))
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("GET /signup", a.signupPage)
	mux.HandleFunc("POST /signup", a.passwordSignup)
	mux.HandleFunc("POST /signup/passkey", a.passkeySignup)
	mux.HandleFunc("POST /signup/cancel", a.cancelSignup)
	mux.HandleFunc("GET /login", a.loginPage)
	mux.HandleFunc("POST /login", a.passwordLogin)
	mux.HandleFunc("POST /logout", a.logout)
	mux.HandleFunc("POST /account/upgrade/dismiss", a.dismissUpgrade)
	mux.HandleFunc("GET /settings/security", a.securityPage)
	mux.HandleFunc("GET /settings/security/passkeys", a.passkeyList)
	mux.HandleFunc("GET /settings/security/passkeys/{id}", a.passkeyRow)
	mux.HandleFunc("GET /settings/security/passkeys/{id}/edit", a.passkeyEdit)
	mux.HandleFunc("GET /settings/security/accepted", a.acceptedCredentials)
	// The library's ready routes: register and login begin/finish, credentials/list,
	// rename and delete (the store implements all three optional interfaces).
	a.routes.Mount(mux)
	var h http.Handler = mux
	h = a.sessions(h)
	h = injector.Middleware(injector.Options{Nonce: nonceOf})(h)
	h = securityHeaders(h)
	return http.NewCrossOriginProtection().Handler(bodylimit.Handler(h))
}

// staticFiles lets browsers keep the embedded files for an hour.
func staticFiles(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

type nonceKey struct{}

func nonceOf(r *http.Request) string {
	n, _ := r.Context().Value(nonceKey{}).(string)
	return n
}

// securityHeaders sets a strict Content-Security-Policy with a fresh nonce per response:
// scripts run only with the nonce (the page's own, htmx and the injected bridge), styles
// only from this origin, nothing inline.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		nonce := base64.RawURLEncoding.EncodeToString(b) // CSP allows base64url; nothing to escape in HTML

		r = r.WithContext(context.WithValue(r.Context(), nonceKey{}, nonce))
		h := w.Header()
		h.Set("Content-Security-Policy", CSP(nonce))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// CSP is the Content-Security-Policy of a response with this nonce.
func CSP(nonce string) string {
	return "default-src 'self'; script-src 'nonce-" + nonce + "'; style-src 'self'; img-src 'self' data:; " +
		"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
}

// providerName names a passkey's provider from its AAGUID, or "Passkey" when the
// authenticator does not say (many report zeros) or is not listed.
func providerName(aaguid []byte) string {
	if name := providers.Name(aaguid); name != "" {
		return name
	}
	return "Passkey"
}

func (a *App) internal(w http.ResponseWriter, r *http.Request, err error) {
	a.log.Error("internal error", "path", r.URL.Path, "err", err)
	a.fail(w, r, http.StatusInternalServerError, server.CodeInternal, "Internal error.")
}

// fail answers an error: JSON ({"error", "code"}) for scripts and htmx, text otherwise.
func (a *App) fail(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	if wantsJSON(r) {
		server.WriteError(w, &server.Error{Status: status, Code: code, Message: msg})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintln(w, msg)
}

func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/auth/") || strings.Contains(r.Header.Get("Accept"), "application/json")
}
