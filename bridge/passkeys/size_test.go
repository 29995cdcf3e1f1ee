//go:build !js

package passkeys

import (
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sizeBudget is what the package may add to a Go program compiled to WebAssembly, gzipped
// (issue 15): testdata/size/door (a syscall/js hello world plus one RegisterWith and one
// errors.Is) minus testdata/size/hello (the hello world), both built with
// GOOS=js GOARCH=wasm go build -trimpath -ldflags=-s and gzipped at best compression.
const sizeBudget = 100 << 10

// TestWasmSize builds the two programs and fails when the door costs more than
// sizeBudget over the hello world. About 80 KB of the cost is context and errors
// themselves (context.Context's Deadline brings time's formatting and zones, time brings
// internal/godebug); the package's own code is the rest. make wasm-size runs it (-short
// skips it: make unit).
func TestWasmSize(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two WebAssembly programs; make wasm-size runs it")
	}
	dir := t.TempDir()
	hello, helloGz := wasmSize(t, dir, "hello")
	door, doorGz := wasmSize(t, dir, "door")
	cost := doorGz - helloGz
	t.Logf("hello world %d B (%.1f KiB gzipped); with the door %d B (%.1f KiB gzipped); the door costs %.1f KiB gzipped (budget %d KiB), %.2f× the hello world",
		hello, kib(helloGz), door, kib(doorGz), kib(cost), sizeBudget>>10, float64(doorGz)/float64(helloGz))
	if cost > sizeBudget {
		t.Errorf("the door costs %d B (%.1f KiB) gzipped over the hello world, budget %d KiB: "+
			"look for a new import (go list -deps) or a select, map literal or fmt in the package", cost, kib(cost), sizeBudget>>10)
	}
}

// TestWasmImports: the package leaves JSON to the browser and formats its errors by hand.
func TestWasmImports(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Env = wasmEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	for _, p := range []string{"fmt", "encoding/json", "reflect", "strconv"} {
		if slices.Contains(deps, p) {
			t.Errorf("GOOS=js GOARCH=wasm: the package imports %s", p)
		}
	}
}

func wasmEnv() []string {
	return append(os.Environ(), "GOOS=js", "GOARCH=wasm", "GOWORK=off")
}

// wasmSize builds testdata/size/name and returns its size, raw and gzipped.
func wasmSize(t *testing.T, dir, name string) (raw, gz int) {
	t.Helper()
	out := filepath.Join(dir, name+".wasm")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s", "-o", out, "./testdata/size/"+name)
	cmd.Env = wasmEnv()
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOOS=js GOARCH=wasm go build ./testdata/size/%s: %v\n%s", name, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return len(b), buf.Len()
}

func kib(n int) float64 { return float64(n) / 1024 }
