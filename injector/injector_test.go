package injector_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chirpkit/passkeys/bridge"
	"github.com/chirpkit/passkeys/injector"
	"github.com/chirpkit/passkeys/internal/injectortest"
)

// TestMiddlewareTable runs the table of response shapes through the net/http
// middleware (module ginpasskeys runs it through the gin middleware).
func TestMiddlewareTable(t *testing.T) {
	injectortest.Table(t, true, func(tc injectortest.Case) http.Handler {
		return injector.Middleware(tc.Opts)(tc.Handler)
	})
}

func TestServeScript(t *testing.T) {
	h := injector.Middleware(injector.Options{})(http.NotFoundHandler())
	get := func(method, url string, hdr ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, url, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	v := bridge.Version()
	rec := get("GET", injector.DefaultPath+"?v="+v)
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), bridge.Script()) {
		t.Fatalf("GET: %d %q", rec.Code, rec.Body.String())
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control %q", cc)
	}
	etag := rec.Header().Get("ETag")
	if etag == "" || rec.Header().Get("Vary") != "Accept-Encoding" {
		t.Errorf("headers %v", rec.Header())
	}
	if rec := get("GET", injector.DefaultPath); rec.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("unversioned Cache-Control %q", rec.Header().Get("Cache-Control"))
	}
	if rec := get("GET", injector.DefaultPath, "If-None-Match", etag); rec.Code != 304 || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match: %d", rec.Code)
	}
	rec = get("GET", injector.DefaultPath, "Accept-Encoding", "gzip, deflate")
	if rec.Header().Get("Content-Encoding") != "gzip" || !bytes.Equal(rec.Body.Bytes(), bridge.ScriptGzip()) {
		t.Errorf("gzip: %v", rec.Header())
	}
	if rec := get("GET", injector.DefaultPath, "Accept-Encoding", "gzip;q=0"); rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 got %q", rec.Header().Get("Content-Encoding"))
	}
	if rec := get("HEAD", injector.DefaultPath); rec.Code != 200 || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") == "" {
		t.Errorf("HEAD: %d %d", rec.Code, rec.Body.Len())
	}
	if rec := get("POST", injector.DefaultPath); rec.Code != 405 || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d %v", rec.Code, rec.Header())
	}
	if rec := get("GET", injector.DefaultPath+"x"); rec.Code != 404 {
		t.Errorf("other path: %d", rec.Code)
	}
}
