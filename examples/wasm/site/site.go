//go:build !js

// Package site serves the WebAssembly example page on the example app (examples/minimal/app):
// /wasm (the page), /wasm/main.wasm (the Go client, built by Build), /wasm/wasm_exec.js
// (from the Go distribution) and /wasm/boot.js.
package site

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

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
	// Wasm is the client compiled with GOOS=js GOARCH=wasm (see Build).
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
		r.GET("/wasm/main.wasm", func(c *gin.Context) {
			c.Header("Content-Type", "application/wasm")
			c.Header("Cache-Control", "no-cache")
			c.File(f.Wasm)
		})
		r.GET("/wasm/wasm_exec.js", func(c *gin.Context) {
			c.Header("Content-Type", "text/javascript; charset=utf-8")
			c.File(f.WasmExec)
		})
		r.GET("/wasm/boot.js", func(c *gin.Context) {
			c.Data(http.StatusOK, "text/javascript; charset=utf-8", bootJS)
		})
	}
}

// Build compiles the client (examples/wasm/client) with GOOS=js GOARCH=wasm into out.
func Build(ctx context.Context, out string) error {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return fmt.Errorf("site: cannot locate the client's sources")
	}
	cmd := exec.CommandContext(ctx, goTool(), "build", "-trimpath", "-o", out, ".")
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

// Prepare builds the client into dir and finds wasm_exec.js.
func Prepare(ctx context.Context, dir string) (Files, error) {
	f := Files{Wasm: filepath.Join(dir, "main.wasm")}
	if err := Build(ctx, f.Wasm); err != nil {
		return Files{}, err
	}
	var err error
	f.WasmExec, err = WasmExec(ctx)
	return f, err
}

// goTool is the go command: go run and go test put their own GOROOT/bin first in PATH.
func goTool() string { return "go" }

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
