// Command echo shows chirpkit/passkeys on an echo router: server.Routes on its four
// paths and injector.Middleware adding the bridge to the pages, over the in-memory app
// of examples/internal/memapp (sign in with a name, add a passkey, sign out, sign in
// with the passkey).
//
//	cd examples && go run ./echo
//
// Then open http://localhost:8003 in a browser with passkeys (Chromium: DevTools, More
// tools, WebAuthn adds a virtual authenticator).
package main

import (
	"log"
	"net/http"
	"time"

	"github.com/chirpkit/passkeys/examples/internal/memapp"
	"github.com/chirpkit/passkeys/injector"
	"github.com/chirpkit/passkeys/server"
	"github.com/labstack/echo/v4"
)

const addr = "localhost:8003"

func main() {
	h, err := newHandler("http://" + addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("passkeys on echo: http://%s", addr)
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

// newHandler returns the app for browsers at origin.
func newHandler(origin string) (http.Handler, error) {
	pk, err := server.New(server.Config{RPID: "localhost", Origins: []string{origin}})
	if err != nil {
		return nil, err
	}
	app := memapp.New("Passkeys on echo")
	routes := &server.Routes{Server: pk, Credentials: app.Credentials, CurrentUser: app.CurrentUser, Login: app.Login}

	e := echo.New()
	e.GET("/", echo.WrapHandler(http.HandlerFunc(app.Page)))
	e.POST("/signin", echo.WrapHandler(http.HandlerFunc(app.SignIn)))
	e.POST("/signout", echo.WrapHandler(http.HandlerFunc(app.SignOut)))
	// The four POST routes: /auth/passkey/{register,login}/{begin,finish}.
	for _, path := range routes.Paths() {
		e.POST(path, echo.WrapHandler(routes))
	}
	// The injector serves the bridge at /_chirp/passkeys.js and adds its <script> tag to
	// HTML pages. It wraps echo as a whole rather than going in with
	// e.Use(echo.WrapMiddleware(...)), so that the pages echo writes for a handler's error
	// (a 404 too) get the tag as well: under WrapMiddleware echo writes them after the
	// injector has finished, and they pass through untouched.
	return injector.Middleware(injector.Options{})(e), nil
}
