package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDistUpToDate rebuilds bridge/dist in memory and compares it with the checked-in
// copy. It is skipped when node_modules/.bin/tsc is absent, except when CI is set.
func TestDistUpToDate(t *testing.T) {
	root, err := moduleRoot()
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
