//go:build !js

// Package site serves the WebAssembly example page on the example app (examples/minimal/app):
// /wasm (the page), /wasm/main.wasm (the Go client, built by Build and served
// precompressed by ServeWasm), /wasm/wasm_exec.js (from the Go distribution) and
// /wasm/boot.js.
package site

import (
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/chirpkit/passkeys/examples/minimal/app"
	"github.com/gin-gonic/gin"
)

//go:embed page.html
var pageHTML string

//go:embed boot.js
var bootJS []byte

var page = template.Must(template.New("page").Parse(pageHTML))

// Files are what the routes serve from disk.
type Files struct {
	// Wasm is the client compiled with GOOS=js GOARCH=wasm (see Build); Wasm+".gz" and
	// Wasm+".br", when they exist, are the same compressed (see Compress).
	Wasm string
	// WasmExec is the Go distribution's wasm_exec.js (see WasmExec).
	WasmExec string
}

// Routes returns the app.Options.Routes hook adding the example's routes. The page is
// served with script-src 'wasm-unsafe-eval' (app.AllowWasm); the rest of the app keeps
// its strict policy.
func Routes(f Files) func(*app.App, gin.IRoutes) {
	return func(a *app.App, r gin.IRoutes) {
		r.GET("/wasm", func(c *gin.Context) {
			user, err := a.Username(c)
			if err != nil {
				c.AbortWithStatus(http.StatusInternalServerError)
				return
			}
			app.AllowWasm(c)
			var b bytes.Buffer
			if err := page.Execute(&b, map[string]string{"CSRF": app.CSRF(c), "User": user}); err != nil {
				c.AbortWithStatus(http.StatusInternalServerError)
				return
			}
			c.Header("Cache-Control", "no-store")
			c.Data(http.StatusOK, "text/html; charset=utf-8", b.Bytes())
		})
		wasm := gin.WrapH(ServeWasm(f.Wasm))
		r.GET("/wasm/main.wasm", wasm)
		r.HEAD("/wasm/main.wasm", wasm)
		r.GET("/wasm/wasm_exec.js", func(c *gin.Context) {
			c.Header("Content-Type", "text/javascript; charset=utf-8")
			c.File(f.WasmExec)
		})
		r.GET("/wasm/boot.js", func(c *gin.Context) {
			c.Data(http.StatusOK, "text/javascript; charset=utf-8", bootJS)
		})
	}
}

// Build compiles the client (examples/wasm/client) with GOOS=js GOARCH=wasm into out,
// as it would ship: -trimpath, and -ldflags=-s (no symbol table: 2% smaller).
func Build(ctx context.Context, out string) error {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return fmt.Errorf("site: cannot locate the client's sources")
	}
	cmd := exec.CommandContext(ctx, goTool(), "build", "-trimpath", "-ldflags=-s", "-o", out, ".")
	cmd.Dir = filepath.Join(filepath.Dir(file), "..", "client")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("site: GOOS=js GOARCH=wasm go build: %v\n%s", err, b)
	}
	return nil
}

// WasmExec returns the path of the Go distribution's wasm_exec.js ($GOROOT/lib/wasm
// since Go 1.24, misc/wasm before).
func WasmExec(ctx context.Context) (string, error) {
	b, err := exec.CommandContext(ctx, goTool(), "env", "GOROOT").Output()
	if err != nil {
		return "", fmt.Errorf("site: go env GOROOT: %v", err)
	}
	root := strings.TrimSpace(string(b))
	for _, p := range []string{"lib/wasm/wasm_exec.js", "misc/wasm/wasm_exec.js"} {
		if p = filepath.Join(root, p); fileExists(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("site: wasm_exec.js not found under %s", root)
}

// Prepare builds the client into dir, compresses it and finds wasm_exec.js.
func Prepare(ctx context.Context, dir string) (Files, error) {
	f := Files{Wasm: filepath.Join(dir, "main.wasm")}
	if err := Build(ctx, f.Wasm); err != nil {
		return Files{}, err
	}
	if err := Compress(f.Wasm); err != nil {
		return Files{}, err
	}
	var err error
	f.WasmExec, err = WasmExec(ctx)
	return f, err
}

// Compress writes path+".gz" (gzip at best compression) and path+".br" (brotli at
// quality 6: 14% smaller than the gzip, in under a second; quality 11 saves another
// 10% but takes a minute on a 2 MB file), once, so that no request compresses anything.
func Compress(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	errs := make(chan error, 2)
	go func() {
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		w.Write(b)
		if err := w.Close(); err != nil {
			errs <- err
			return
		}
		errs <- os.WriteFile(path+".gz", buf.Bytes(), 0o644)
	}()
	go func() {
		var buf bytes.Buffer
		w := brotli.NewWriterLevel(&buf, 6)
		w.Write(b)
		if err := w.Close(); err != nil {
			errs <- err
			return
		}
		errs <- os.WriteFile(path+".br", buf.Bytes(), 0o644)
	}()
	for range 2 {
		if e := <-errs; e != nil && err == nil {
			err = e
		}
	}
	return err
}

// ServeWasm serves the WebAssembly file path, precompressed: path+".br" to a client that
// accepts br, else path+".gz" to one that accepts gzip, else path itself, with
// Content-Type application/wasm (WebAssembly.instantiateStreaming requires it),
// Content-Encoding, Vary: Accept-Encoding, Content-Length, an ETag per encoding (a
// matching If-None-Match gets 304) and Cache-Control: no-cache (revalidated: the example
// rebuilds the client at every start). HEAD gets the headers; ranges are not offered.
func ServeWasm(path string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, encoding := path, ""
		ae := r.Header.Get("Accept-Encoding")
		for _, v := range precompressed {
			if accepts(ae, v.coding) && fileExists(path+v.suffix) {
				name, encoding = path+v.suffix, v.coding
				break
			}
		}
		file, err := os.Open(name)
		if err != nil {
			http.Error(w, "404 page not found", http.StatusNotFound)
			return
		}
		defer file.Close()
		st, err := file.Stat()
		if err != nil {
			http.Error(w, "500 internal server error", http.StatusInternalServerError)
			return
		}
		etag := `"` + strconv.FormatInt(st.ModTime().UnixNano(), 36) + "-" + strconv.FormatInt(st.Size(), 36) + "-" + encoding + `"`
		h := w.Header()
		h.Set("Vary", "Accept-Encoding")
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", etag)
		if etagMatch(r.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Type", "application/wasm")
		h.Set("Content-Length", strconv.FormatInt(st.Size(), 10))
		if encoding != "" {
			h.Set("Content-Encoding", encoding)
		}
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			io.Copy(w, file)
		}
	})
}

// etagMatch is the weak comparison of If-None-Match.
func etagMatch(inm, etag string) bool {
	for t := range strings.SplitSeq(inm, ",") {
		if t = strings.TrimSpace(t); t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// precompressed are the files that Compress writes, in the order of preference.
var precompressed = []struct{ coding, suffix string }{{"br", ".br"}, {"gzip", ".gz"}}

// accepts reports whether the Accept-Encoding value ae allows coding (named, or through
// "*", with a q other than 0).
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

// goTool is the go command: go run and go test put their own GOROOT/bin first in PATH.
func goTool() string { return "go" }

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
