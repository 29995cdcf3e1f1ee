//go:build !js

package site

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/andybalholm/brotli"
)

// TestServeWasm: the precompressed file that Accept-Encoding allows, brotli first, with
// the headers a browser needs to compile it while it streams in.
func TestServeWasm(t *testing.T) {
	path := filepath.Join(t.TempDir(), "main.wasm")
	// Compressible like a real binary: a wasm header, then repeating code-like bytes.
	want := []byte("\x00asm\x01\x00\x00\x00")
	for i := range 64 << 10 {
		want = append(want, byte(i%251), byte(i%13))
	}
	if err := os.WriteFile(path, want, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Compress(path); err != nil {
		t.Fatal(err)
	}
	h := ServeWasm(path)
	decode := map[string]func(io.Reader) (io.Reader, error){
		"":     func(r io.Reader) (io.Reader, error) { return r, nil },
		"gzip": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
		"br":   func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
	}
	etags := map[string]string{}
	for _, c := range []struct{ accept, encoding string }{
		{"gzip, deflate, br, zstd", "br"},
		{"gzip, deflate", "gzip"},
		{"br;q=0, gzip", "gzip"},
		{"*", "br"},
		{"*, br;q=0", "gzip"},
		{"GZIP", "gzip"},
		{"", ""},
		{"identity", ""},
		{"br;q=0, gzip;q=0", ""},
	} {
		req := httptest.NewRequest("GET", "/wasm/main.wasm", nil)
		if c.accept != "" {
			req.Header.Set("Accept-Encoding", c.accept)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		res := rec.Result()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%q: status %d", c.accept, res.StatusCode)
		}
		hd := res.Header
		if hd.Get("Content-Type") != "application/wasm" || hd.Get("Content-Encoding") != c.encoding ||
			hd.Get("Vary") != "Accept-Encoding" || hd.Get("Cache-Control") != "no-cache" {
			t.Errorf("Accept-Encoding %q: Content-Type %q, Content-Encoding %q (want %q), Vary %q, Cache-Control %q",
				c.accept, hd.Get("Content-Type"), hd.Get("Content-Encoding"), c.encoding, hd.Get("Vary"), hd.Get("Cache-Control"))
		}
		body := rec.Body.Bytes()
		if n, _ := strconv.Atoi(hd.Get("Content-Length")); n != len(body) {
			t.Errorf("%q: Content-Length %s, body %d bytes", c.accept, hd.Get("Content-Length"), len(body))
		}
		if c.encoding != "" && len(body) > len(want)/2 {
			t.Errorf("%q: %d bytes for %d: not compressed", c.accept, len(body), len(want))
		}
		r, err := decode[c.encoding](bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%q: body decodes to %d bytes (%v), want the file", c.accept, len(got), err)
		}
		etag := hd.Get("ETag")
		if prev, ok := etags[c.encoding]; ok && prev != etag {
			t.Errorf("two ETags for %q: %s, %s", c.encoding, prev, etag)
		}
		etags[c.encoding] = etag

		// Revalidation answers 304 for this representation's ETag.
		req.Header.Set("If-None-Match", etag)
		rec = httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
			t.Errorf("%q with If-None-Match: %d, %d bytes", c.accept, rec.Code, rec.Body.Len())
		}
	}
	if len(etags) != 3 || etags[""] == etags["gzip"] || etags["gzip"] == etags["br"] || etags[""] == etags["br"] {
		t.Errorf("ETags must differ per encoding: %v", etags)
	}

	// HEAD: the headers of GET, no body.
	req := httptest.NewRequest("HEAD", "/wasm/main.wasm", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	gz, _ := os.ReadFile(path + ".gz")
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") != strconv.Itoa(len(gz)) ||
		rec.Header().Get("Content-Encoding") != "gzip" {
		t.Errorf("HEAD: %d, %d bytes, Content-Length %s, Content-Encoding %q", rec.Code, rec.Body.Len(),
			rec.Header().Get("Content-Length"), rec.Header().Get("Content-Encoding"))
	}

	// Without the compressed files, the file itself whatever the client accepts.
	os.Remove(path + ".br")
	os.Remove(path + ".gz")
	req = httptest.NewRequest("GET", "/wasm/main.wasm", nil)
	req.Header.Set("Accept-Encoding", "gzip, br")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "" || !bytes.Equal(rec.Body.Bytes(), want) {
		t.Errorf("no precompressed files: %d, Content-Encoding %q", rec.Code, rec.Header().Get("Content-Encoding"))
	}
	os.Remove(path)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Errorf("no file: %d", rec.Code)
	}
}
