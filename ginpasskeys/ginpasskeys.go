// Package ginpasskeys adapts chirpkit passkeys to gin: the injector middleware, which
// serves the browser bridge and adds its script tag to HTML pages, and the ready
// ceremony routes (server.Routes) mounted on a gin router.
//
//	r := gin.New()
//	r.Use(ginpasskeys.Middleware(injector.Options{})) // with Use, so that it sees 404 pages too
//	ginpasskeys.Mount(r, &server.Routes{...})
//
// It is a module of its own, so that apps on net/http never download gin.
package ginpasskeys

import (
	"strings"

	"github.com/chirpkit/passkeys/injector"
	"github.com/chirpkit/passkeys/server"
	"github.com/gin-gonic/gin"
)

// Middleware returns the gin middleware: the same as injector.Middleware(opts). Register
// it with engine.Use so that it also sees gin's 404 and 405 pages. Under it, c.Writer is
// a gin.ResponseWriter that injects; it restores the original writer before gin writes
// its own 404/405 bodies.
func Middleware(opts injector.Options) gin.HandlerFunc {
	a := injector.NewAdapter(opts)
	return func(c *gin.Context) {
		if a.ServeScript(c.Writer, c.Request) {
			c.Abort()
			return
		}
		orig := c.Writer
		w, finish := a.Wrap(orig, c.Request)
		c.Writer = w
		defer func() {
			// Restore before gin writes its own 404/405 body and calls
			// WriteHeaderNow on the original writer.
			c.Writer = orig
			finish()
		}()
		c.Next()
	}
}

// Mount adds the ceremony routes (POST only) to a gin router or group. They answer at
// rt.Paths(), the full paths under rt.Prefix, as on every other router: on a group,
// Mount registers them relative to the group's base path, so Prefix must lie under it
// (Mount(r.Group("/app"), rt) needs Prefix "/app/auth/passkey" or deeper; it panics
// otherwise).
func Mount(r gin.IRouter, rt *server.Routes) {
	base := ""
	if g, ok := r.(interface{ BasePath() string }); ok {
		base = strings.TrimSuffix(g.BasePath(), "/")
	}
	h := gin.WrapH(rt)
	for _, p := range rt.Paths() {
		rel, ok := strings.CutPrefix(p, base)
		if !ok || !strings.HasPrefix(rel, "/") {
			panic("ginpasskeys: Mount on the group " + base + " needs Routes.Prefix under it, not " +
				strings.TrimSuffix(p, "/register/begin"))
		}
		r.POST(rel, h)
	}
}
