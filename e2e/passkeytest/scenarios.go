package passkeytest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/webauthn"
)

// scenario is one entry of the battery.
type scenario struct {
	name string
	skip func(*App) string // why the app's declarations rule it out, or ""
	run  func(*run)
}

func always(*App) string { return "" }

// The battery, in the order a person would read it.
var scenarios = []scenario{
	{ScenarioSignUpThenSignIn, always, signUpThenSignIn},
	{ScenarioUsernameFirst, func(a *App) string {
		if a.NoUsernameFirst {
			return "the app declares NoUsernameFirst: login/begin takes no username"
		}
		return ""
	}, usernameFirst},
	{ScenarioPassword, func(a *App) string {
		if a.NoPasswords {
			return "the app declares NoPasswords: accounts have no password"
		}
		return ""
	}, passwordBeside},
	{ScenarioReplay, always, replay},
	{ScenarioOtherBrowser, always, otherBrowser},
	{ScenarioCancelled, always, cancelled},
	{ScenarioDuplicate, always, duplicate},
	{ScenarioCloned, always, cloned},
	{ScenarioUserVerification, always, userVerification},
	{ScenarioDeleted, always, deleted},
	{ScenarioTwoAtOnce, always, twoAtOnce},
	{ScenarioSuperseded, always, superseded},
	{ScenarioCSRFToken, func(a *App) string {
		if a.NoCSRFToken {
			return "the app declares NoCSRFToken: it relies on the Origin and Sec-Fetch-Site headers"
		}
		return ""
	}, csrfToken},
	{ScenarioCrossSite, always, crossSite},
}

// Scenario names, for tests of this package and for -run patterns.
const (
	ScenarioSignUpThenSignIn = "sign up, add a passkey, sign out, sign in with it"
	ScenarioUsernameFirst    = "username-first sign-in"
	ScenarioPassword         = "password sign-in still works beside a passkey"
	ScenarioReplay           = "a finish sent again is refused"
	ScenarioOtherBrowser     = "a finish from another browser is refused"
	ScenarioCancelled        = "a cancelled sign-in is shown as cancelled"
	ScenarioDuplicate        = "the same device twice is shown as duplicate"
	ScenarioCloned           = "a cloned authenticator (counter gone back) is refused"
	ScenarioUserVerification = "failed user verification does not sign in"
	ScenarioDeleted          = "a deleted passkey is refused"
	ScenarioTwoAtOnce        = "two registrations at once in two tabs both finish"
	ScenarioSuperseded       = "a second sign-in supersedes a pending one"
	ScenarioCSRFToken        = "ceremony requests without the CSRF token are refused"
	ScenarioCrossSite        = "ceremony requests from another site are refused"
)

// Scenarios returns the names of the scenarios, in the order Run runs them.
func Scenarios() []string {
	names := make([]string, len(scenarios))
	for i, s := range scenarios {
		names[i] = s.name
	}
	return names
}

// --- reporting

// bad fails the scenario: what the app did, and what a passkey app should do.
func (r *run) bad(did, should string, args ...any) {
	r.t.Helper()
	r.t.Fatalf("\nthe app: "+did+"\na passkey app should: "+should, args...)
}

// must fails the scenario on an error of the browser or of a hook of the description.
func (r *run) must(err error, what string, args ...any) {
	r.t.Helper()
	if err != nil {
		r.t.Fatalf("passkeytest: %s: %v", fmt.Sprintf(what, args...), err)
	}
}

// --- the description's hooks, with their defaults

func (r *run) signUp(p *Page, username string) {
	r.t.Helper()
	r.must(r.app.SignUp(p, username), "App.SignUp(%q)", username)
	if r.app.SignedIn == nil {
		// The page that the sign-up led to usually greets the user: no need to load another.
		if text, err := p.Text(); err == nil && strings.Contains(text, username) {
			return
		}
	}
	if !r.signedIn(p, username) {
		r.must(fmt.Errorf("the tab is not signed in as %q after it (see App.SignedIn)", username), "App.SignUp(%q)", username)
	}
}

func (r *run) signOut(p *Page) {
	r.t.Helper()
	var err error
	if r.app.SignOut != nil {
		err = r.app.SignOut(p)
	} else {
		err = p.clearCookies()
	}
	r.must(err, "App.SignOut")
}

// checkSignedOut checks the description's SignOut (the default, deleting the cookies,
// needs no check).
func (r *run) checkSignedOut(p *Page, username string) {
	r.t.Helper()
	if r.app.SignOut != nil && r.signedIn(p, username) {
		r.must(fmt.Errorf("the tab is still signed in as %q", username), "App.SignOut")
	}
}

func (r *run) signedIn(p *Page, username string) bool {
	r.t.Helper()
	if r.app.SignedIn != nil {
		ok, err := r.app.SignedIn(p, username)
		r.must(err, "App.SignedIn(%q)", username)
		return ok
	}
	r.must(p.Goto(r.app.Page), "loading the app's Page")
	text, err := p.Text()
	r.must(err, "reading %s", r.app.Page)
	return strings.Contains(text, username)
}

func (r *run) register(p *Page) Outcome {
	r.t.Helper()
	if r.app.Register != nil {
		o, err := r.app.Register(p)
		r.must(err, "App.Register")
		return o
	}
	r.must(p.Open(r.app.Page), "loading the app's Page")
	o, err := p.Bridge(`window.chirp.passkeys.registerWith({begin: ` + jsString(r.app.Prefix+"/register/begin") +
		`, finish: ` + jsString(r.app.Prefix+"/register/finish") + `})`)
	r.must(err, "registerWith in %s", r.app.Page)
	return o
}

// authenticate signs in, usernameless unless the app declares NoUsernameless (then with
// username) or username-first is asked for.
func (r *run) authenticate(p *Page, username string) Outcome {
	r.t.Helper()
	if r.app.Authenticate != nil {
		o, err := r.app.Authenticate(p, username)
		r.must(err, "App.Authenticate(%q)", username)
		return o
	}
	r.must(p.Open(r.app.Page), "loading the app's Page")
	o, err := p.Bridge(r.authenticateCall(username))
	r.must(err, "authenticateWith in %s", r.app.Page)
	return o
}

func (r *run) authenticateCall(username string) string {
	extra := ""
	if username != "" {
		extra = `, body: {username: ` + jsString(username) + `}`
	}
	return `window.chirp.passkeys.authenticateWith({begin: ` + jsString(r.app.Prefix+"/login/begin") +
		`, finish: ` + jsString(r.app.Prefix+"/login/finish") + extra + `})`
}

// signInName is the username for a plain passkey sign-in: "" (usernameless) unless the
// app declares NoUsernameless.
func (r *run) signInName(username string) string {
	if r.app.NoUsernameless {
		return username
	}
	return ""
}

// registered signs up a new user in a new tab, adds a passkey and signs out. The tab's
// authenticator holds the passkey, whose ID is returned.
func (r *run) registered() (*Page, string, []byte) {
	r.t.Helper()
	return r.registeredAs(r.newPage(), false)
}

// registeredAs is registered in p; with synced, the passkey counts nothing, like a synced
// passkey (its registration reports the counter 0, and so does every sign-in).
func (r *run) registeredAs(p *Page, synced bool) (*Page, string, []byte) {
	r.t.Helper()
	u := r.username("ada")
	if synced {
		r.must(p.Goto(r.app.Page), "loading the app's Page")
		r.must(p.Eval(`localStorage.setItem("pkt-synced", "1")`, nil), "marking the passkey synced")
	}
	r.signUp(p, u)
	if o := r.register(p); !o.OK {
		r.bad("refused a passkey registration of a signed-in user: %v", "register the passkey", o)
	}
	creds, err := p.auth.Credentials(p.ctx)
	r.must(err, "listing the authenticator's credentials")
	if len(creds) != 1 {
		r.bad("answered the registration ok, but the authenticator holds %d credentials", "have the browser create one passkey", len(creds))
	}
	id := creds[0].CredentialID
	if synced {
		var zeroed int
		r.must(p.Eval(`localStorage.removeItem("pkt-synced"); window.__pkt.zeroed || 0`, &zeroed), "reading the registration")
		if zeroed == 0 {
			// Its authenticator data is signed: the passkey keeps its counter, which may
			// refuse a replay by itself.
			r.t.Logf("passkeytest: the app asks for an attestation other than \"none\": the passkey keeps its counter")
		} else {
			r.must(p.auth.SetSignCount(p.ctx, id, -1), "removing the passkey's counter")
		}
	}
	r.signOut(p)
	r.checkSignedOut(p, u)
	return p, u, id
}

// signIn signs in with the passkey and checks that it worked.
func (r *run) signIn(p *Page, username, what string) Outcome {
	r.t.Helper()
	o := r.authenticate(p, r.signInName(username))
	if !o.OK {
		r.bad("refused %s: %v", "sign the user in", what, o)
	}
	if !r.signedIn(p, username) {
		r.bad("answered %s ok, but the tab is not signed in as %q", "sign the user in", what, username)
	}
	return o
}

// refused checks that a passkey sign-in did not succeed and left the tab signed out.
func (r *run) refused(p *Page, o Outcome, username, what, should string) {
	r.t.Helper()
	if o.OK {
		r.bad("accepted %s (the sign-in succeeded)", should, what)
	}
	if r.signedIn(p, username) {
		r.bad("answered %s with %v, but the tab is signed in as %q", should, what, o, username)
	}
}

// --- the scenarios

func signUpThenSignIn(r *run) {
	p := r.newPage()
	u := r.username("ada")
	r.signUp(p, u)
	if o := r.register(p); !o.OK {
		r.bad("refused a passkey registration of a signed-in user: %v", "register the passkey", o)
	}
	creds, err := p.auth.Credentials(p.ctx)
	r.must(err, "listing the authenticator's credentials")
	if len(creds) != 1 {
		r.bad("answered the registration ok, but the authenticator holds %d credentials", "have the browser create one passkey", len(creds))
	}
	if !r.app.NoUsernameless && !creds[0].IsResidentCredential {
		r.bad("registered a passkey that is not discoverable (residentKey not required)",
			"ask for a discoverable credential (residentKey \"required\"), which usernameless sign-in needs; or declare NoUsernameless")
	}
	r.signOut(p)
	r.checkSignedOut(p, u)
	how := "a usernameless passkey sign-in"
	if r.app.NoUsernameless {
		how = "a passkey sign-in with the username"
	}
	r.signIn(p, u, how)
}

func usernameFirst(r *run) {
	p, u, id := r.registered()
	unknown := r.username("nobody")
	o := r.authenticate(p, unknown)
	if o.OK || r.signedIn(p, unknown) || r.signedIn(p, u) {
		r.bad("signed someone in for the unknown username %q (%v)", "refuse it (a 400, or an allow list no authenticator holds)", unknown, o)
	}
	o = r.authenticate(p, u)
	if !o.OK {
		r.bad("refused a username-first sign-in of %q with its passkey: %v", "sign the user in", u, o)
	}
	if !r.signedIn(p, u) {
		r.bad("answered a username-first sign-in ok, but the tab is not signed in as %q", "sign the user in", u)
	}
	begin, err := p.lastBegin()
	r.must(err, "reading the begin answer")
	allow, _ := begin["allowCredentials"].([]any)
	want := base64.RawURLEncoding.EncodeToString(id)
	for _, a := range allow {
		if m, _ := a.(map[string]any); m != nil && strings.TrimRight(fmt.Sprint(m["id"]), "=") == want {
			return
		}
	}
	r.bad("answered login/begin for %q with allowCredentials %v, without the user's passkey",
		"list the user's passkeys in allowCredentials", u, begin["allowCredentials"])
}

func passwordBeside(r *run) {
	if r.app.SignIn == nil {
		r.must(fmt.Errorf("App.SignIn is nil"), "describe the password sign-in (Form), or declare NoPasswords")
	}
	p, u, _ := r.registered()
	// The device without the passkey: a login page that starts autofill must not sign in
	// with it instead of the password.
	r.must(p.auth.ClearCredentials(p.ctx), "clearing the authenticator")
	r.must(r.app.SignIn(p, u), "App.SignIn(%q)", u)
	if !r.signedIn(p, u) {
		r.bad("did not sign %q in with the right password after a passkey was added", "keep the password sign-in working", u)
	}
}

func replay(r *run) {
	// A synced passkey, without a counter: the signature counter cannot catch a replay
	// then; only a single-use challenge can.
	p, u, _ := r.registeredAs(r.newPage(), true)
	r.signIn(p, u, "a passkey sign-in")
	fin, err := p.finishes()
	r.must(err, "reading the recorded finish")
	if len(fin) == 0 {
		r.must(fmt.Errorf("no finish request was seen (the page's fetch sends a JSON body with clientDataJSON)"), "recording the finish")
	}
	last := fin[len(fin)-1]
	r.must(p.Goto(r.app.Page), "loading the app's Page") // a fresh CSRF token, if the sign-in rotated it
	a, err := p.resend(last)
	r.must(err, "sending the finish again")
	if a.Status < 400 {
		r.bad("answered %v to the same finish request sent again after the sign-in", "refuse it (4xx): a challenge is good for one finish, taken from the store before anything is verified", a)
	}
	r.signOut(p)
	r.must(p.Goto(r.app.Page), "loading the app's Page")
	a, err = p.resend(last)
	r.must(err, "sending the finish again")
	if a.Status < 400 || r.signedIn(p, u) {
		r.bad("answered %v to the finish request sent again after signing out", "refuse it and leave the browser signed out", a)
	}
}

func otherBrowser(r *run) {
	p, u, _ := r.registered()
	r.must(p.Open(r.app.Page), "loading the app's Page")
	r.must(p.Eval(`localStorage.setItem("pkt-hold", "1")`, nil), "holding finishes back")
	o := r.authenticate(p, r.signInName(u))
	r.must(p.Eval(`localStorage.removeItem("pkt-hold")`, nil), "releasing finishes")
	fin, err := p.finishes()
	r.must(err, "reading the recorded finish")
	if len(fin) == 0 {
		r.must(fmt.Errorf("no finish request was seen (%v)", o), "recording the finish")
	}
	q := r.newPage() // another browser: its own cookies
	r.must(q.Goto(r.app.Page), "loading the app's Page in another browser")
	a, err := q.resend(fin[len(fin)-1])
	r.must(err, "sending the finish from another browser")
	if a.Status < 400 {
		r.bad("answered %v to a finish sent from another browser than the one that began the sign-in",
			"refuse it: bind each ceremony to the browser that began it (a cookie), so that a stolen response signs nobody in", a)
	}
	if r.signedIn(q, u) {
		r.bad("signed the other browser in as %q with a response from the first", "refuse it", u)
	}
}

func cancelled(r *run) {
	p, u, _ := r.registered()
	// A device without the passkey: the browser answers NotAllowedError at once, as when
	// the person dismisses the dialog.
	r.must(p.auth.ClearCredentials(p.ctx), "clearing the authenticator")
	o := r.authenticate(p, r.signInName(u))
	r.refused(p, o, u, "a sign-in the person cancelled", "report it cancelled")
	if o.Reason != "cancelled" {
		r.bad("reported a cancelled sign-in as %v", "report passkeyReason \"cancelled\" (a page then shows nothing, or \"try again\")", o)
	}
}

func duplicate(r *run) {
	p := r.newPage()
	u := r.username("grace")
	r.signUp(p, u)
	if o := r.register(p); !o.OK {
		r.bad("refused a passkey registration of a signed-in user: %v", "register the passkey", o)
	}
	o := r.register(p)
	if o.OK {
		r.bad("registered a second passkey on a device that already has one for the account",
			"list the user's passkeys in excludeCredentials, so that the browser refuses (passkeyReason \"duplicate\")")
	}
	if o.Reason != "duplicate" {
		r.bad("reported a second registration on the same device as %v", "report passkeyReason \"duplicate\"", o)
	}
}

func cloned(r *run) {
	p, u, id := r.registered()
	for i := 0; i < 2; i++ {
		r.signIn(p, u, "a passkey sign-in")
		r.signOut(p)
	}
	c, err := p.auth.Credential(p.ctx, id)
	r.must(err, "reading the passkey's counter")
	if c.SignCount < 2 {
		r.must(fmt.Errorf("the counter is %v after two sign-ins", c.SignCount), "counting")
	}
	// A copy of the authenticator, made before the two sign-ins.
	r.must(p.auth.SetSignCount(p.ctx, id, 0), "setting the counter back")
	o := r.authenticate(p, r.signInName(u))
	r.refused(p, o, u, "a sign-in whose signature counter went back (1 after 2)",
		"refuse it (sign_count_regressed): the passkey was copied; compare the counter with the stored one, and store the new one as a compare-and-set")
}

func userVerification(r *run) {
	p, u, _ := r.registered()
	r.must(p.auth.SetUserVerified(p.ctx, false), "failing user verification")
	o := r.authenticate(p, r.signInName(u))
	r.refused(p, o, u, "a sign-in whose user verification failed", "not sign in; the browser reports it cancelled")
	r.must(p.auth.SetUserVerified(p.ctx, true), "restoring user verification")
	begin, err := p.lastBegin()
	r.must(err, "reading the begin answer")
	if uv, _ := begin["userVerification"].(string); uv != "required" {
		r.t.Logf("the app asks userVerification %q: an assertion without the UV flag is its choice, not checked", uv)
		return
	}
	// The app requires user verification: an authenticator that says it did not verify
	// must be refused by the server.
	r.must(p.auth.SetBadUV(p.ctx, true), "clearing the UV flag")
	o = r.authenticate(p, r.signInName(u))
	r.refused(p, o, u, "an assertion without the UV flag although it asked userVerification \"required\"",
		"refuse it: verify the UV flag when user verification is required")
}

func deleted(r *run) {
	p, u, id := r.registered()
	if r.app.DeletePasskey != nil {
		r.signIn(p, u, "a passkey sign-in")
		r.must(r.app.DeletePasskey(p), "App.DeletePasskey")
		r.signOut(p)
	} else {
		// In place of a deletion: a passkey with the user's handle that the app never
		// registered (deleted from its table, or made elsewhere).
		creds, err := p.auth.Credentials(p.ctx)
		r.must(err, "listing the authenticator's credentials")
		var orig *webauthn.Credential
		for _, c := range creds {
			if bytes.Equal(c.CredentialID, id) {
				orig = c
			}
		}
		if orig == nil {
			r.must(fmt.Errorf("the passkey is gone"), "finding the passkey")
		}
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		r.must(err, "making a key")
		der, err := x509.MarshalPKCS8PrivateKey(key)
		r.must(err, "encoding the key")
		fake := make([]byte, 16)
		_, _ = rand.Read(fake)
		r.must(p.auth.RemoveCredential(p.ctx, id), "removing the passkey")
		r.must(p.auth.AddCredential(p.ctx, &webauthn.Credential{CredentialID: fake, IsResidentCredential: true,
			RpID: orig.RpID, PrivateKey: der, UserHandle: orig.UserHandle, UserName: orig.UserName}), "adding the unregistered passkey")
	}
	o := r.authenticate(p, r.signInName(u))
	r.refused(p, o, u, "a sign-in with a passkey it does not have (deleted)",
		"refuse it (unknown_credential): look the credential ID up in its table")
}

func twoAtOnce(r *run) {
	p := r.newPage()
	u := r.username("ada")
	r.signUp(p, u)
	q := r.pageIn(p)
	// Both tabs' finishes wait until both have begun: two ceremonies pending at once in
	// one browser.
	r.must(p.Eval(`(() => { for (const k of Object.keys(localStorage)) if (k.startsWith("pkt-begun-")) localStorage.removeItem(k);
		localStorage.setItem("pkt-gate", "2"); })()`, nil), "gating the finishes")
	defer p.Eval(`localStorage.removeItem("pkt-gate")`, nil)
	var wg sync.WaitGroup
	outs := make([]Outcome, 2)
	errs := make([]error, 2)
	for i, pg := range []*Page{p, q} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r.app.Register != nil {
				outs[i], errs[i] = r.app.Register(pg)
				return
			}
			if errs[i] = pg.Open(r.app.Page); errs[i] != nil {
				return
			}
			outs[i], errs[i] = pg.Bridge(`window.chirp.passkeys.registerWith({begin: ` + jsString(r.app.Prefix+"/register/begin") +
				`, finish: ` + jsString(r.app.Prefix+"/register/finish") + `})`)
		}()
	}
	wg.Wait()
	for i := range outs {
		r.must(errs[i], "registering in tab %d", i+1)
	}
	for i, o := range outs {
		if !o.OK {
			r.bad("refused the registration of tab %d while tab %d's was pending too: %v",
				"finish both: keep each pending ceremony apart (a binding cookie per ceremony, not one per browser)", i+1, 2-i, o)
		}
	}
}

func superseded(r *run) {
	p, u, _ := r.registered()
	r.must(p.Goto(r.app.Page), "loading the app's Page")
	// The first sign-in waits (the person does not answer) until something aborts it. Its
	// outcome goes to sessionStorage: the second sign-in may reload the page.
	r.must(p.Eval(`window.__pkt.stallNext = true; sessionStorage.removeItem("pkt-first"); `+outcomeJS(r.authenticateCall(r.signInName(u)))+
		`.then((v) => { sessionStorage.setItem("pkt-first", JSON.stringify(v)); }); null`, nil), "starting the first sign-in")
	r.must(p.WaitFor(`window.__pkt.gets >= 1`, 10*time.Second), "waiting for the first sign-in to reach navigator.credentials.get")
	p.keep = true
	o := r.authenticate(p, r.signInName(u))
	p.keep = false
	if !o.OK {
		r.bad("refused a sign-in started while another was pending in the same page: %v", "sign the user in with the second", o)
	}
	var first bridgeResult
	var firstJSON string
	r.must(p.WaitFor(`sessionStorage.getItem("pkt-first") !== null`, 10*time.Second), "waiting for the first sign-in to end")
	r.must(p.Eval(`sessionStorage.getItem("pkt-first")`, &firstJSON), "reading the first sign-in")
	r.must(json.Unmarshal([]byte(firstJSON), &first), "decoding the first sign-in")
	if f := first.outcome(); f.OK || f.Reason != "cancelled" {
		r.bad("ended the superseded first sign-in with %v", "report it cancelled (code superseded)", f)
	}
	if !r.signedIn(p, u) {
		r.bad("answered the second sign-in ok, but the tab is not signed in as %q", "sign the user in", u)
	}
}

func csrfToken(r *run) {
	p := r.newPage()
	u := r.username("ada")
	r.signUp(p, u)
	r.must(p.Goto(r.app.Page), "loading the app's Page")
	var token string
	r.must(p.Eval(`(document.querySelector('meta[name="csrf-token"]') || {}).content || ""`, &token), "reading the CSRF token")
	if token == "" {
		r.bad("serves %s without <meta name=\"csrf-token\">", "put the session's CSRF token there (the bridge sends it as X-CSRF-Token), or declare NoCSRFToken", r.app.Page)
	}
	paths := []string{"/register/begin", "/register/finish", "/login/begin", "/login/finish"}
	for _, path := range paths {
		for _, c := range []struct {
			with bool
			tok  string
			desc string
		}{{false, "", "without the X-CSRF-Token header"}, {true, "wrong-" + token, "with a wrong X-CSRF-Token"}} {
			a, err := p.post(r.app.Prefix+path, "{}", c.with, c.tok)
			r.must(err, "posting to %s", path)
			if a.Status != http.StatusForbidden {
				r.bad("answered %v to a POST %s %s", "refuse it with 403 before anything else", a, r.app.Prefix+path, c.desc)
			}
		}
	}
	a, err := p.post(r.app.Prefix+"/login/begin", "{}", true, "")
	r.must(err, "posting to login/begin")
	if a.Status != http.StatusOK {
		r.bad("answered %v to POST %s with the page's token", "begin a sign-in (200)", a, r.app.Prefix+"/login/begin")
	}
}

func crossSite(r *run) {
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><title>elsewhere</title><p>Win a prize!</p>")
	}))
	defer attacker.Close()
	port := attacker.Listener.Addr().(*net.TCPAddr).Port
	p := r.newPage()
	target := r.url + r.app.Prefix + "/login/begin"
	for _, origin := range []string{fmt.Sprintf("http://127.0.0.1:%d", port), fmt.Sprintf("http://localhost:%d", port)} {
		r.must(p.Goto(origin+"/"), "loading a page of another site")
		// A form (text/plain, empty body: what login/begin accepts) posted to the app.
		r.must(p.Navigating(func() error {
			return p.Eval(`(() => { const f = document.createElement("form"); f.method = "POST"; f.enctype = "text/plain";
				f.action = `+jsString(target)+`; document.body.append(f); f.submit(); })()`, nil)
		}), "posting a form from %s", origin)
		var st struct {
			Status int    `json:"status"`
			Href   string `json:"href"`
		}
		r.must(p.Eval(`({status: (performance.getEntriesByType("navigation")[0] || {}).responseStatus || 0, href: location.href})`, &st), "reading the answer")
		if !strings.HasPrefix(st.Href, r.url) {
			r.must(fmt.Errorf("the form led to %s", st.Href), "posting a form from %s", origin)
		}
		if st.Status == 0 || st.Status < 400 {
			r.bad("answered %d to a form POSTed to %s from the page %s", "refuse cross-origin POSTs (403): http.CrossOriginProtection, or a CSRF token",
				st.Status, r.app.Prefix+"/login/begin", origin)
		}
	}
}
