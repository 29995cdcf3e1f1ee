package server_test

import (
	"context"
	"fmt"
	"log"
	"net/http"

	"github.com/chirpkit/passkeys/server"
	"github.com/redis/go-redis/v9"
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

// Several instances behind a load balancer share their pending ceremonies in Redis.
func ExampleNewRedisStore() {
	client := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
	defer client.Close()
	_, err := server.New(server.Config{
		RPID:    "example.com",
		Origins: []string{"https://example.com"},
		Store:   server.NewRedisStore(client, server.RedisStoreOptions{Prefix: "myapp:passkeys:"}),
	})
	fmt.Println(err)
	// Output: <nil>
}
