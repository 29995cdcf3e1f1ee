package ginpasskeys_test

import (
	"fmt"
	"net/http"

	"github.com/chirpkit/passkeys/ginpasskeys"
	"github.com/chirpkit/passkeys/injector"
	"github.com/chirpkit/passkeys/server"
	"github.com/gin-gonic/gin"
)

// Register the middleware with Use so that it also sees 404 pages rendered by
// NoRoute handlers and serves the script on any path.
func ExampleMiddleware() {
	r := gin.New()
	r.Use(ginpasskeys.Middleware(injector.Options{Statuses: []int{200, 404}}))
	r.GET("/", func(c *gin.Context) {
		c.Data(200, "text/html; charset=utf-8", []byte("<html><body>Hi</body></html>"))
	})
	_ = r.Run("localhost:8080")
}

// Mount adds the four ceremony routes (POST only) to the engine, beside the
// middleware that brings the bridge to the pages.
func ExampleMount() {
	srv, err := server.New(server.Config{RPID: "localhost", Origins: []string{"http://localhost:8080"}})
	if err != nil {
		panic(err)
	}
	var credentials server.CredentialStore // the app's credential table
	r := gin.New()
	r.Use(ginpasskeys.Middleware(injector.Options{}))
	ginpasskeys.Mount(r, &server.Routes{
		Server:      srv,
		Credentials: credentials,
		CurrentUser: func(r *http.Request) (*server.User, error) {
			return nil, nil // the signed-in user of the app's session, or nil
		},
		Login: func(w http.ResponseWriter, r *http.Request, userID []byte) (string, error) {
			return "/", nil // renew the app's session for userID; go home
		},
	})
	for _, ri := range r.Routes() {
		fmt.Println(ri.Method, ri.Path)
	}
	// Output:
	// POST /auth/passkey/register/begin
	// POST /auth/passkey/register/finish
	// POST /auth/passkey/login/begin
	// POST /auth/passkey/login/finish
}
