package server_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/chirpkit/passkeys/server"
)

// New rejects configuration mistakes at construction, naming the fix.
func ExampleNew() {
	_, err := server.New(server.Config{RPID: "example.com", Origins: []string{"https://example.com/"}})
	fmt.Println(err)

	_, err = server.New(server.Config{RPID: "github.io", Origins: []string{"https://me.github.io"}})
	fmt.Println(err)
	// Output:
	// passkeys: origin "https://example.com/" has a path, query or trailing slash: an origin is only scheme://host[:port], e.g. https://example.com
	// passkeys: RPID "github.io" is a public suffix, under which anyone can register names: use your own domain below it (e.g. yourapp.github.io)
}

// The four verbs in net/http handlers: the library owns the verb, the app owns the row.
func ExampleServer() {
	pk, err := server.New(server.Config{RPID: "localhost", Origins: []string{"http://localhost:8000"}})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/passkey/register/begin", func(w http.ResponseWriter, r *http.Request) {
		u := server.User{ID: []byte("random-32-byte-user-handle......"), Name: "ada"} // the signed-in user
		_ = pk.BeginRegistration(w, r, u, server.RegistrationOptions{})
	})
	mux.HandleFunc("POST /auth/passkey/register/finish", func(w http.ResponseWriter, r *http.Request) {
		cred, err := pk.FinishRegistration(w, r)
		if err != nil {
			return // answered: 4xx {"error": ..., "code": ...}
		}
		_ = cred // check cred.UserID is the signed-in user's, then store the row
		_ = server.WriteJSON(w, map[string]bool{"ok": true})
	})
	mux.HandleFunc("POST /auth/passkey/login/begin", func(w http.ResponseWriter, r *http.Request) {
		_ = pk.BeginAuthentication(w, r, server.AuthenticationOptions{})
	})
	mux.HandleFunc("POST /auth/passkey/login/finish", func(w http.ResponseWriter, r *http.Request) {
		lookup := func(ctx context.Context, id []byte) (server.StoredCredential, error) {
			return nil, server.ErrUnknownCredential // the app's credential table
		}
		got, err := pk.FinishAuthentication(w, r, lookup)
		if err != nil {
			return
		}
		_ = got // store got.SignCount, sign in got.UserID
		_ = server.WriteJSON(w, map[string]any{"ok": true, "redirect": "/"})
	})
	_ = http.CrossOriginProtection{} // wrap mux in http.NewCrossOriginProtection().Handler in a real app
}

// Routes serves the four ceremony routes on the app's mux, over the app's credential table
// and its session.
func ExampleRoutes() {
	pk, err := server.New(server.Config{RPID: "localhost", Origins: []string{"http://localhost:8000"}})
	if err != nil {
		log.Fatal(err)
	}
	var db *sql.DB // the app's database, from sql.Open with its driver
	routes := &server.Routes{
		Server:      pk,
		Credentials: sqlCredentials{db}, // the app's server.CredentialStore
		CurrentUser: func(r *http.Request) (*server.User, error) {
			return nil, nil // the user of the app's session; nil when nobody is signed in
		},
		Login: func(w http.ResponseWriter, r *http.Request, userID []byte) (string, error) {
			return "/", nil // renew the app's session for the user with this handle
		},
	}
	mux := http.NewServeMux()
	routes.Mount(mux) // POST /auth/passkey/register/begin, ... (or mux.Handle("/auth/passkey/", routes))

	// Registering a passkey needs a signed-in user.
	req := httptest.NewRequest(http.MethodPost, "http://localhost:8000/auth/passkey/register/begin", nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	fmt.Print(rec.Code, " ", rec.Body)
	// Output:
	// 401 {"error":"Sign in first.","code":"login_required"}
}

// Check reviews a configuration before it ships: this one is for development.
func ExampleCheck() {
	pk, err := server.New(server.Config{
		RPID:      "localhost",
		Origins:   []string{"http://localhost:8000"},
		SignCount: server.SignCountFlag,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range server.Check(pk, server.CheckOptions{Deploy: true}) {
		fmt.Println(f)
	}
	// Output:
	// ERROR passkeys.origin_http: origin http://localhost:8000 is plain http; passkeys in production need https
	//     fix: serve the site over https and list its https origin in Config.Origins (PASSKEY_ORIGIN)
	// ERROR passkeys.rp_id_localhost: RPID is "localhost": passkeys made for it work nowhere else
	//     fix: set RPID (PASSKEY_RP_ID) to the site's registrable domain, e.g. example.com
	// WARNING passkeys.memory_store: ceremonies are kept in this process's memory: several instances behind a load balancer lose each other's challenges (challenge_missing), and a restart drops them
	//     fix: use a shared store for Config.Store when running more than one instance (github.com/chirpkit/passkeys/redisstore)
	// WARNING passkeys.sign_count_flag: sign-count regressions are only flagged: a cloned authenticator can sign in
	//     fix: use SignCountReject, or act on AuthenticatedCredential.CloneWarning
}

// A LookupFunc over database/sql, for a credentials table with one row per passkey:
//
//	CREATE TABLE credentials (id BYTEA PRIMARY KEY, user_id BYTEA NOT NULL,
//	  public_key BYTEA NOT NULL, sign_count BIGINT NOT NULL,
//	  backup_eligible BOOLEAN NOT NULL, backup_state BOOLEAN NOT NULL, last_used TIMESTAMP)
//
// ($1 is PostgreSQL's placeholder; MySQL and SQLite take ?.)
func ExampleLookupFunc() {
	lookup := func(db *sql.DB) server.LookupFunc {
		return func(ctx context.Context, id []byte) (server.StoredCredential, error) {
			var c server.RegisteredCredential // implements StoredCredential and StoredFlags
			err := db.QueryRowContext(ctx,
				`SELECT id, user_id, public_key, sign_count, backup_eligible, backup_state
				   FROM credentials WHERE id = $1`, id,
			).Scan(&c.ID, &c.UserID, &c.PublicKey, &c.SignCount, &c.BackupEligible, &c.BackupState)
			if errors.Is(err, sql.ErrNoRows) {
				return nil, server.ErrUnknownCredential // answered 400 unknown_credential
			}
			if err != nil {
				return nil, err // answered 500 internal_error, and logged
			}
			return &c, nil
		}
	}

	var db *sql.DB // the app's database, from sql.Open with its driver
	pk, err := server.New(server.Config{RPID: "example.com", Origins: []string{"https://example.com"}})
	if err != nil {
		log.Fatal(err)
	}
	credentials := lookup(db)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/passkey/login/finish", func(w http.ResponseWriter, r *http.Request) {
		got, err := pk.FinishAuthentication(w, r, credentials)
		if err != nil {
			return
		}
		_ = got // store got.SignCount and got.BackupState, sign in got.UserID
	})
}

// sqlCredentials is a server.CredentialStore over the table of ExampleLookupFunc.
type sqlCredentials struct{ db *sql.DB }

// AddCredential inserts the row; the primary key on id refuses an ID already registered,
// atomically (PostgreSQL syntax: ON CONFLICT DO NOTHING, then no row inserted).
func (s sqlCredentials) AddCredential(ctx context.Context, userID []byte, c *server.RegisteredCredential) error {
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO credentials (id, user_id, public_key, sign_count, backup_eligible, backup_state)
		 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
		c.ID, userID, c.PublicKey, int64(c.SignCount), c.BackupEligible, c.BackupState)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return server.ErrCredentialExists
	}
	return nil
}

func (s sqlCredentials) GetCredential(ctx context.Context, id []byte) (server.StoredCredential, error) {
	var c server.RegisteredCredential
	err := s.db.QueryRowContext(ctx,
		`SELECT id, user_id, public_key, sign_count, backup_eligible, backup_state FROM credentials WHERE id = $1`, id,
	).Scan(&c.ID, &c.UserID, &c.PublicKey, &c.SignCount, &c.BackupEligible, &c.BackupState)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, server.ErrUnknownCredential
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// UpdateCredential is a compare-and-set: the row changes only while it still holds the
// sign count this sign-in read.
func (s sqlCredentials) UpdateCredential(ctx context.Context, a *server.AuthenticatedCredential) error {
	res, err := s.db.ExecContext(ctx,
		`UPDATE credentials SET sign_count = $1, backup_state = $2, last_used = $3
		 WHERE id = $4 AND sign_count = $5`,
		int64(a.SignCount), a.BackupState, time.Now(), a.CredentialID, int64(a.PreviousSignCount))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return server.ErrSignCountChanged
	}
	return nil
}

func (s sqlCredentials) CredentialIDs(ctx context.Context, userID []byte) ([][]byte, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM credentials WHERE user_id = $1`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids [][]byte
	for rows.Next() {
		var id []byte
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
