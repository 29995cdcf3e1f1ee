package injector

import (
	"net/http"
)

// Middleware returns net/http middleware that serves the bridge script at
// opts.Path and injects its tag into HTML pages (see the package
// documentation for when it does and does not touch a response).
func Middleware(opts Options) func(http.Handler) http.Handler {
	c := newConfig(opts)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if r.URL.Path == c.path {
				c.serve(rw, r)
				return
			}
			if !c.mayInject(r) {
				next.ServeHTTP(rw, r)
				return
			}
			// One writer per request, never pooled: a router may keep it past the
			// handler's return (echo.WrapMiddleware writes a handler's error through it
			// afterwards), and a pooled writer would then write into another request's
			// response. After finish it passes writes through to rw.
			w := &writer{rw: rw, req: r, cfg: c}
			defer w.finish()
			next.ServeHTTP(w, r)
		})
	}
}

// mayInject reports whether the request can get an injected response at all;
// when not, the handler gets the original ResponseWriter.
func (c *config) mayInject(r *http.Request) bool {
	return r.Method != http.MethodHead && (c.htmx || !htmxPartial(r))
}

// Handler returns a handler serving only the bridge script (GET and HEAD;
// other methods get 405), for apps that mount it themselves and render the
// tag with [Tag]. It answers every path it is given.
func Handler(opts Options) http.Handler {
	c := newConfig(opts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.serve(w, r)
	})
}
