package server

import (
	"log/slog"
	"net/http"
	"time"
)

// Config is the relying party's configuration. New validates it and fills the zero values
// with the defaults documented on each field.
type Config struct {
	// RPID is the relying party ID: the registrable domain the passkeys belong to, such as
	// "example.com" for origins https://example.com and https://login.example.com.
	// It must equal, or be a registrable suffix of, the host of every origin. Required.
	// Use "localhost" in development (never an IP address: browsers refuse them).
	RPID string

	// RPName is the name the browser may show ("Sign in to RPName"). Zero means RPID.
	RPName string

	// Origins are the exact origins (scheme://host[:port], no path, no trailing slash)
	// allowed to run ceremonies. http is allowed only on localhost. Required.
	Origins []string

	// RelatedOrigins are origins on other registrable domains that may use this RP ID
	// (WebAuthn L3 related origin requests): exact https origins such as
	// https://example.co.uk for RPID example.com, with at most 5 distinct
	// registrable-domain labels among them. The browser allows them only when
	// https://{RPID}/.well-known/webauthn lists them: serve Server.WellKnown there (Routes
	// does, when mounted at the root or with Mount). Zero means none.
	RelatedOrigins []string

	// UserVerification is "required", "preferred" or "discouraged". Zero means
	// "preferred".
	UserVerification string

	// ResidentKey is "required", "preferred" or "discouraged" for new credentials. Zero
	// means "required": passkeys are discoverable credentials, which usernameless sign-in
	// needs.
	ResidentKey string

	// Attestation is the conveyance preference: "none", "indirect", "direct" or
	// "enterprise". Zero means "none".
	Attestation string

	// Timeout is how long the browser waits for the user. Zero means 5 minutes.
	Timeout time.Duration

	// ChallengeTTL is how long a begun ceremony may be finished. Zero means 5 minutes. It
	// may not be shorter than Timeout.
	ChallengeTTL time.Duration

	// MaxBodyBytes bounds the body of a finish request. Zero means 64 KiB.
	MaxBodyBytes int64

	// Cookie configures the cookies that bind each ceremony to the browser that began it.
	Cookie CookieConfig

	// ClientLimit bounds how fast one client may begin ceremonies (429 rate_limited past
	// it). The zero value is on: 30 at once, 1 per second after that, per remote address.
	ClientLimit ClientLimit

	// Store keeps pending ceremonies between begin and finish. Zero means a
	// NewMemoryStore with its default capacity, which suits one instance; apps that run
	// several instances behind a load balancer need a shared store (github.com/chirpkit/passkeys/redisstore).
	Store CeremonyStore

	// StoreTimeout bounds each call to Store: a store that has not answered by then (a
	// frozen Redis) gets the begin or finish answered 503 store_unavailable. Zero means
	// 2 seconds.
	StoreTimeout time.Duration

	// SignCount chooses what a signature counter that went backwards does. The zero
	// value, SignCountReject, rejects the login with sign_count_regressed.
	SignCount SignCountPolicy

	// Logger receives the details of failures that are not sent to the browser.
	// Zero means slog.Default().
	Logger *slog.Logger

	// Clock returns the current time. Zero means time.Now; tests inject their own.
	Clock func() time.Time
}

// CookieConfig configures the ceremony-binding cookies. Each begun ceremony gets a
// cookie of its own, named Name + "-" + 11 characters derived from its challenge, which
// holds a random secret (never the challenge), is HttpOnly, lives as long as the ceremony
// and is deleted by its finish. So any number of ceremonies of one browser may be pending
// at once, begun concurrently or not; a browser keeps at most 8 (a begin deletes the
// oldest).
type CookieConfig struct {
	// Name is the prefix of the cookies' names. Zero means "__Host-chirp-passkeys" when
	// the cookies are Secure and "chirp-passkeys" otherwise (the __Host- prefix requires
	// Secure).
	Name string

	// SameSite mode. Zero means http.SameSiteLaxMode.
	SameSite http.SameSite

	// Insecure drops the Secure attribute. By default the cookie is Secure when every
	// origin is https. Setting this under https is a deployment error (see Check).
	Insecure bool
}

// SignCountPolicy says what to do when an authenticator's signature counter did not
// increase, a sign that the authenticator may have been cloned. Authenticators that do
// not count (synced passkeys report 0 every time) are never affected.
type SignCountPolicy int

const (
	// SignCountReject rejects the login with the code sign_count_regressed.
	SignCountReject SignCountPolicy = iota
	// SignCountFlag lets the login through and sets AuthenticatedCredential.CloneWarning,
	// for apps that prefer to flag the credential and decide later.
	SignCountFlag
)

const (
	defaultTimeout      = 5 * time.Minute
	defaultChallengeTTL = 5 * time.Minute
	defaultMaxBody      = 64 << 10
	defaultStoreTimeout = 2 * time.Second
)
