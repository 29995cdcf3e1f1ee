package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// WellKnownPath is where browsers look for the related origins of an RP ID:
// https://{RPID}/.well-known/webauthn (WebAuthn L3 §5.11, related origin requests).
const WellKnownPath = "/.well-known/webauthn"

// maxRelatedLabels is the number of distinct registrable-domain labels a browser reads
// from the well-known file before it stops (WebAuthn L3 §5.11.1: at least 5).
const maxRelatedLabels = 5

// checkRelatedOrigins validates Config.RelatedOrigins: each an exact https origin whose
// host is not the RP ID or below it (those belong in Origins) and not a public suffix;
// together at most maxRelatedLabels distinct labels (the "example" of example.co.uk).
func checkRelatedOrigins(rpID string, related []string) error {
	labels := map[string]bool{}
	for _, o := range related {
		host, secure, err := checkOrigin(o)
		if err != nil {
			return fmt.Errorf("RelatedOrigins: %w", err)
		}
		if !secure {
			return fmt.Errorf("RelatedOrigins: %q is not https: related origins must be https", o)
		}
		if host == rpID || strings.HasSuffix(host, "."+rpID) {
			return fmt.Errorf("RelatedOrigins: %q is on the RP ID %q itself: list it in Origins", o, rpID)
		}
		etld1, err := publicsuffix.EffectiveTLDPlusOne(host)
		if err != nil {
			return fmt.Errorf("RelatedOrigins: %q: its host is a public suffix, under which anyone can register names", o)
		}
		ps, _ := publicsuffix.PublicSuffix(host)
		labels[strings.TrimSuffix(etld1, "."+ps)] = true
	}
	if len(labels) > maxRelatedLabels {
		return fmt.Errorf("RelatedOrigins name %d registrable-domain labels; browsers read at most %d (WebAuthn L3 §5.11.1): group them under fewer domains", len(labels), maxRelatedLabels)
	}
	return nil
}

// wellKnownBody is the JSON of the well-known file.
type wellKnownBody struct {
	Origins []string `json:"origins"`
}

// WellKnown returns the handler of WellKnownPath: the JSON {"origins": [...]} of
// Config.RelatedOrigins, served as application/json on GET and HEAD (405 otherwise), to
// be served at https://{RPID}/.well-known/webauthn. Routes serves it too. Browsers fetch
// it without cookies, so it may be cached for a day.
func (s *Server) WellKnown() http.Handler { return s.wellKnown }

// newWellKnown returns the handler of WellKnownPath for related, its body made once.
func newWellKnown(related []string) http.Handler {
	body, _ := json.Marshal(wellKnownBody{Origins: append([]string{}, related...)})
	body = append(body, '\n')
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			WriteError(w, newError(CodeMethodNotAllowed, "Use GET.", nil))
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "public, max-age=86400")
		h.Set("X-Content-Type-Options", "nosniff")
		if r.Method == http.MethodGet {
			_, _ = w.Write(body)
		}
	})
}
