package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/chirpkit/passkeys/bridge"
	"github.com/chirpkit/passkeys/internal/modroot"
)

// TestDistUpToDate rebuilds bridge/dist in memory and compares it with the checked-in
// copy. It is skipped when node_modules/.bin/tsc is absent, except when CI is set.
func TestDistUpToDate(t *testing.T) {
	root, err := modroot.Find()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, tscPath)); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not found (run npm ci): %v", tscPath, err)
		}
		t.Skipf("%s not found (run npm ci)", tscPath)
	}
	files, err := Generate(root, false)
	if err != nil {
		t.Fatal(err)
	}
	stale, err := Stale(filepath.Join(root, distDir), files, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Fatalf("stale: %v; run go generate ./bridge", stale)
	}
	// Reproducible: a second build gives the same bytes.
	again, err := Generate(root, false)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if string(again[name]) != string(b) {
			t.Errorf("%s differs between two builds", name)
		}
	}
}

func TestStaleNamesFiles(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{"a.js": []byte("a"), "types/x.d.ts": []byte("x"), "b.mjs": []byte("b")}
	if err := write(dir, files); err != nil {
		t.Fatal(err)
	}
	if stale, err := Stale(dir, files, false); err != nil || len(stale) != 0 {
		t.Fatalf("fresh dir: stale %v, err %v", stale, err)
	}
	os.WriteFile(filepath.Join(dir, "a.js"), []byte("changed"), 0o644)
	os.Remove(filepath.Join(dir, "b.mjs"))
	os.WriteFile(filepath.Join(dir, "extra.js"), []byte("e"), 0o644)
	stale, err := Stale(dir, files, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{distDir + "/a.js", distDir + "/b.mjs", distDir + "/extra.js (not generated)"}
	if len(stale) != len(want) {
		t.Fatalf("stale = %v, want %v", stale, want)
	}
	for i := range want {
		if stale[i] != want[i] {
			t.Fatalf("stale = %v, want %v", stale, want)
		}
	}
	// Without types, extra .d.ts files are not reported.
	os.WriteFile(filepath.Join(dir, "types", "y.d.ts"), []byte("y"), 0o644)
	delete(files, "types/x.d.ts")
	stale, _ = Stale(dir, files, true)
	for _, s := range stale {
		if filepath.Ext(s) == ".ts" {
			t.Errorf("skipTypes still reports %s", s)
		}
	}
}

func TestGzipDeterministic(t *testing.T) {
	a, _ := Gzip([]byte("hello hello hello"))
	b, _ := Gzip([]byte("hello hello hello"))
	if string(a) != string(b) || a[4] != 0 || a[5] != 0 || a[6] != 0 || a[7] != 0 {
		t.Fatalf("gzip not deterministic or has a timestamp: % x", a[:10])
	}
}

// TestScriptBrotli checks the embedded brotli variant (here, since brotli is the
// bundler's dependency, not the core's).
func TestScriptBrotli(t *testing.T) {
	b := bridge.ScriptBrotli()
	if b == nil {
		t.Skip("no brotli variant embedded")
	}
	got, err := io.ReadAll(brotli.NewReader(bytes.NewReader(b)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, bridge.Script()) {
		t.Fatal("ScriptBrotli does not decompress to Script")
	}
	if len(b) >= len(bridge.ScriptGzip()) {
		t.Errorf("brotli variant (%d bytes) is not smaller than gzip (%d)", len(b), len(bridge.ScriptGzip()))
	}
}
