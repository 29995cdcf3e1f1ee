package passkeytest_test

import (
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/chirpkit/passkeys/e2e/passkeytest"
	"github.com/chirpkit/passkeys/examples/minimal/app"
	"golang.org/x/crypto/bcrypt"
)

func TestMain(m *testing.M) { passkeytestMain(m) }

// minimalApp starts examples/minimal for origin, with routes added by extra.
func minimalApp(extra func(*app.Options)) func(t testing.TB, origin string) http.Handler {
	return func(t testing.TB, origin string) http.Handler {
		o := app.Options{DB: filepath.Join(t.TempDir(), "demo.db"), RPID: "localhost", Origins: []string{origin},
			BcryptCost: bcrypt.MinCost, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		if extra != nil {
			extra(&o)
		}
		a, err := app.New(o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		return a.Handler()
	}
}

// TestMinimal runs the suite against examples/minimal with its own pages' forms and the
// bridge's default calls.
func TestMinimal(t *testing.T) {
	t.Parallel()
	passkeytest.Run(t, passkeytest.App{
		Handler:       minimalApp(nil),
		SignUp:        passkeytest.Form("/signup", "#username", "#password"),
		SignIn:        passkeytest.Form("/login", "#username", "#password"),
		DeletePasskey: func(p *passkeytest.Page) error { return deleteFromDashboard(p) },
	})
}

// deleteFromDashboard deletes the first passkey on examples/minimal's dashboard.
func deleteFromDashboard(p *passkeytest.Page) error {
	if err := p.Goto("/dashboard"); err != nil {
		return err
	}
	if err := p.ClickAndLoad(".delete-passkey"); err != nil {
		return err
	}
	return p.WaitFor(`document.getElementById("no-passkeys")`, 10e9)
}
