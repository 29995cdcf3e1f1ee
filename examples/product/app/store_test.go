package app

import (
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/chirpkit/passkeys/server/credstoretest"
	"golang.org/x/crypto/bcrypt"
)

// TestStoreKeepsTheContract runs the CredentialStore checks on the app's SQLite store:
// IDs stored once, the sign count a compare-and-set, management of one's own passkeys
// only, the last one kept, each under concurrent writers.
func TestStoreKeepsTheContract(t *testing.T) {
	credstoretest.Run(t, func(t *testing.T) credstoretest.Harness {
		a, err := New(Options{DB: filepath.Join(t.TempDir(), "t.db"), RPID: "localhost", Origins: []string{"http://localhost"},
			BcryptCost: bcrypt.MinCost, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		var n atomic.Int32
		return credstoretest.Harness{
			Store: store{a},
			NewUser: func(t testing.TB) []byte {
				id, err := a.createUser(t.Context(), fmt.Sprint("user", n.Add(1)), []byte("a password hash"))
				if err != nil {
					t.Fatal(err)
				}
				var handle []byte
				if err := a.db.QueryRow("SELECT webauthn_id FROM users WHERE id = ?", id).Scan(&handle); err != nil {
					t.Fatal(err)
				}
				return handle
			},
		}
	})
}
