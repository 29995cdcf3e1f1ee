// Package app is the example application of chirpkit/passkeys: users with passwords and
// passkeys in SQLite, sessions with CSRF tokens, the four passkey routes on the server
// verbs, and the bridge injected into every page. cmd examples/minimal runs it; the e2e
// tests drive it in Chromium.
//
// # Security
//
// What the example does beyond calling the verbs, as a starting point for an app of one's
// own (each is tested in this package):
//
//   - Request bodies are bounded before anything reads them: 4 KiB for the forms and the
//     JSON of a begin, 64 KiB for the finish routes (the server's MaxBodyBytes); a larger
//     body is answered 413 payload_too_large (bodylimit).
//   - Sessions: a row of the sessions table exists only for a signed-in user, made at
//     sign-in with a fresh token and CSRF token, deleted at sign-out. It ends after
//     Options.SessionIdle (2 h) without a request or Options.SessionLifetime (24 h) after
//     sign-in; the cookie's Max-Age is the lifetime, and each sign-in purges up to 100
//     expired rows. A visitor who is not signed in has no row: the pages' CSRF token is
//     a signed double-submit token, HMAC(app secret, value of a random csrf cookie).
//     Over https both cookies are __Host- cookies (Secure, Path=/, no Domain).
//     Cross-origin POSTs are refused first by http.CrossOriginProtection.
//   - Password sign-in takes as long for a username without an account as for one with
//     (a bcrypt comparison with a dummy hash of the same cost), and is throttled per
//     client address and per username with token buckets in bounded tables: 429 with
//     Retry-After. Right passwords use up nothing. The tables are per process, and the
//     client address is the peer's: behind a reverse proxy, key on the address the proxy
//     forwards.
//   - Username-first passkey sign-in answers alike whether or not the username has
//     passkeys, or an account: without, the allow list holds a stand-in ID derived from
//     the username with the app secret, which no authenticator holds.
//   - Registering a credential ID that is stored already (another user's, or the same
//     user's) is refused with 400 credential_exists, decided by the primary key of the
//     INSERT, so two registrations at once cannot both succeed.
//   - The sign count is stored with a compare-and-set against the count the verification
//     read: of two sign-ins racing with the same counter (a cloned authenticator) one gets
//     400 sign_count_regressed. Counters that stay 0 (synced passkeys) always pass.
//
// The app secret (a random 32-byte key) is made on first start and kept in the database,
// so that every instance on one database shares it.
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
	"github.com/chirpkit/passkeys/ginpasskeys"
	"github.com/chirpkit/passkeys/injector"
	"github.com/chirpkit/passkeys/server"
	"github.com/gin-gonic/gin"
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
	// Store keeps pending ceremonies; zero means the server's memory store.
	Store server.CeremonyStore
	// UserVerification is passed to server.Config ("required", "preferred",
	// "discouraged"); zero means the server's default.
	UserVerification string
	// BcryptCost for password hashes; zero means bcrypt.DefaultCost.
	BcryptCost int
	// Logger; zero means slog.Default().
	Logger *slog.Logger
	// Clock; zero means time.Now.
	Clock func() time.Time
	// ClientLimitOff turns off the server's per-client limit on begins
	// (server.Config.ClientLimit), for load tests whose clients share one address.
	ClientLimitOff bool
	// SessionIdle ends a session after this long without a request; zero means 2 hours.
	SessionIdle time.Duration
	// SessionLifetime ends a session this long after sign-in whatever the activity, and is
	// its cookie's Max-Age; zero means 24 hours.
	SessionLifetime time.Duration
	// Routes, if set, adds routes to the app's router, behind its middleware (security
	// headers, the injector, sessions with CSRF checks); examples/wasm adds its page so.
	Routes func(a *App, r gin.IRoutes)
}

// App is the example application.
type App struct {
	db         *sql.DB
	pk         *server.Server
	tmpl       *template.Template
	log        *slog.Logger
	now        func() time.Time
	bcryptCost int
	secure     bool
	handler    http.Handler
	// secret keys the HMACs: visitors' CSRF tokens, stand-in credential IDs.
	secret []byte

	sessionIdle, sessionLifetime time.Duration

	// dummyHash is a bcrypt hash of a random password at bcryptCost: a sign-in for a
	// username that has no account is checked against it, so that it takes as long as one
	// for an account (see passwordLogin).
	dummyHash []byte
	// checkPassword is bcrypt.CompareHashAndPassword (tests count its calls).
	checkPassword func(hash, password []byte) error
	// Password sign-in attempts per client address and per username (see passwordLogin).
	clientLimit, userLimit *throttle.Limiter

	// beforeMarkUsed, if set, runs in a passkey sign-in between the verification and the
	// update of the sign count (tests line up concurrent sign-ins with it).
	beforeMarkUsed func()
}

// Throttling of password sign-in (see passwordLogin). A client address may fail
// clientBurst times in a row, then once per clientEvery; a username userBurst times, then
// once per userEvery. Each table keeps at most limiterTable keys.
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
	if len(opts.Origins) == 0 {
		return nil, errors.New("app: Options.Origins is empty")
	}
	pk, err := server.New(server.Config{RPID: opts.RPID, RPName: "Passkeys demo", Origins: opts.Origins,
		UserVerification: opts.UserVerification, Store: opts.Store, Logger: opts.Logger, Clock: opts.Clock,
		ClientLimit: server.ClientLimit{Off: opts.ClientLimitOff}})
	if err != nil {
		return nil, err
	}
	tmpl, err := template.New("").Funcs(template.FuncMap{
		"b64":  base64.RawURLEncoding.EncodeToString,
		"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
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
		secure: strings.HasPrefix(opts.Origins[0], "https://"), secret: key,
		sessionIdle: opts.SessionIdle, sessionLifetime: opts.SessionLifetime,
		dummyHash: dummy, checkPassword: bcrypt.CompareHashAndPassword,
		clientLimit: throttle.New(clientBurst, clientEvery, limiterTable),
		userLimit:   throttle.New(userBurst, userEvery, limiterTable)}
	a.handler = a.routes(opts.Routes)
	return a, nil
}

// Handler returns the app's HTTP handler.
func (a *App) Handler() http.Handler { return a.handler }

// Close closes the database.
func (a *App) Close() error { return a.db.Close() }

func (a *App) routes(extra func(*App, gin.IRoutes)) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery(), securityHeaders, ginpasskeys.Middleware(injector.Options{Nonce: nonceOf}), a.sessions)
	static, _ := fs.Sub(staticFS, "static")
	r.StaticFS("/static", http.FS(static))
	// Pages answer HEAD too (gin routes it apart); the injector leaves HEAD untouched.
	for path, h := range map[string]gin.HandlerFunc{"/": a.home, "/signup": a.signupPage, "/login": a.loginPage, "/dashboard": a.dashboard} {
		r.GET(path, h)
		r.HEAD(path, h)
	}
	r.POST("/signup", a.signup)
	r.POST("/login", a.passwordLogin)
	r.POST("/logout", a.logout)
	r.POST("/passkeys/:id/delete", a.deletePasskey)
	r.POST("/auth/passkey/register/begin", a.registerBegin)
	r.POST("/auth/passkey/register/finish", a.registerFinish)
	r.POST("/auth/passkey/login/begin", a.loginBegin)
	r.POST("/auth/passkey/login/finish", a.loginFinish)
	if extra != nil {
		extra(a, r)
	}
	// Cross-site POSTs are refused from the Sec-Fetch-Site/Origin headers before the
	// CSRF token is even looked at; then every body is bounded before anything reads it.
	return http.NewCrossOriginProtection().Handler(bodylimit.Handler(r))
}

type nonceKey struct{}

// securityHeaders sets a strict Content-Security-Policy with a fresh nonce, which the
// injector puts on the bridge's script tag.
func securityHeaders(c *gin.Context) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	nonce := base64.StdEncoding.EncodeToString(b)
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), nonceKey{}, nonce))
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", csp(nonce, false))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	c.Next()
}

func csp(nonce string, wasm bool) string {
	script := "'self' 'nonce-" + nonce + "'"
	if wasm {
		script += " 'wasm-unsafe-eval'"
	}
	return fmt.Sprintf("default-src 'self'; script-src %s; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'", script)
}

// AllowWasm relaxes this response's Content-Security-Policy for a page that compiles
// WebAssembly: script-src gets 'wasm-unsafe-eval' (nothing else changes).
func AllowWasm(c *gin.Context) {
	c.Writer.Header().Set("Content-Security-Policy", csp(nonceOf(c.Request), true))
}

// CSRF returns the CSRF token for a page added with Options.Routes (put it in
// <meta name="csrf-token">): the signed-in session's, or a visitor's, for whom it sets the
// csrf cookie if the browser has none yet.
func CSRF(c *gin.Context) string { return c.MustGet("app").(*App).csrfToken(c) }

// Username returns the signed-in user's name, or "" when nobody is signed in.
func (a *App) Username(c *gin.Context) (string, error) {
	u, err := a.currentUser(c)
	if u == nil || err != nil {
		return "", err
	}
	return u.Username, nil
}

func nonceOf(r *http.Request) string {
	n, _ := r.Context().Value(nonceKey{}).(string)
	return n
}
