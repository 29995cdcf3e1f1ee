// Package virtualauth runs passkey (WebAuthn) pages in headless Chromium
// with CDP virtual authenticators, so that a Go project can test its passkey
// sign-up and sign-in end to end with chromedp, in CI, without a security
// key or a person.
//
// # Use from tests
//
// One browser process serves the whole test binary; each test gets its own
// tab in a fresh browser context (its own cookies and storage, like an
// incognito window). Close the browser after the tests with Main:
//
//	func TestMain(m *testing.M) { os.Exit(virtualauth.Main(m)) }
//
//	func TestPasskeySignUp(t *testing.T) {
//		srv := virtualauth.NewServer(t, myApp)  // URL is http://localhost:PORT
//		tab := virtualauth.Tab(t)               // 30s deadline, closed at test end
//		auth, err := virtualauth.AddAuthenticator(tab, virtualauth.AuthenticatorOptions{})
//		if err != nil {
//			t.Fatal(err)
//		}
//		if err := virtualauth.Navigate(tab, srv.URL+"/signup"); err != nil {
//			t.Fatal(err)
//		}
//		// click with chromedp, or call the page's code:
//		var res any
//		if err := virtualauth.Eval(tab, `signUp("alice")`, &res); err != nil {
//			t.Fatal(err) // virtualauth.ErrorName(err) == "NotAllowedError", ...
//		}
//		creds, _ := auth.Credentials(tab) // what the authenticator stored
//		...
//	}
//
// The tab context is an ordinary chromedp context: chromedp.Do, chromedp.Run
// and chromedp.Call work on it. Tab logs the page's console messages and
// uncaught exceptions with t.Log, so a failing test shows them.
//
// When no browser is found, Shared and Tab fail the test with instructions;
// with the environment variable E2E=skip they skip it instead. FindChrome
// looks at $CHROME_PATH first, then the usual install paths.
// On Debian or Ubuntu: apt-get install chromium.
//
// # The authenticator
//
// The zero AuthenticatorOptions make a platform authenticator (ctap2,
// transport internal) that stores discoverable credentials, supports and
// passes user verification, and simulates user presence. Its methods turn
// the failure cases on: SetUserVerified(false) makes ceremonies that require
// user verification fail with NotAllowedError; SetSignCount rewinds the
// signature counter (a cloned authenticator); SetBogusSignature makes the
// signatures invalid, which the browser does not notice but the server must
// reject; RemoveCredential makes the authenticator forget a passkey that the
// server still knows.
//
// Virtual authenticators and the WebAuthn domain belong to one tab: a new tab
// (also one from NewTabIn) has WebAuthn enabled by this package but needs its
// own authenticator.
//
// # Why these browser settings
//
//   - Headless: no display in CI. Options.Visible shows a window for
//     debugging, if a display is available.
//   - --no-sandbox: Chromium refuses to start as root with its sandbox, and CI
//     containers often run as root. chromedp adds the flag by itself when the
//     process runs as root; do not add it otherwise.
//   - --disable-background-networking, --disable-component-update,
//     --disable-sync, --no-first-run (and --disable-domain-reliability,
//     --disable-field-trial-config, --no-pings): in a closed network (a CI
//     sandbox, a container without internet) Chromium's background services
//     try to reach Google at every start, and the refused connections slow the
//     start and fill the log. Tests need none of these services. Flags lists
//     the flags this package adds to chromedp's defaults.
//   - WebAuthn.enable with enableUI false, per tab: the domain is per target
//     (enabling it at the browser level fails), and adding an authenticator
//     before enabling it fails. NewTab and NewTabIn do it for every tab.
//   - automaticPresenceSimulation true, set explicitly: the CDP field is a
//     plain bool in Go, so leaving it out sends false, and every ceremony then
//     waits for a touch that never comes. The same holds for isUserVerified.
//     AuthenticatorOptions therefore only has negative fields
//     (DisablePresenceSimulation, FailUserVerification, ...): its zero value
//     is the working default.
//   - localhost, never 127.0.0.1: WebAuthn needs a domain as the RP ID, and
//     Chromium rejects an IP address. localhost is a secure context over plain
//     HTTP, so tests need no TLS. NewServer and Localhost give URLs with the
//     host localhost.
//
// A ceremony that never settles (no authenticator in the tab, presence
// simulation off, an RP ID that does not match the page) runs into the tab's
// deadline; Eval then says what to check. A hung ceremony also leaves
// "OperationError: A request is already pending" for the next call in the
// same tab, so start a new tab after one.
//
// # Cost
//
// Measured on a shared 2-core machine with Chromium 156: a browser start
// takes about 2 seconds, a new tab in a fresh browser context 0.5 to 1
// second (a new renderer process), a navigation to a local page about 0.1
// second, and a ceremony 20 to 50 milliseconds. Run one browser at a time:
// Shared keeps one per test binary, and the tests of one package can run in
// parallel in their own tabs.
package virtualauth
