// Package bodylimit bounds the request bodies of the example apps before anything reads
// them: Max for the forms and the JSON of a begin (a few hundred bytes when honest),
// MaxFinish for the finish routes, whose WebAuthn responses (attestation certificates)
// the server verbs read within their own Config.MaxBodyBytes (64 KiB by default). A
// larger body is answered 413 payload_too_large without being read: reading a 32 MiB
// form used to cost 160 MiB.
package bodylimit

import (
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/chirpkit/passkeys/server"
)

// The bounds, in bytes.
const (
	Max       = 4 << 10
	MaxFinish = 64 << 10
)

// Handler bounds the body of every request to h: MaxFinish under /auth/passkey/…/finish,
// Max elsewhere. A body that announces more is refused at once.
func Handler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := int64(Max)
		if strings.HasPrefix(r.URL.Path, "/auth/passkey/") && strings.HasSuffix(r.URL.Path, "/finish") {
			limit = MaxFinish
		}
		if r.ContentLength > limit {
			Refuse(w)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		h.ServeHTTP(w, r)
	})
}

// ParseForm parses a urlencoded or multipart form body (within the bound Handler set);
// other bodies are left for the handlers.
func ParseForm(r *http.Request) error {
	switch ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct {
	case "multipart/form-data":
		return r.ParseMultipartForm(Max)
	case "application/x-www-form-urlencoded":
		return r.ParseForm()
	}
	return nil
}

// TooLarge reports whether err comes from reading past a body's bound.
func TooLarge(err error) bool {
	var e *http.MaxBytesError
	return errors.As(err, &e)
}

// Refuse answers 413 payload_too_large and closes the connection rather than read the
// rest of the body to reuse it.
func Refuse(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
	server.WriteError(w, &server.Error{Code: server.CodePayloadTooLarge, Message: "The request body is too large."})
}
