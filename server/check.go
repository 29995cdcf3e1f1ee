package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// Severity of a Finding.
type Severity string

const (
	// SeverityError is a mistake that breaks passkeys or their security: do not ship.
	SeverityError Severity = "ERROR"
	// SeverityWarning is a choice that is likely wrong for the environment.
	SeverityWarning Severity = "WARNING"
)

// Finding is one result of Check.
type Finding struct {
	Severity Severity
	// ID is a stable name for the check, e.g. "passkeys.origin_http".
	ID      string
	Message string
	Fix     string
}

// String formats the finding as the check command prints it.
func (f Finding) String() string {
	return fmt.Sprintf("%s %s: %s\n    fix: %s", f.Severity, f.ID, f.Message, f.Fix)
}

// CheckOptions configures Check.
type CheckOptions struct {
	// Deploy checks a production posture: https only, a shared ceremony store.
	Deploy bool

	// Handler, if set, is the app's whole handler (the one the HTTP server runs). Check
	// sends it a few requests: a cross-site POST to the login begin route, a GET of the
	// bridge script, and a GET of Page. Without it those checks are not made.
	Handler http.Handler
	// RoutesPrefix of the ceremony routes. Zero means "/auth/passkey".
	RoutesPrefix string
	// ScriptPath where the injector serves the bridge. Zero means "/_chirp/passkeys.js".
	ScriptPath string
	// Page is an HTML page of the app that should carry the bridge. Zero means "/".
	Page string
}

// Check reviews the server's configuration, and, given the app's handler, how the app
// serves the passkey routes and the bridge, like a "check --deploy" before shipping. It
// returns findings, errors first; none means nothing was found.
func Check(s *Server, opts CheckOptions) []Finding {
	var errs, warns []Finding
	add := func(sev Severity, id, msg, fix string) {
		f := Finding{Severity: sev, ID: id, Message: msg, Fix: fix}
		if sev == SeverityError {
			errs = append(errs, f)
		} else {
			warns = append(warns, f)
		}
	}
	cfg := s.cfg
	anyHTTPS := false
	for _, o := range cfg.Origins {
		if strings.HasPrefix(o, "https://") {
			anyHTTPS = true
		} else if opts.Deploy {
			add(SeverityError, "passkeys.origin_http",
				fmt.Sprintf("origin %s is plain http; passkeys in production need https", o),
				"serve the site over https and list its https origin in Config.Origins (PASSKEY_ORIGIN)")
		}
	}
	if opts.Deploy && isLocalhost(cfg.RPID) {
		add(SeverityError, "passkeys.rp_id_localhost",
			fmt.Sprintf("RPID is %q: passkeys made for it work nowhere else", cfg.RPID),
			"set RPID (PASSKEY_RP_ID) to the site's registrable domain, e.g. example.com")
	}
	if anyHTTPS && !s.cookieSecure {
		add(SeverityError, "passkeys.cookie_insecure",
			"the ceremony cookie is not Secure although the site is served over https",
			"remove Config.Cookie.Insecure (and list only https origins)")
	}
	if _, ok := cfg.Store.(*MemoryStore); ok && opts.Deploy {
		add(SeverityWarning, "passkeys.memory_store",
			"ceremonies are kept in this process's memory: several instances behind a load balancer lose each other's challenges (challenge_missing), and a restart drops them",
			"use a shared store for Config.Store when running more than one instance (github.com/chirpkit/passkeys/redisstore)")
	}
	if cfg.ChallengeTTL > 10*time.Minute {
		add(SeverityWarning, "passkeys.challenge_ttl",
			fmt.Sprintf("ChallengeTTL is %s: a captured challenge stays usable that long", cfg.ChallengeTTL),
			"keep ChallengeTTL at a few minutes (default 5m)")
	}
	if cfg.SignCount == SignCountFlag {
		add(SeverityWarning, "passkeys.sign_count_flag",
			"sign-count regressions are only flagged: a cloned authenticator can sign in",
			"use SignCountReject, or act on AuthenticatedCredential.CloneWarning")
	}
	if opts.Handler != nil {
		probe(s, opts, add)
	}
	return append(errs, warns...)
}

// probe sends the app's handler the requests that show how it serves passkeys.
func probe(s *Server, opts CheckOptions, add func(Severity, string, string, string)) {
	prefix := strings.TrimSuffix(opts.RoutesPrefix, "/")
	if prefix == "" {
		prefix = "/auth/passkey"
	}
	origin := s.cfg.Origins[0]
	host := strings.TrimPrefix(strings.TrimPrefix(origin, "https://"), "http://")

	// A browser's cross-site POST: it must be refused before a ceremony is begun.
	req := httptest.NewRequest(http.MethodPost, origin+prefix+"/login/begin", strings.NewReader("{}"))
	req.Host = host
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://attacker.invalid")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := httptest.NewRecorder()
	opts.Handler.ServeHTTP(rec, req)
	began := rec.Code < 300 && bytes.Contains(rec.Body.Bytes(), []byte(`"challenge"`))
	switch {
	case rec.Code == http.StatusNotFound || rec.Code == http.StatusMethodNotAllowed || (rec.Code < 300 && !began):
		add(SeverityError, "passkeys.routes_missing",
			fmt.Sprintf("POST %s/login/begin answered %d without a challenge: the ceremony routes are not mounted there", prefix, rec.Code),
			"mount the routes (server.Routes or your own handlers), or pass their prefix to the check")
	case began:
		add(SeverityError, "passkeys.csrf",
			fmt.Sprintf("a cross-site POST to %s/login/begin was answered %d: the ceremony routes have no CSRF protection", prefix, rec.Code),
			"wrap the routes in http.NewCrossOriginProtection() (server.Routes does) and/or check an X-CSRF-Token")
	}

	if len(s.cfg.RelatedOrigins) > 0 {
		checkWellKnown(s, opts.Handler, add)
	}

	script := opts.ScriptPath
	if script == "" {
		script = "/_chirp/passkeys.js"
	}
	req = httptest.NewRequest(http.MethodGet, origin+script, nil)
	req.Host = host
	rec = httptest.NewRecorder()
	opts.Handler.ServeHTTP(rec, req)
	served := rec.Code == http.StatusOK && strings.Contains(rec.Header().Get("Content-Type"), "javascript")

	page := opts.Page
	if page == "" {
		page = "/"
	}
	req = httptest.NewRequest(http.MethodGet, origin+page, nil)
	req.Host = host
	req.Header.Set("Accept", "text/html")
	rec = httptest.NewRecorder()
	opts.Handler.ServeHTTP(rec, req)
	injected := bytes.Contains(rec.Body.Bytes(), []byte(`data-chirp="passkeys"`))
	switch {
	case !served && !injected:
		add(SeverityError, "passkeys.bridge_missing",
			fmt.Sprintf("the bridge is neither served at %s nor in the page %s: window.chirp.passkeys is undefined", script, page),
			"wrap the app's handler in injector.Middleware (on gin: ginpasskeys.Middleware)")
	case served && !injected:
		add(SeverityWarning, "passkeys.bridge_not_injected",
			fmt.Sprintf("the bridge is served at %s but the page %s (status %d) does not load it", script, page, rec.Code),
			"put the injector outside the handlers that render pages, or render injector.Tag in your layout")
	}
}

// checkWellKnown fetches https://{RPID}/.well-known/webauthn from the handler and reports
// each related origin the file does not list: the browser refuses that origin's ceremonies.
func checkWellKnown(s *Server, h http.Handler, add func(Severity, string, string, string)) {
	req := httptest.NewRequest(http.MethodGet, "https://"+s.cfg.RPID+WellKnownPath, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var body wellKnownBody
	ct := rec.Header().Get("Content-Type")
	if rec.Code != http.StatusOK || !strings.HasPrefix(ct, "application/json") || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
		add(SeverityError, "passkeys.well_known_missing",
			fmt.Sprintf("GET %s answered %d %q, not the JSON of the related origins: browsers refuse every related origin", WellKnownPath, rec.Code, ct),
			"serve Server.WellKnown at /.well-known/webauthn on the RP ID's host (Routes.Mount does)")
		return
	}
	listed := map[string]bool{}
	for _, o := range body.Origins {
		listed[o] = true
	}
	for _, o := range s.cfg.RelatedOrigins {
		if !listed[o] {
			add(SeverityError, "passkeys.related_origin_unlisted",
				fmt.Sprintf("related origin %s is not in the served %s: the browser refuses its ceremonies", o, WellKnownPath),
				"serve Server.WellKnown there, or add the origin to the file you serve")
		}
	}
}
