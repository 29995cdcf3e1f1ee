package injector

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/chirpkit/passkeys/bridge"
)

// asset is one prepared representation of the script.
type asset struct {
	body     []byte
	encoding string   // "" for identity
	etag     string   // strong ETag, distinct per encoding
	length   []string // Content-Length value
}

type assets struct {
	identity, gzip, brotli *asset
}

var (
	hdrJS        = []string{"text/javascript; charset=utf-8"}
	hdrImmutable = []string{"public, max-age=31536000, immutable"}
	hdrNoCache   = []string{"no-cache"}
	hdrVary      = []string{"Accept-Encoding"}
	hdrNosniff   = []string{"nosniff"}
	hdrAllow     = []string{"GET, HEAD"}
	hdrGzip      = []string{"gzip"}
	hdrBr        = []string{"br"}
)

func newAssets() *assets {
	v := bridge.Version()
	mk := func(b []byte, enc, suffix string) *asset {
		if len(b) == 0 {
			return nil
		}
		return &asset{body: b, encoding: enc, etag: `"` + v + suffix + `"`,
			length: []string{strconv.Itoa(len(b))}}
	}
	return &assets{
		identity: mk(bridge.Script(), "", ""),
		gzip:     mk(bridge.ScriptGzip(), "gzip", "-gz"),
		brotli:   mk(bridge.ScriptBrotli(), "br", "-br"),
	}
}

// serve answers a request for the script. The representations are prepared
// at go generate time (package bridge); nothing is compressed per request.
func (c *config) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h["Allow"] = hdrAllow
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	a := c.assets.identity
	if ae := r.Header.Get("Accept-Encoding"); ae != "" {
		if c.assets.brotli != nil && accepts(ae, "br") {
			a = c.assets.brotli
		} else if c.assets.gzip != nil && accepts(ae, "gzip") {
			a = c.assets.gzip
		}
	}
	h["Vary"] = hdrVary
	h["Etag"] = []string{a.etag}
	if r.URL.Query().Get("v") == bridge.Version() {
		h["Cache-Control"] = hdrImmutable
	} else {
		h["Cache-Control"] = hdrNoCache
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = hdrJS
	h["X-Content-Type-Options"] = hdrNosniff
	h["Content-Length"] = a.length
	switch a.encoding {
	case "gzip":
		h["Content-Encoding"] = hdrGzip
	case "br":
		h["Content-Encoding"] = hdrBr
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(a.body)
	}
}

// accepts reports whether the Accept-Encoding value ae allows coding (with a
// non-zero q, named or through "*").
func accepts(ae, coding string) bool {
	star := false
	for part := range strings.SplitSeq(ae, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.TrimSpace(name)
		ok := !qZero(params)
		if strings.EqualFold(name, coding) {
			return ok
		}
		if name == "*" {
			star = ok
		}
	}
	return star
}

func qZero(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && f == 0
		}
	}
	return false
}

// etagMatch implements the weak comparison of If-None-Match.
func etagMatch(inm, etag string) bool {
	for t := range strings.SplitSeq(inm, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}
