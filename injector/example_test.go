package injector_test

import (
	"html/template"
	"io"
	"net/http"

	"github.com/chirpkit/passkeys/injector"
)

// The net/http middleware wraps the whole app: it serves the script at
// /_chirp/passkeys.js and adds its tag to every HTML page.
func ExampleMiddleware() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html><html><body><h1>Hello</h1></body></html>")
	})
	mw := injector.Middleware(injector.Options{
		// With a Content-Security-Policy using nonces:
		Nonce: func(r *http.Request) string { return r.Header.Get("X-Nonce") },
	})
	// A compression middleware goes outside: gzip(mw(mux)).
	_ = http.ListenAndServe("localhost:8080", mw(mux))
}

// Apps that place the tag in their own templates render it with a Tagger;
// the middleware then leaves those pages alone (it sees data-chirp="passkeys").
func ExampleNewTagger() {
	tag := injector.NewTagger(injector.Options{})
	page := template.Must(template.New("p").Parse(`<html><body>{{.}}</body></html>`))
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		page.Execute(w, tag(r))
	})
}
