// Command chi shows chirpkit/passkeys on a chi router: server.Routes mounted under
// /auth/passkey and injector.Middleware adding the bridge to the pages, over the
// in-memory app of examples/internal/memapp (sign in with a name, add a passkey, sign
// out, sign in with the passkey).
//
//	cd examples && go run ./chi
//
// Then open http://localhost:8002 in a browser with passkeys (Chromium: DevTools, More
// tools, WebAuthn adds a virtual authenticator).
package main

import (
	"log"
	"net/http"
	"time"

	"github.com/chirpkit/passkeys/examples/internal/memapp"
	"github.com/chirpkit/passkeys/injector"
	"github.com/chirpkit/passkeys/server"
	"github.com/go-chi/chi/v5"
)

const addr = "localhost:8002"

func main() {
	h, err := newHandler("http://" + addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("passkeys on chi: http://%s", addr)
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

// newHandler returns the app for browsers at origin.
func newHandler(origin string) (http.Handler, error) {
	pk, err := server.New(server.Config{RPID: "localhost", Origins: []string{origin}})
	if err != nil {
		return nil, err
	}
	app := memapp.New("Passkeys on chi")
	routes := &server.Routes{Server: pk, Credentials: app.Credentials, CurrentUser: app.CurrentUser, Login: app.Login}

	r := chi.NewRouter()
	// Serves the bridge at /_chirp/passkeys.js and adds its <script> tag to HTML pages.
	r.Use(injector.Middleware(injector.Options{}))
	r.Get("/", app.Page)
	r.Post("/signin", app.SignIn)
	r.Post("/signout", app.SignOut)
	// The four POST routes: /auth/passkey/{register,login}/{begin,finish}.
	r.Mount("/auth/passkey", routes)
	return r, nil
}
