package passkeytest

import (
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chirpkit/passkeys/e2e/virtualauth"
)

// T is the test that Run reports to. *testing.T implements it: each scenario is then a
// subtest (t.Run), run in parallel with the others.
//
// Any other testing.TB works too. If it has a method Run(name string, f func(T)) bool
// (see Runner), the scenarios are its subtests; otherwise they run one after the other
// on t itself, and each message starts with the scenario's name.
type T interface {
	testing.TB
}

// Runner is a T that runs subtests of its own, such as a recorder in a test of a test
// suite. Run must call f with a T of the subtest, in a goroutine that f may end with
// runtime.Goexit (FailNow, Fatal, SkipNow), and may return before f does.
type Runner interface {
	T
	Run(name string, f func(T)) bool
}

// App describes the app under test: where it runs, how a person uses its pages, and
// what it does not support.
type App struct {
	// URL is the origin of a running app (http://localhost:PORT; WebAuthn needs a
	// domain, so not 127.0.0.1). Give URL or Handler.
	URL string

	// Handler starts the app for origin (http://localhost:PORT on a free port, the one
	// the app's server.Config.Origins must list, with RPID "localhost"). The suite
	// calls it once per scenario, so that each scenario has an app of its own; t is the
	// scenario's test, for t.TempDir, t.Cleanup and t.Fatal.
	Handler func(t testing.TB, origin string) http.Handler

	// SignUp creates an account named username in the page and leaves the tab signed
	// in as it. Required. Form builds one for a sign-up form.
	SignUp func(p *Page, username string) error

	// SignIn signs username in with the password that SignUp chose (Password, with
	// Form). Required unless NoPasswords.
	SignIn func(p *Page, username string) error

	// SignOut signs the tab out. Zero means: delete the tab's cookies.
	SignOut func(p *Page) error

	// SignedIn reports whether the tab is signed in as username. Zero means: the app's
	// Page, loaded afresh, shows username somewhere in its text.
	SignedIn func(p *Page, username string) (bool, error)

	// Register starts a passkey registration in the signed-in tab, as the app's page
	// does, and returns how it ended. Zero means the bridge's registerWith on the
	// Prefix routes, called in Page (see the README).
	Register func(p *Page) (Outcome, error)

	// Authenticate starts a passkey sign-in, usernameless when username is "", and
	// returns how it ended. Zero means the bridge's authenticateWith on the Prefix
	// routes, called in Page, with the body {"username": username} when one is given.
	Authenticate func(p *Page, username string) (Outcome, error)

	// DeletePasskey deletes the signed-in user's passkey in the page (the user has one).
	// Zero means: the scenario "a deleted passkey is refused" uses a passkey the app
	// never registered, with the user's handle, in its place.
	DeletePasskey func(p *Page) error

	// Page is the path of a page that loads the bridge, where the default Register and
	// Authenticate run and whose text SignedIn reads. Zero means "/".
	Page string

	// Prefix of the four ceremony routes (Prefix/register/begin, …/finish,
	// Prefix/login/begin, …/finish). Zero means "/auth/passkey".
	Prefix string

	// What the app does not support: the scenarios that need it are skipped, because
	// of these declarations alone.

	// NoUsernameless: every passkey sign-in names the user (the suite signs in
	// username-first).
	NoUsernameless bool
	// NoUsernameFirst: login/begin takes no username.
	NoUsernameFirst bool
	// NoPasswords: accounts have no password (SignIn is not used).
	NoPasswords bool
	// NoCSRFToken: the app protects its ceremony routes against cross-site requests
	// from the Origin and Sec-Fetch-Site headers alone (http.CrossOriginProtection, as
	// server.Routes does), without a token in <meta name="csrf-token">.
	NoCSRFToken bool

	// Sequential runs the scenarios one after the other instead of in parallel.
	Sequential bool

	// Scenarios, if not empty, runs only the scenarios of these names (the Scenario
	// constants); zero runs them all.
	Scenarios []string
}

// Outcome is how a passkey ceremony started in the page ended: OK, or the bridge's
// PasskeyError.
type Outcome struct {
	OK bool
	// Redirect is the finish answer's redirect, if any.
	Redirect string
	// Reason is the error's passkeyReason: cancelled, duplicate, misconfigured,
	// unsupported or failed.
	Reason string
	// Code is the error's code (user_cancelled, server_rejected, …).
	Code string
	// Status and ServerCode are the server's answer, for server_rejected.
	Status     int
	ServerCode string
	// Message is the error's message.
	Message string
}

func (o Outcome) String() string {
	if o.OK {
		return "signed in / registered (ok)"
	}
	s := fmt.Sprintf("error passkeyReason=%q code=%q", o.Reason, o.Code)
	if o.Status != 0 || o.ServerCode != "" {
		s += fmt.Sprintf(" status=%d serverCode=%q", o.Status, o.ServerCode)
	}
	return s
}

// Password is the password that Form types into a password field.
const Password = "correct horse battery staple"

// Main runs the tests and closes the shared browser after them:
//
//	func TestMain(m *testing.M) { os.Exit(passkeytest.Main(m)) }
func Main(m *testing.M) int { return virtualauth.Main(m) }

// Run runs the battery of passkey scenarios against app, each as a subtest of t with a
// name a person reads. It needs Chromium (see package virtualauth; E2E=skip skips).
func Run(t T, app App) {
	t.Helper()
	if app.URL == "" && app.Handler == nil {
		t.Fatalf("passkeytest: App needs URL or Handler")
		return
	}
	if app.SignUp == nil {
		t.Fatalf("passkeytest: App needs SignUp (how an account is created in the page; see Form)")
		return
	}
	if app.Page == "" {
		app.Page = "/"
	}
	if app.Prefix == "" {
		app.Prefix = "/auth/passkey"
	}
	app.Prefix = strings.TrimSuffix(app.Prefix, "/")
	app.URL = strings.TrimSuffix(app.URL, "/")
	for _, sc := range scenarios {
		if len(app.Scenarios) > 0 && !slices.Contains(app.Scenarios, sc.name) {
			continue
		}
		subtest(t, sc.name, !app.Sequential, func(t T) {
			if skip := sc.skip(&app); skip != "" {
				t.Skip(skip)
				return
			}
			r := &run{t: t, app: &app, scenario: sc.name}
			r.url = r.start()
			sc.run(r)
		})
	}
}

// subtest runs f as a subtest of t named name.
func subtest(t T, name string, parallel bool, f func(T)) {
	switch tt := t.(type) {
	case *testing.T:
		tt.Run(name, func(st *testing.T) {
			if parallel {
				st.Parallel()
			}
			f(st)
		})
	case Runner:
		tt.Run(name, f)
	default:
		f(&named{T: t, name: name})
	}
}

// named prefixes the messages of a scenario run on its parent T.
type named struct {
	T
	name string
}

func (n *named) Errorf(format string, args ...any) { n.T.Errorf(n.name+": "+format, args...) }
func (n *named) Fatalf(format string, args ...any) { n.T.Fatalf(n.name+": "+format, args...) }
func (n *named) Logf(format string, args ...any)   { n.T.Logf(n.name+": "+format, args...) }
func (n *named) Error(args ...any)                 { n.T.Error(append([]any{n.name + ":"}, args...)...) }
func (n *named) Fatal(args ...any)                 { n.T.Fatal(append([]any{n.name + ":"}, args...)...) }
func (n *named) Log(args ...any)                   { n.T.Log(append([]any{n.name + ":"}, args...)...) }

// run is one scenario's state.
type run struct {
	t        T
	app      *App
	scenario string
	url      string // the app's origin

	mu    sync.Mutex
	pages []*Page
}

// start returns the origin of the app for this scenario, starting one with Handler.
func (r *run) start() string {
	if r.app.Handler == nil {
		return r.app.URL
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		r.t.Fatalf("passkeytest: listening: %v", err)
	}
	origin := fmt.Sprintf("http://localhost:%d", ln.Addr().(*net.TCPAddr).Port)
	h := r.app.Handler(r.t, origin)
	if h == nil {
		ln.Close()
		r.t.Fatalf("passkeytest: App.Handler returned a nil handler")
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	r.t.Cleanup(srv.Close)
	return origin
}

// username returns a fresh username for this scenario.
func (r *run) username(base string) string {
	return base + "-" + strings.ToLower(rand.Text()[:8])
}
