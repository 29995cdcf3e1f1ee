// Package passkeytest runs the passkey scenarios that every passkey app should pass
// against your app, in headless Chromium with virtual authenticators (package
// virtualauth), in one call:
//
//	func TestMain(m *testing.M) { os.Exit(passkeytest.Main(m)) }
//
//	func TestPasskeys(t *testing.T) {
//		passkeytest.Run(t, passkeytest.App{
//			Handler: func(t testing.TB, origin string) http.Handler {
//				a, err := app.New(app.Options{DB: filepath.Join(t.TempDir(), "app.db"), RPID: "localhost", Origins: []string{origin}})
//				if err != nil {
//					t.Fatal(err)
//				}
//				t.Cleanup(func() { a.Close() })
//				return a.Handler()
//			},
//			SignUp: passkeytest.Form("/signup", "#username", "#password"),
//			SignIn: passkeytest.Form("/login", "#username", "#password"),
//		})
//	}
//
// App describes the app: its URL, or a Handler that the suite serves on
// http://localhost:PORT (one app per scenario); how an account is created (SignUp) and a
// password sign-in done (SignIn) in its pages, Form building both for plain HTML forms;
// and how its pages start registration and sign-in. By default the suite calls the
// bridge's window.chirp.passkeys.registerWith and authenticateWith on the routes of the
// README (/auth/passkey/register/begin, …) in App.Page; Register and Authenticate replace
// that with the app's own buttons (see this package's test of examples/wasm). A tab is
// signed in as a user when App.Page shows the username (App.SignedIn replaces that), and
// signing out deletes its cookies (App.SignOut replaces that).
//
// # The scenarios
//
// Each is a subtest whose name says what it proves (the Scenario constants), run in
// parallel with the others, each in fresh browser contexts and, with Handler, on an app
// of its own:
//
//   - sign up, add a passkey, sign out, sign in with it (usernameless);
//   - username-first sign-in: an unknown username signs nobody in, and the user's
//     begin answer lists the user's passkey;
//   - password sign-in still works beside a passkey;
//   - a finish sent again is refused (with a passkey that counts nothing, as synced
//     passkeys do, so that only a single-use challenge can refuse it);
//   - a finish from another browser is refused (the ceremony is bound to the browser
//     that began it);
//   - a cancelled sign-in is shown as cancelled (passkeyReason "cancelled");
//   - the same device twice is shown as duplicate (excludeCredentials);
//   - a cloned authenticator (counter gone back) is refused;
//   - failed user verification does not sign in (and, when the app requires user
//     verification, an assertion without the UV flag is refused);
//   - a deleted passkey is refused (App.DeletePasskey, or else a passkey with the user's
//     handle that the app never registered);
//   - two registrations at once in two tabs of one browser both finish;
//   - a second sign-in supersedes a pending one (the first ends cancelled);
//   - ceremony requests without the CSRF token are refused (403);
//   - ceremony requests from another site are refused.
//
// A failure says what the app did and what a passkey app should do, for example:
//
//	--- FAIL: TestPasskeys/a_finish_sent_again_is_refused
//	    the app: answered 200 {"ok":true,"redirect":"/"} to the same finish request sent again after the sign-in
//	    a passkey app should: refuse it (4xx): a challenge is good for one finish, taken from the store before anything is verified
//
// Errors of the description itself (a hook that fails, a page without the field that
// Form looks for) start with "passkeytest:".
//
// # What the app does not support
//
// An app declares what it lacks, and the scenarios that need it are skipped because of
// the declaration alone, never because of an error: NoUsernameless (sign-ins then name
// the user), NoUsernameFirst, NoPasswords, NoCSRFToken (the app protects its routes with
// http.CrossOriginProtection alone, as server.Routes does, without a
// <meta name="csrf-token">).
//
// # Setting up the app for the suite
//
//   - RPID "localhost" and Origins []string{origin}: WebAuthn needs a domain, and the
//     suite serves the app on http://localhost:PORT.
//   - The core server limits begins per client (server.Config.ClientLimit: 30 at once,
//     then 1 a second per remote address). With Handler every scenario has an app of its
//     own and stays far below it; an app at URL serves every scenario from the loopback
//     address, so turn the limit off there (ClientLimit{Off: true}), or expect
//     429 rate_limited.
//   - The suite watches the page's fetch (it records the finish requests, whose JSON
//     body holds clientDataJSON, to send them again): pages must send ceremonies with
//     fetch, as the bridge does.
//
// # T
//
// Run takes a T, which *testing.T implements. Tests of a test suite pass a T that
// records instead of failing (a Runner, whose Run starts each scenario); this package's
// tests run the suite so on apps broken on purpose and check that it fails the right
// scenario.
//
// # Cost
//
// One Chromium process per test binary (virtualauth.Shared), one to three tabs per
// scenario. On a shared 2-core machine the 14 scenarios took 18 to 22 seconds per app
// with the machine's load around 13, and up to 27 seconds with it around 25.
package passkeytest
