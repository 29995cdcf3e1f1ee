package passkeytest_test

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/chirpkit/passkeys/e2e/passkeytest"
	"github.com/chirpkit/passkeys/examples/minimal/app"
)

// The whole test file of an app (here examples/minimal) is TestMain,
//
//	func TestMain(m *testing.M) { os.Exit(passkeytest.Main(m)) }
//
// and this test:
func Example() {
	TestPasskeys := func(t *testing.T) {
		passkeytest.Run(t, passkeytest.App{
			Handler: func(t testing.TB, origin string) http.Handler {
				a, err := app.New(app.Options{DB: filepath.Join(t.TempDir(), "app.db"), RPID: "localhost", Origins: []string{origin}})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { a.Close() })
				return a.Handler()
			},
			SignUp: passkeytest.Form("/signup", "#username", "#password"),
			SignIn: passkeytest.Form("/login", "#username", "#password"),
		})
	}
	_ = TestPasskeys
}

// An app like examples/chi, running already (with its ClientLimit off): accounts without
// passwords, no CSRF token, no username-first sign-in.
func Example_declarations() {
	TestPasskeys := func(t *testing.T) {
		passkeytest.Run(t, passkeytest.App{
			URL:             "http://localhost:8002",
			SignUp:          passkeytest.Form("/", "input[name=name]", ""),
			NoPasswords:     true,
			NoCSRFToken:     true,
			NoUsernameFirst: true,
		})
	}
	_ = TestPasskeys
}
