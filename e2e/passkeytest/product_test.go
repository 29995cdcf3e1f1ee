package passkeytest_test

import (
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/chirpkit/passkeys/e2e/passkeytest"
	"github.com/chirpkit/passkeys/examples/product/app"
	"golang.org/x/crypto/bcrypt"
)

// TestProduct runs the suite against examples/product (Lucky Cat) with its own sign-up
// and sign-in forms and the bridge's default calls on server.Routes.
func TestProduct(t *testing.T) {
	t.Parallel()
	passkeytest.Run(t, passkeytest.App{
		Handler: func(t testing.TB, origin string) http.Handler {
			a, err := app.New(app.Options{DB: filepath.Join(t.TempDir(), "lucky-cat.db"), RPID: "localhost", Origins: []string{origin},
				BcryptCost: bcrypt.MinCost, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
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
